"""Event streams: replay after a cursor, then live; only projects the subscriber belongs to.

Each field checks its arguments and the caller's access before its stream starts, so a bad
request fails as an operation error (located at the field, nothing streamed). An error while
streaming (SUBSCRIBER_TOO_SLOW) ends the stream with a located GraphQL error.
"""

import asyncio
import json
import weakref
from collections import OrderedDict
from collections.abc import AsyncGenerator, Callable, Collection, Hashable
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar

import strawberry
from graphql import ExecutionResult, GraphQLError
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types import Info

from events.log import Event as EventRow
from events.log import latest_id, purged_through
from events.tail import Recheck
from models import access, ids
from models.access import Coverage
from models.event_types import COMMENT_STREAM, TODO_LIST_STREAM, TODO_STREAM, EventType
from models.tracker import Project as ProjectRow
from resolvers.authz import context_of, principal, refusal, user_id
from resolvers.context import EventFeed, Principal
from resolvers.quotas import hold_subscription
from schema.enums import WebhookEvent
from schema.errors import ApiError, BadUserInput, CursorExpired, NotFound, Unauthenticated
from schema.events import Event

MAX_CURSOR = 2**63 - 1  # event ids are BIGINT
SHARED_EVENTS = 256


def parse_cursor(after: str | None) -> int | None:
    if after is None:
        return None
    if not after.isascii() or not after.isdigit() or int(after) > MAX_CURSOR:
        raise BadUserInput(f"after must be an event id, got {after!r}", field="after")
    return int(after)


class _Access:
    """The caller's token and roles, checked again whenever access may have changed (the
    feed's epoch moves on membership changes and token revocations), and the token's expiry
    before every event, since no one announces that.

    The subscriptions of one user share each look-up: after a membership change, a thousand
    subscriptions cost one query per user, not one per subscription (token look-ups are shared
    by the authenticator's cache the same way).
    """

    # Per feed: (access epoch, user id → look-up at that epoch).
    _lookups: ClassVar[
        "weakref.WeakKeyDictionary[EventFeed, tuple[int, dict[str, asyncio.Task[Coverage]]]]"
    ] = weakref.WeakKeyDictionary()

    def __init__(self, info: Info, feed: EventFeed) -> None:
        self.info = info
        self.feed = feed
        self.epoch = -1
        self.coverage = Coverage()

    @property
    def stale(self) -> bool:
        return self.epoch != self.feed.access_epoch

    async def refresh(self) -> None:
        """Authenticate again and look the roles up again, or share the user's look-up at
        this epoch. Raises Unauthenticated once the token is revoked."""
        # Take the epoch first: a change during the look-up makes it stale again.
        self.epoch = self.feed.access_epoch
        await context_of(self.info).authenticate()
        epoch, lookups = self._lookups.get(self.feed, (-1, {}))
        if epoch != self.epoch:
            epoch, lookups = self._lookups[self.feed] = (self.epoch, {})
        uid = user_id(self.info)
        task = lookups.get(uid)
        if task is None:
            task = lookups[uid] = asyncio.create_task(access.coverage(uid))
            task.add_done_callback(lambda done: _forget_failed(done, lookups, uid))
        # Shielded: one subscriber going away must not cancel the others' look-up.
        self.coverage = await asyncio.shield(task)

    def allows(self, row: EventRow) -> bool:
        """Whether this event may be sent: raises Unauthenticated once the token expired."""
        caller = principal(self.info)
        if caller.expires_at is not None:
            refusal = caller.refusal_at(datetime.now(UTC))
            if refusal is not None:
                raise Unauthenticated(refusal.message)
        return self.coverage.covers(row.company_id, row.project_id)


def _forget_failed(task: asyncio.Task[Any], lookups: dict[str, Any], key: str) -> None:
    """A failed look-up is not kept: the next event of that user tries again."""
    if task.cancelled() or task.exception() is not None:
        lookups.pop(key, None)


async def open_stream(
    info: Info,
    project_ids: Collection[str] | None,
    types: Collection[str],
    after: str | None,
) -> AsyncGenerator[Event, None]:
    """Check the request, then return the stream of events the caller may see."""
    caller = principal(info)
    # A place among the token's open subscriptions comes first: a refusal costs no query.
    release = hold_subscription(info)
    try:
        stream = await _checked_stream(info, caller, project_ids, types, after, release)
    except BaseException:
        release()
        raise
    weakref.finalize(stream, release)  # also when the stream is dropped before it starts
    return stream


async def _checked_stream(
    info: Info,
    caller: Principal,
    project_ids: Collection[str] | None,
    types: Collection[str],
    after: str | None,
    release: Callable[[], None],
) -> AsyncGenerator[Event, None]:
    cursor = parse_cursor(after)
    feed = context_of(info).services.feed
    wanted = frozenset(project_ids) if project_ids else None
    reader = None
    if not caller.is_system:
        reader = _Access(info, feed)
        await reader.refresh()
        if wanted is not None:
            known = ProjectRow.filter(id__in=ids.possible(wanted))
            companies = dict(await known.values_list("id", "company_id"))
            for project_id in sorted(wanted):
                company_id = companies.get(project_id)
                if company_id is None:
                    raise NotFound("Project", project_id)
                if not reader.coverage.covers(company_id, project_id):
                    raise refusal(reader.coverage, company_id, NotFound("Project", project_id))
    if cursor is None:  # from now on
        cursor = await latest_id()
    elif cursor < (horizon := await purged_through()):
        raise CursorExpired(cursor, horizon)
    return _stream(info, feed, cursor, frozenset(types), wanted, reader, release)


async def _stream(
    info: Info,
    feed: EventFeed,
    cursor: int,
    types: frozenset[str],
    wanted: frozenset[str] | None,
    reader: _Access | None,
    release: Callable[[], None],
) -> AsyncGenerator[Event, None]:
    try:
        async with feed.follow(cursor) as rows:
            async for row in rows:
                if isinstance(row, Recheck):  # access changed: a revoked token ends here
                    if reader is not None and reader.stale:
                        await reader.refresh()
                    continue
                if row.type not in types:
                    continue
                if wanted is not None and row.project_id not in wanted:
                    continue
                if reader is not None:
                    if reader.stale:
                        await reader.refresh()
                    if not reader.allows(row):
                        continue
                yield Event.from_row(row)
    except ApiError as exc:
        # Raised outside field execution: give it the field's path, keep its code.
        raise GraphQLError(exc.message, path=info.path.as_list(), original_error=exc) from exc
    finally:
        release()


class StreamExecutor(StrawberryGraphQLCoreExecutionContext):
    """Executes each streamed Event once per distinct operation, not once per subscriber.

    Subscribers whose operation (text, name and variables) is the same share one result for an
    event: with many subscribers, running the selection for each was most of the fan-out cost.
    This holds because no field of Event depends on who asks (keep it so, or stop sharing).
    Events are immutable, so a result is keyed by the event; the last SHARED_EVENTS are kept.
    Each event also gets a fresh memo of collected subfields: graphql-core 3.3.2 gives every
    per-event copy the subscription's memo, keyed by lists that are new for each event, so it
    grew by every event for as long as a subscription lived.
    """

    _results: ClassVar[OrderedDict[Hashable, dict[Hashable, ExecutionResult]]] = OrderedDict()
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
        key = self._share_key
        if key is None:  # not a streamed Event
            return super().execute_operation(serially)
        event: Event = self.root_value
        # The project id (random) keeps events of different databases apart, as in tests.
        event_key = (event.id, event.project_id, event.created_at)
        shared = self._results.get(event_key)
        if shared is None:
            shared = self._results[event_key] = {}
            if len(self._results) > SHARED_EVENTS:
                self._results.popitem(last=False)
        result = shared.get(key)
        if result is None:
            result = super().execute_operation(serially)
            if isinstance(result, ExecutionResult):  # not an awaitable: shareable as is
                shared[key] = result
        return result


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


# Arguments several streams share, described once.
After = Annotated[
    str | None,
    strawberry.argument(
        description=(
            "Resume after this event id (an Event's `id`); omit to start with the next event."
        )
    ),
]
OneProject = Annotated[
    str | None, strawberry.argument(description="Only this project; omit for all yours.")
]


@strawberry.type(
    description=(
        "Live event streams (graphql-transport-ws, graphql-ws or SSE). Each "
        "shows only events of projects you are a member of; `after` replays "
        "the stored events after that cursor first, then continues live with "
        "no gap and no duplicate."
    )
)
class Subscription:
    @strawberry.subscription(description="Every event you may see, optionally narrowed.")
    async def events(
        self,
        info: Info,
        project_ids: Annotated[
            list[str] | None,
            strawberry.argument(
                description="Only these projects (each one you are a member of); omit for all."
            ),
        ] = None,
        events: Annotated[
            list[WebhookEvent] | None,
            strawberry.argument(description="Only these events; omit for all."),
        ] = None,
        after: After = None,
    ) -> AsyncGenerator[Event, None]:
        return await open_stream(info, project_ids, _types(events, EventType, "events"), after)

    @strawberry.subscription(
        description=(
            "Events of todos: the record, its assignees, tags, custom fields and "
            "checklists (TODO_*, not TODO_LIST_*)."
        )
    )
    async def todo_events(
        self,
        info: Info,
        project_id: OneProject = None,
        events: Annotated[
            list[WebhookEvent] | None,
            strawberry.argument(description="Only these TODO_* events; omit for all."),
        ] = None,
        after: After = None,
    ) -> AsyncGenerator[Event, None]:
        projects = [project_id] if project_id else None
        types = _types(events, TODO_STREAM, "todoEvents")
        return await open_stream(info, projects, types, after)

    @strawberry.subscription(description="COMMENT_CREATED, COMMENT_UPDATED and COMMENT_DELETED.")
    async def comment_events(
        self,
        info: Info,
        project_id: OneProject = None,
        after: After = None,
    ) -> AsyncGenerator[Event, None]:
        projects = [project_id] if project_id else None
        return await open_stream(info, projects, COMMENT_STREAM, after)

    @strawberry.subscription(
        description="TODO_LIST_CREATED, TODO_LIST_NAME_CHANGED and TODO_LIST_DELETED."
    )
    async def todo_list_events(
        self,
        info: Info,
        project_id: OneProject = None,
        after: After = None,
    ) -> AsyncGenerator[Event, None]:
        projects = [project_id] if project_id else None
        return await open_stream(info, projects, TODO_LIST_STREAM, after)
