"""The event log: one row per change, appended inside the change's transaction.

Its id is the cursor of subscribers and of the bridge, so a reader must never find a lower id
appear behind one it has already read. On PostgreSQL a sequence hands out ids at insert time,
not at commit, so a transaction holding id 41 could commit after one holding 42. Rather than
serialise every writer on one lock (all tenants' writes queued on it), an event's id is its
transaction's id (pg_current_xact_id) shifted left by TRANSACTION_BITS, plus its number within
the transaction; readers take only ids below the snapshot horizon — the oldest transaction still
running (pg_snapshot_xmin). Every transaction below the horizon has ended, and any that commits
later has a higher transaction id, so nothing ever appears below an id a reader has passed.
The cost: ids follow the order in which transactions first wrote, not the order in which they
committed, and a long write transaction anywhere on the server holds every reader back until
it ends. SQLite serialises every writing transaction; its ids are a plain autoincrement.
"""

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise import fields
from tortoise.models import Model
from tortoise.transactions import in_transaction

# Events one transaction may append; ids stay below 2**63 for transaction ids below 2**47.
TRANSACTION_BITS = 16
PER_TRANSACTION = 1 << TRANSACTION_BITS

# The first id of this transaction's range, and the last one it has used so far.
_PG_ID_RANGE = f"""
SELECT r.base, (SELECT max(id) FROM event WHERE id >= r.base AND id < r.base + {PER_TRANSACTION})
  AS used
FROM (SELECT pg_current_xact_id()::text::bigint << {TRANSACTION_BITS} AS base) AS r
"""
# Ids below this belong to transactions that have all ended (committed or rolled back).
_PG_HORIZON = (
    f"SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint << {TRANSACTION_BITS} AS h"
)


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
    ids: list[int | None] = [None] * len(events)
    connection = Event._meta.db
    if connection.capabilities.dialect == "postgres":
        _, rows = await connection.execute_query(_PG_ID_RANGE)
        base, used = rows[0]["base"], rows[0]["used"]
        first = base if used is None else used + 1
        if first + len(events) > base + PER_TRANSACTION:
            raise ValueError(f"a transaction may append at most {PER_TRANSACTION} events")
        ids = list(range(first, first + len(events)))
    return [
        await Event.create(
            **({} if event_id is None else {"id": event_id}),
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
        for event_id, e in zip(ids, events, strict=True)
    ]


async def horizon() -> int | None:
    """Readers take only events with ids below this: every transaction that could still add
    a lower id has ended. None where writers are serialised (SQLite): every id is final."""
    connection = Event._meta.db
    if connection.capabilities.dialect != "postgres":
        return None
    _, rows = await connection.execute_query(_PG_HORIZON)
    return int(rows[0]["h"])


def readable(after: int, below: int | None) -> Any:
    """The query of events after a cursor, below the horizon, in id order."""
    query = Event.filter(id__gt=after)
    if below is not None:
        query = query.filter(id__lt=below)
    return query.order_by("id")


async def latest_id() -> int:
    """The id of the newest event a reader may take (below the horizon), 0 when none."""
    last = await readable(0, await horizon()).order_by("-id").limit(1).values_list("id", flat=True)
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
