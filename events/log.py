"""The event log: one row per change, appended inside the change's transaction.

Its id is the cursor of subscribers and of the bridge, so ids must follow commit order. On
PostgreSQL a sequence hands out ids at insert time, not at commit: a transaction holding id 41
may commit after one holding 42, and a reader that already asked for `id > 41` would skip 41
for ever. We serialise appends with a transaction-scoped advisory lock taken just before the
insert, so the id order equals the commit order. SQLite serialises every writing transaction.
"""

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise import fields
from tortoise.models import Model
from tortoise.transactions import in_transaction

# Any constant shared by all processes; "hook" in ASCII.
EVENT_APPEND_LOCK = 0x686F6F6B


class Event(Model):
    # Ids are handed out in commit order (see append_events).
    id = fields.BigIntField(primary_key=True)
    type = fields.CharField(max_length=64)
    company_id = fields.CharField(max_length=32)
    project_id = fields.CharField(max_length=32)
    user_id = fields.CharField(max_length=32, null=True)
    previous_value = fields.JSONField(null=True)
    current_value = fields.JSONField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    # Names as they were when the event happened, for payloads people map by name (EventNames);
    # null on events stored before names were recorded.
    company_name = fields.CharField(max_length=255, null=True)
    project_name = fields.CharField(max_length=255, null=True)
    user_name = fields.CharField(max_length=255, null=True)
    user_email = fields.CharField(max_length=320, null=True)

    class Meta:
        table = "event"
        app = "models"
        indexes = (("project_id", "id"),)


class StreamCursor(Model):
    """Where a named consumer (the bridge) is in the event log."""

    # Also the retention horizon (PURGED_THROUGH), and a named counter kept in the same small
    # table (models.webhooks.routing_version).

    name = fields.CharField(primary_key=True, max_length=64)
    event_id = fields.BigIntField(default=0)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "stream_cursor"
        app = "models"


# Every event with an id up to this one may have been purged by retention.
PURGED_THROUGH = "events-purged-through"


@dataclass(frozen=True)
class EventNames:
    """The names of an event's company, project and actor when it happened. Stored with the
    event rather than looked up when a delivery is sent: every retry of a delivery carries the
    same body, and sending costs no query per name."""

    company: str | None = None
    project: str | None = None
    user: str | None = None
    email: str | None = None

    @classmethod
    def of(cls, row: Any) -> "EventNames":
        """From the event table's columns (a row of raw SQL)."""
        return cls(row["company_name"], row["project_name"], row["user_name"], row["user_email"])


@dataclass(frozen=True)
class NewEvent:
    type: str
    company_id: str
    project_id: str
    user_id: str | None
    previous_value: Any
    current_value: Any
    names: EventNames = EventNames()


async def append_events(events: Sequence[NewEvent]) -> list[Event]:
    """Insert events; call inside the transaction that made the change they describe."""
    if not events:
        return []
    connection = Event._meta.db
    if connection.capabilities.dialect == "postgres":
        await connection.execute_query("SELECT pg_advisory_xact_lock($1)", [EVENT_APPEND_LOCK])
    return [
        await Event.create(
            type=e.type,
            company_id=e.company_id,
            project_id=e.project_id,
            user_id=e.user_id,
            previous_value=e.previous_value,
            current_value=e.current_value,
            company_name=e.names.company,
            project_name=e.names.project,
            user_name=e.names.user,
            user_email=e.names.email,
        )
        for e in events
    ]


async def latest_id() -> int:
    """The id of the newest event, 0 when there is none."""
    last = await Event.all().order_by("-id").limit(1).values_list("id", flat=True)
    return int(last[0]) if last else 0


async def purged_through() -> int:
    """The retention horizon: events with ids up to this may be gone; a reader resuming
    after an earlier id would miss some (CURSOR_EXPIRED)."""
    found = await StreamCursor.get_or_none(name=PURGED_THROUGH)
    return found.event_id if found else 0


async def purge(before: datetime, below: int, batch: int) -> int:
    """Delete up to `batch` of the oldest events created before `before` with ids below
    `below`, and move the horizon past them in the same transaction. Returns how many.

    Walks the primary key from the oldest id, so each call is a short indexed transaction
    that holds no lock for long, whatever the size of the log.
    """
    oldest = (
        await Event.filter(id__lt=below).order_by("id").limit(batch).values_list("id", "created_at")
    )
    # Up to the first one too young: ids follow time.
    ids = [i for i, _ in itertools.takewhile(lambda row: row[1] < before, oldest)]
    if not ids:
        return 0
    last = ids[-1]
    async with in_transaction():
        updated = await StreamCursor.filter(name=PURGED_THROUGH, event_id__lt=last).update(
            event_id=last
        )
        if not updated:
            await StreamCursor.get_or_create(name=PURGED_THROUGH, defaults={"event_id": last})
        await Event.filter(id__lte=last).delete()
    return len(ids)
