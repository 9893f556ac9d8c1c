"""The event log: one row per change, appended inside the change's transaction.

Its id is the cursor of subscribers and of the bridge, so ids must follow commit order. On
PostgreSQL a sequence hands out ids at insert time, not at commit: a transaction holding id 41
may commit after one holding 42, and a reader that already asked for `id > 41` would skip 41
for ever. We serialise appends with a transaction-scoped advisory lock taken just before the
insert, so the id order equals the commit order. SQLite serialises every writing transaction.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tortoise import fields
from tortoise.models import Model

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

    class Meta:
        table = "event"
        app = "models"
        indexes = (("project_id", "id"),)


@dataclass(frozen=True)
class NewEvent:
    type: str
    company_id: str
    project_id: str
    user_id: str | None
    previous_value: Any
    current_value: Any


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
        )
        for e in events
    ]


async def latest_id() -> int:
    """The id of the newest event, 0 when there is none."""
    last = await Event.all().order_by("-id").limit(1).values_list("id", flat=True)
    return int(last[0]) if last else 0
