"""Append events inside the caller's transaction, with ids in commit order.

On PostgreSQL a sequence hands out ids at insert time, not at commit: a transaction holding
id 41 may commit after one holding 42, and a reader that already asked for `id > 41` would
skip 41 for ever. We serialise appends with a transaction-scoped advisory lock taken just
before the insert, so the id order equals the commit order. SQLite serialises every writing
transaction already.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from models.events import Event

# Any constant shared by all processes; "hook" in ASCII.
EVENT_APPEND_LOCK = 0x686F6F6B


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
