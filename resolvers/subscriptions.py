"""Event streams: replay after a cursor, then live; only projects the subscriber belongs to.

Each field checks its arguments and the caller's access before its stream starts, so a bad
request fails as an operation error (located at the field, nothing streamed). An error while
streaming (SUBSCRIBER_TOO_SLOW) ends the stream with a located GraphQL error.
"""

import json
import weakref
from collections.abc import AsyncGenerator, Collection, Hashable
from typing import Any, ClassVar

import strawberry
from graphql import ExecutionResult, GraphQLError
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types import Info

from models.event_types import COMMENT_STREAM, TODO_LIST_STREAM, TODO_STREAM, EventType
from models.events import Event as EventRow
from resolvers.authz import context_of, member_project_ids, principal
from resolvers.context import EventFeed
from schema.enums import WebhookEvent
from schema.errors import ApiError, BadUserInput, Forbidden
from schema.events import Event

MAX_CURSOR = 2**63 - 1  # event ids are BIGINT


def parse_cursor(after: str | None) -> int | None:
    if after is None:
        return None
    if not after.isascii() or not after.isdigit() or int(after) > MAX_CURSOR:
        raise BadUserInput(f"after must be an event id, got {after!r}", field="after")
    return int(after)


class _Access:
    """The projects a user may read, re-read after every membership announcement."""

    def __init__(self, info: Info, feed: EventFeed) -> None:
        self.info = info
        self.feed = feed
        self.epoch = -1
        self.projects: frozenset[str] = frozenset()

    async def refresh(self) -> None:
        if self.epoch != self.feed.membership_epoch:
            # Read the epoch first: a change during the query triggers another refresh.
            self.epoch = self.feed.membership_epoch
            self.projects = frozenset(await member_project_ids(self.info))

    async def allows(self, project_id: str) -> bool:
        await self.refresh()
        return project_id in self.projects


async def open_stream(
    info: Info,
    project_ids: Collection[str] | None,
    types: Collection[str],
    after: str | None,
) -> AsyncGenerator[Event, None]:
    """Check the request, then return the stream of events the caller may see."""
    caller = principal(info)
    cursor = parse_cursor(after)
    feed = context_of(info).services.feed
    wanted = frozenset(project_ids) if project_ids else None
    access = None
    if not caller.is_system:
        access = _Access(info, feed)
        await access.refresh()
        if wanted is not None and not wanted <= access.projects:
            raise Forbidden("You are not a member of every project in projectIds")
    if cursor is None:  # from now on
        cursor = await _latest_id()
    return _stream(info, feed, cursor, frozenset(types), wanted, access)


async def _stream(
    info: Info,
    feed: EventFeed,
    cursor: int,
    types: frozenset[str],
    wanted: frozenset[str] | None,
    access: _Access | None,
) -> AsyncGenerator[Event, None]:
    try:
        async with feed.follow(cursor) as rows:
            async for row in rows:
                if row.type not in types:
                    continue
                if wanted is not None and row.project_id not in wanted:
                    continue
                if access is not None and not await access.allows(row.project_id):
                    continue
                yield _shared_event(row)
    except ApiError as exc:
        # Raised outside field execution: give it the field's path, keep its code.
        raise GraphQLError(exc.message, path=info.path.as_list(), original_error=exc) from exc


# One GraphQL Event per row object: the tail hands every subscriber the same rows, so they all
# get the same Event, and StreamExecutor computes each selection of it once.
_events: "weakref.WeakKeyDictionary[EventRow, Event]" = weakref.WeakKeyDictionary()


def _shared_event(row: EventRow) -> Event:
    event = _events.get(row)
    if event is None:
        event = _events[row] = Event.from_row(row)
    return event


class StreamExecutor(StrawberryGraphQLCoreExecutionContext):
    """Executes each streamed Event once per distinct operation, not once per subscriber.

    Subscribers whose operation (text, name and variables) is the same share one result for an
    event: with many subscribers, running the selection for each was most of the fan-out cost.
    Each event also gets a fresh memo of collected subfields: graphql-core 3.3.2 gives every
    per-event copy the subscription's memo, keyed by lists that are new for each event, so it
    grew by every event for as long as a subscription lived.
    """

    _results: ClassVar["weakref.WeakKeyDictionary[Event, dict[Hashable, Any]]"] = (
        weakref.WeakKeyDictionary()
    )
    _share_key: Hashable | None = None

    def build_per_event_executor(self, payload: Any) -> "StreamExecutor":
        executor = super().build_per_event_executor(payload)
        executor._relevant_sub_fields = {}
        if isinstance(payload, Event):
            if self._share_key is None:
                self._share_key = self._operation_key()
            executor._share_key = self._share_key
        return executor

    def _operation_key(self) -> Hashable:
        source = self.operation.loc.source.body if self.operation.loc else None
        name = self.operation.name.value if self.operation.name else None
        variables = json.dumps(self.variable_values.coerced, sort_keys=True, default=repr)
        return (source, name, variables) if source is not None else id(self)

    def execute_operation(self, serially: bool | None = None) -> Any:
        key, event = self._share_key, self.root_value
        if key is None:  # not a streamed Event
            return super().execute_operation(serially)
        shared = self._results.setdefault(event, {})
        result = shared.get(key)
        if result is None:
            result = super().execute_operation(serially)
            if isinstance(result, ExecutionResult):  # not an awaitable: shareable as is
                shared[key] = result
        return result


async def _latest_id() -> int:
    last = await EventRow.all().order_by("-id").limit(1).values_list("id", flat=True)
    return int(last[0]) if last else 0


def _types(
    events: list[WebhookEvent] | None, stream_types: Collection[str], stream: str
) -> frozenset[str]:
    carried = frozenset(stream_types)
    if not events:
        return carried
    # Strawberry hands list items over as the enum's values (plain str), not as members.
    asked = frozenset(EventType(e).value for e in events)
    if not asked <= carried:
        outside = ", ".join(sorted(asked - carried))
        raise BadUserInput(f"{stream} does not carry {outside}", field="events")
    return asked


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
        return await open_stream(info, project_ids, _types(events, EventType, "events"), after)

    @strawberry.subscription
    async def todo_events(
        self,
        info: Info,
        project_id: str | None = None,
        events: list[WebhookEvent] | None = None,
        after: str | None = None,
    ) -> AsyncGenerator[Event, None]:
        projects = [project_id] if project_id else None
        types = _types(events, TODO_STREAM, "todoEvents")
        return await open_stream(info, projects, types, after)

    @strawberry.subscription
    async def comment_events(
        self, info: Info, project_id: str | None = None, after: str | None = None
    ) -> AsyncGenerator[Event, None]:
        projects = [project_id] if project_id else None
        return await open_stream(info, projects, COMMENT_STREAM, after)

    @strawberry.subscription
    async def todo_list_events(
        self, info: Info, project_id: str | None = None, after: str | None = None
    ) -> AsyncGenerator[Event, None]:
        projects = [project_id] if project_id else None
        return await open_stream(info, projects, TODO_LIST_STREAM, after)
