"""`hookline trigger EVENT`: cause one real event of that type through the public mutations.

It first makes what the event needs (a list, a todo, a tag, a custom field, a checklist, an
item, a comment…), then makes the change that causes EVENT, printing each step with the events
it caused. Nothing is simulated: the events are committed like any user's, so every subscriber,
webhook and `hookline listen` sees them, filtered by the same rules.
"""

import functools
from collections.abc import Callable

import aiohttp

from hookline.local.maker import Maker
from hookline.local.recipes import RECIPES
from hookline.local.remote import Server, UsageError, current_user_id, graphql
from models.event_types import EventType


def event_type(name: str) -> EventType:
    try:
        return EventType(name.strip().upper())
    except ValueError:
        raise UsageError(f"unknown event {name!r}; one of: {', '.join(EventType)}") from None


async def trigger(
    server: Server, project_id: str, event: EventType, say: Callable[[str], None]
) -> None:
    async with aiohttp.ClientSession(trust_env=True) as session:
        me = await current_user_id(session, server)
        call = functools.partial(graphql, session, server)
        await RECIPES[event](Maker(call, project_id, me, say))
