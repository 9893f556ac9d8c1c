"""Every one of the 37 event types: the mutation that causes it writes exactly that event,
with row-shaped previous/current values, in the same transaction as the change."""

import asyncio

import pytest

from models.event_types import EventType
from tests.scenarios import SCENARIOS
from tests.tracker import Tracker


def test_every_event_type_has_a_scenario() -> None:
    assert set(SCENARIOS) == {e.value for e in EventType}
    assert len(SCENARIOS) == 37


@pytest.mark.parametrize("event", sorted(SCENARIOS))
async def test_mutation_writes_its_event(event: str, gql, owner) -> None:
    await SCENARIOS[event](Tracker(gql, owner.project_id), owner.user_id)


async def test_concurrent_toggles_are_two_changes(gql, owner) -> None:
    """Two toggles at once: done goes False → True → False, never True twice."""
    tracker = Tracker(gql, owner.project_id)
    todo = await tracker.todo()
    cursor = await tracker.cursor()
    query = "mutation($t:String!){updateTodoDoneStatus(todoId:$t){done}}"
    await asyncio.gather(gql(query, {"t": todo}), gql(query, {"t": todo}))
    events = await tracker.events_since(cursor)
    assert [(e.previous_value["done"], e.current_value["done"]) for e in events] == [
        (False, True),
        (True, False),
    ]
