"""The typed context every resolver receives, and the seams it depends on.

The app (hookline/) builds Services once in its lifespan and a Context per request or socket;
resolvers see only these Protocols, never the concrete bus, feed or dispatcher.
"""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from events.announcement import Announcement
from events.log import Event
from models.access import Coverage
from models.portal import PortalScope


@dataclass(frozen=True)
class Principal:
    """Who is calling. The system principal (the bridge) may read every project. A portal
    session acts as the user who created it, narrowed to its scope and to webhook operations
    (resolvers.portal_gate, and the scope checks of resolvers.webhook_rules)."""

    user_id: str | None
    company_hint: str | None = None
    is_system: bool = False
    token_id: str | None = None  # what rates and quotas per token are counted by
    portal: PortalScope | None = None


SYSTEM = Principal(user_id=None, is_system=True)


class Announcer(Protocol):
    def announce(self, kind: Announcement = Announcement.EVENTS) -> None:
        """Tell every process (this one at once) what changed."""


class EventFeed(Protocol):
    access_epoch: int  # bumped whenever who may read which project may have changed

    def follow(self, after: int) -> AbstractAsyncContextManager[AsyncIterator[Event]]:
        """Every event with id > after, in id order: stored ones first, then live ones."""


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


class Limiter(Protocol):
    async def hit(self, rate: Rate, key: str) -> None:
        """Count one against `key`'s rate; raise RateLimited (nothing counted) when spent."""

    def occupy(self, quota: Quota, key: str) -> Callable[[], None]:
        """Hold one place of `key`'s quota, or raise RateLimited when all are held; returns
        the release (safe to call twice)."""

    def turn(self, key: str) -> AbstractAsyncContextManager[None]:
        """Wait until fewer than the most operations of this token run, and run one."""


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
    # The caller's roles, read once per operation (resolvers.authz.coverage); cleared at the
    # start of every operation, so an operation on a long-lived WebSocket sees current roles.
    coverage: Coverage | None = None
