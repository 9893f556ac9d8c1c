"""The typed context every resolver receives, and the seams it depends on.

The app (hookline/) builds Services once in its lifespan and a Context per request or socket;
resolvers see only these Protocols, never the concrete bus, feed or dispatcher.
"""

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from events.announcement import Announcement
from events.log import Event
from events.tail import Recheck
from models.access import Coverage
from models.portal import PortalScope


@dataclass(frozen=True)
class Refusal:
    """Credentials were presented and refused; the message says why (e.g. expired)."""

    message: str


@dataclass(frozen=True)
class Principal:
    """Who is calling. The system principal (the bridge) may read every project. A portal
    session acts as the user who created it, narrowed to its scope and to webhook operations
    (resolvers.portal_gate, and the scope checks of resolvers.webhook_rules)."""

    user_id: str | None
    company_hint: str | None = None
    is_system: bool = False
    token_id: str | None = None  # what rates and quotas per token count (a portal session's too)
    portal: PortalScope | None = None
    expires_at: datetime | None = None  # of the token (or portal session) it came with

    def refusal_at(self, now: datetime) -> Refusal | None:
        """Why this principal may no longer act at `now`: its token has expired. Checked at
        authentication and before each streamed event, since expiry is announced by no one."""
        if self.expires_at is not None and now >= self.expires_at:
            return Refusal(
                f"Token expired at {self.expires_at.isoformat()}: create a new one "
                "(createApiToken or `hookline token create`)"
            )
        return None


SYSTEM = Principal(user_id=None, is_system=True)


class Authenticator(Protocol):
    async def authenticate(self, credentials: Mapping[str, object]) -> Principal | Refusal:
        """The principal the credentials (headers or a connection_init payload) belong to
        now; or why there is none: no token, a malformed, unknown, revoked or expired one."""


class Announcer(Protocol):
    def announce(self, kind: Announcement = Announcement.EVENTS) -> None:
        """Tell every process (this one at once) what changed."""


class EventFeed(Protocol):
    access_epoch: int  # bumped whenever who may read which project may have changed

    def follow(self, after: int) -> AbstractAsyncContextManager[AsyncIterator[Event | Recheck]]:
        """Every event with id > after, in id order: stored ones first, then live ones; and
        RECHECK whenever access may have changed."""


class WebhookSender(Protocol):
    async def send_now(self, delivery_id: str) -> None:
        """Make one attempt of a delivery at once and record it."""


class Rate(StrEnum):
    """Rates counted over time, shared by every process (hookline.ratelimit)."""

    REQUESTS = "requests"  # operations, per token
    ANONYMOUS = "anonymous"  # requests and refused connections without a valid token, per address
    TEST_WEBHOOK = "test_webhook"  # sends on demand, per webhook
    TEST_WEBHOOK_PER_TOKEN = "test_webhook_per_token"  # sends on demand, per token
    CONNECTIONS = "connections"  # WebSockets accepted, per token


class Quota(StrEnum):
    """Things held open at once, counted in each process."""

    CONNECTIONS = "connections"  # per token
    SUBSCRIPTIONS = "subscriptions"  # per token
    PENDING_CONNECTIONS = "pending_connections"  # sockets not yet authenticated, per address
    WAITING_REQUESTS = "waiting_requests"  # HTTP requests waiting for a turn, per token


class Limiter(Protocol):
    async def hit(self, rate: Rate, key: str) -> None:
        """Count one against `key`'s rate; raise RateLimited (nothing counted) when spent."""

    def occupy(self, quota: Quota, key: str) -> Callable[[], None]:
        """Hold one place of `key`'s quota, or raise RateLimited when all are held; returns
        the release (safe to call twice)."""

    def turn(self, key: str) -> AbstractAsyncContextManager[None]:
        """Wait until fewer than the most operations of this token run, and run one."""

    def may_wait(self, key: str) -> None:
        """Raise RateLimited when so many of this token's requests wait for a turn already."""

    def aside(self) -> AbstractAsyncContextManager[None]:
        """Lend the running operation's turn to its token's next while waiting on another
        host; take it back after."""


@dataclass(frozen=True)
class WebhookPolicy:
    max_enabled_per_company: int = 50
    allow_private_urls: bool = False
    delivery_retention_days: float = 30.0


@dataclass(frozen=True)
class Services:
    announcer: Announcer
    feed: EventFeed
    policy: WebhookPolicy = WebhookPolicy()
    sender: WebhookSender | None = None
    limiter: Limiter | None = None  # None: nothing is limited (the bridge's own schema runs)
    public_url: str | None = None  # where browsers reach this service, for portal links
    authenticator: Authenticator | None = None  # needed by contexts that carry credentials


@dataclass
class Context:
    services: Services
    principal: Principal | None = None
    # Why principal is None (no token, unknown token, …), for the UNAUTHENTICATED message.
    auth_problem: str | None = None
    request: Any = None
    # Strawberry's sub-response of an HTTP request: a refusal sets its status and headers.
    response: Any = None
    # Set by Strawberry from a WebSocket's connection_init payload.
    connection_params: dict[str, Any] | None = None
    # What the caller presented (request headers, or the accepted connection_init payload).
    # The principal is derived from it again at the start of every operation and at each
    # streamed access check (authenticate), so a WebSocket opened with a token later revoked
    # or expired loses its rights. None for contexts built with a fixed principal (the
    # bridge's SYSTEM, tests).
    credentials: Mapping[str, object] | None = None
    # The caller's roles, read once per operation (resolvers.authz.coverage); cleared at the
    # start of every operation, so an operation on a long-lived WebSocket sees current roles.
    coverage: Coverage | None = None

    async def authenticate(self) -> None:
        """Derive principal (or refusal) from the credentials as the tokens stand now."""
        if self.credentials is None:
            return
        assert self.services.authenticator is not None, "credentials need an authenticator"
        verdict = await self.services.authenticator.authenticate(self.credentials)
        self.principal = verdict if isinstance(verdict, Principal) else None
        self.auth_problem = verdict.message if isinstance(verdict, Refusal) else None
