"""One transaction per mutation: change rows, append their events, announce after commit;
and the one way to announce changes of webhooks and access."""

import dataclasses
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from strawberry.types import Info
from tortoise.models import Model
from tortoise.transactions import in_transaction

from events.announcement import Announcement
from events.log import EventNames, NewEvent, append_events
from models.accounts import Company, User
from models.tracker import Project
from models.webhooks import bump_routing_version
from resolvers.authz import context_of, principal
from resolvers.context import Announcer
from schema.errors import NotFound


class Changes:
    """Events a mutation causes, collected while it changes rows."""

    def __init__(self, actor: str | None) -> None:
        self.actor = actor
        self.pending: list[NewEvent] = []

    def emit(self, event: str, project: Project, previous: Any, current: Any) -> None:
        names = EventNames(project=project.name)
        self.pending.append(
            NewEvent(event, project.company_id, project.id, self.actor, previous, current, names)
        )

    async def named(self) -> list[NewEvent]:
        """The pending events with the names of their company and actor, read once for all."""
        if not self.pending:
            return []
        companies = {e.company_id for e in self.pending}
        company_names = dict(await Company.filter(id__in=companies).values_list("id", "name"))
        actor = await User.get_or_none(id=self.actor) if self.actor is not None else None
        return [
            dataclasses.replace(
                e,
                names=dataclasses.replace(
                    e.names,
                    company=company_names.get(e.company_id),
                    user=actor.name if actor is not None else None,
                    email=actor.email if actor is not None else None,
                ),
            )
            for e in self.pending
        ]


M = TypeVar("M", bound=Model)


async def current(row: M) -> M:
    """`row` read again inside the mutation's transaction, locked until it commits (PostgreSQL;
    an SQLite transaction holds the only connection). Edits decide their change and its events
    from this, not from the copy read while authorising: saving that copy undid whatever a
    concurrent mutation had committed since, and the events no longer described what is
    stored."""
    fresh = await type(row).filter(pk=row.pk).select_for_update().first()
    if fresh is None:  # deleted meanwhile
        raise NotFound(type(row).__name__, str(row.pk))
    return fresh


@asynccontextmanager
async def change(info: Info) -> AsyncIterator[Changes]:
    changes = Changes(principal(info).user_id)
    async with in_transaction():
        yield changes
        await append_events(await changes.named())
    if changes.pending:
        context_of(info).services.announcer.announce(Announcement.EVENTS)


async def routing_changed(
    info: Info, *kinds: Announcement, webhook_ids: Collection[str] = ()
) -> None:
    """After a committed change to webhooks (WEBHOOKS, naming them in `webhook_ids` where
    known), to who may read what (ACCESS) or to tokens (TOKENS): count it for processes that
    compare the stored version, and announce it to every process, so each cache built on it
    reads it again."""
    await announce_routing_change(
        context_of(info).services.announcer, *kinds, webhook_ids=webhook_ids
    )


async def announce_routing_change(
    announcer: Announcer, *kinds: Announcement, webhook_ids: Collection[str] = ()
) -> None:
    """The one place such changes go out (resolvers, and the CLI with whatever bus it has):
    counted first, so a process that misses the announcement finds the count moved
    (events.watch). The count records what changed: the webhooks named (the bridge index
    reloads only those), access (ACCESS, TOKENS: everyone's coverage is read again), or, for
    WEBHOOKS without names, something unknown (everything is read again)."""
    await bump_routing_version(
        webhook_ids=webhook_ids, access=any(k is not Announcement.WEBHOOKS for k in kinds)
    )
    for kind in kinds:
        announcer.announce(kind)
