"""One transaction per mutation: change rows, append their events, announce after commit."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from strawberry.types import Info
from tortoise.transactions import in_transaction

from models.event_log import NewEvent, append_events
from models.tracker import Project
from resolvers.authz import context_of, principal


class Changes:
    """Events a mutation causes, collected while it changes rows."""

    def __init__(self, actor: str | None) -> None:
        self.actor = actor
        self.pending: list[NewEvent] = []

    def emit(self, event: str, project: Project, previous: Any, current: Any) -> None:
        self.pending.append(
            NewEvent(event, project.company_id, project.id, self.actor, previous, current)
        )


@asynccontextmanager
async def change(info: Info) -> AsyncIterator[Changes]:
    changes = Changes(principal(info).user_id)
    async with in_transaction():
        yield changes
        await append_events(changes.pending)
    if changes.pending:
        context_of(info).services.announcer.announce()
