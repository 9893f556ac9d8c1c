"""The typed context every resolver receives, and the seams it depends on.

The app (hookline/) builds Services once in its lifespan and a Context per request or socket;
resolvers see only these Protocols, never the concrete bus, feed or dispatcher.
"""

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from events.announcement import Announcement
from events.log import Event
from models.access import Coverage


@dataclass(frozen=True)
class Principal:
    """Who is calling. The system principal (the bridge) may read every project."""

    user_id: str | None
    company_hint: str | None = None
    is_system: bool = False


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


@dataclass
class Context:
    services: Services
    principal: Principal | None = None
    # Why principal is None (no token, unknown token, …), for the UNAUTHENTICATED message.
    auth_problem: str | None = None
    request: Any = None
    # Set by Strawberry from a WebSocket's connection_init payload.
    connection_params: dict[str, Any] | None = None
    # The caller's roles, read once per operation (resolvers.authz.coverage); cleared at the
    # start of every operation, so an operation on a long-lived WebSocket sees current roles.
    coverage: Coverage | None = None
