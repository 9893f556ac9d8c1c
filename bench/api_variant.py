"""`hookline serve --no-bridge` with the event log's write ordering swapped, for bench_writes.

    python bench/api_variant.py VARIANT PORT

horizon  the product: no lock; ids from the writer's transaction id, read below the horizon
lock     the earlier design: a sequence id taken under one global transaction advisory lock
none     a sequence id and nothing else — the ceiling; a reader could miss events, never ship it
"""

import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import resolvers.emit
from events.log import Event, NewEvent
from hookline.cli import main

# The constant the earlier design locked on; "hook" in ASCII.
EVENT_APPEND_LOCK = 0x686F6F6B


def _sequenced(locked: bool):  # type: ignore[no-untyped-def]
    async def append(events: Sequence[NewEvent]) -> list[Event]:
        if events and locked:
            await Event._meta.db.execute_query(
                "SELECT pg_advisory_xact_lock($1)", [EVENT_APPEND_LOCK]
            )
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

    return append


if __name__ == "__main__":
    variant, port = sys.argv[1], sys.argv[2]
    if variant != "horizon":
        resolvers.emit.append_events = _sequenced(locked=variant == "lock")
    sys.exit(main(["serve", "--no-bridge", "--port", port]))
