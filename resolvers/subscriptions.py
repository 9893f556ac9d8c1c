"""Event streams: replay after a cursor, then live; only projects the subscriber belongs to."""

from collections.abc import AsyncGenerator, Collection

import strawberry
from strawberry.types import Info

from models.event_types import COMMENT_STREAM, TODO_LIST_STREAM, TODO_STREAM, EventType
from models.events import Event as EventRow
from resolvers.authz import context_of, member_project_ids, principal
from schema.enums import WebhookEvent
from schema.errors import BadUserInput, Forbidden
from schema.events import Event


def parse_cursor(after: str | None) -> int | None:
    if after is None:
        return None
    if not after.isdigit() or len(after) > 19:
        raise BadUserInput(f"after must be an event id, got {after!r}", field="after")
    return int(after)


async def _start(after: str | None) -> int:
    cursor = parse_cursor(after)
    if cursor is not None:
        return cursor
    last = await EventRow.all().order_by("-id").first()
    return last.id if last else 0


async def stream(
    info: Info,
    project_ids: Collection[str] | None,
    types: Collection[str] | None,
    after: str | None,
) -> AsyncGenerator[Event, None]:
    """Events the caller may see, narrowed to project_ids and types when given."""
    caller = principal(info)
    feed = context_of(info).services.feed
    wanted = set(project_ids) if project_ids else None
    epoch, allowed = -1, set[str]()

    async def refresh() -> set[str]:
        if caller.is_system:
            return set()
        members = set(await member_project_ids(info))
        return members

    if not caller.is_system:
        epoch, allowed = feed.membership_epoch, await refresh()
        if wanted and not wanted <= allowed:
            raise Forbidden("You are not a member of every project in projectIds")
    start = await _start(after)
    async with feed.follow(start) as events:
        async for row in events:
            if types is not None and row.type not in types:
                continue
            if wanted is not None and row.project_id not in wanted:
                continue
            if not caller.is_system:
                if feed.membership_epoch != epoch:
                    epoch, allowed = feed.membership_epoch, await refresh()
                if row.project_id not in allowed:
                    continue
            yield Event.from_row(row)


def _types(events: list[WebhookEvent] | None, stream_types: Collection[str]) -> set[str]:
    if not events:
        return set(stream_types)
    return {e.value for e in events} & set(stream_types)


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def events(
        self,
        info: Info,
        project_ids: list[str] | None = None,
        events: list[WebhookEvent] | None = None,
        after: str | None = None,
    ) -> AsyncGenerator[Event, None]:
        async for event in stream(info, project_ids, _types(events, EventType), after):
            yield event

    @strawberry.subscription
    async def todo_events(
        self,
        info: Info,
        project_id: str | None = None,
        events: list[WebhookEvent] | None = None,
        after: str | None = None,
    ) -> AsyncGenerator[Event, None]:
        projects = [project_id] if project_id else None
        async for event in stream(info, projects, _types(events, TODO_STREAM), after):
            yield event

    @strawberry.subscription
    async def comment_events(
        self, info: Info, project_id: str | None = None, after: str | None = None
    ) -> AsyncGenerator[Event, None]:
        projects = [project_id] if project_id else None
        async for event in stream(info, projects, COMMENT_STREAM, after):
            yield event

    @strawberry.subscription
    async def todo_list_events(
        self, info: Info, project_id: str | None = None, after: str | None = None
    ) -> AsyncGenerator[Event, None]:
        projects = [project_id] if project_id else None
        async for event in stream(info, projects, TODO_LIST_STREAM, after):
            yield event
