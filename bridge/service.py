"""The bridge as one unit the app starts and stops: matcher, dispatcher and housekeeping."""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import aiohttp

from bridge import metrics, queue, retention
from bridge.config import BridgeConfig
from bridge.dispatcher import Dispatcher
from bridge.index import WebhookIndex
from bridge.leader import Leadership
from bridge.matcher import Matcher
from bridge.urlguard import guarded_connector
from events.announcement import Announcement

logger = logging.getLogger("hookline.bridge")

HOUSEKEEPING_INTERVAL = 10.0


def client_session(config: BridgeConfig) -> aiohttp.ClientSession:
    """One pooled session per process, guarded at connect time, no proxies, no redirects, and
    no cookies: a cookie jar would send what one tenant's receiver set to every other webhook
    on that host."""
    connector = guarded_connector(
        allow_private=config.allow_private_urls,
        limit=config.max_in_flight,
        # Per-endpoint limits are the dispatcher's (per webhook); a request waiting here for a
        # connection would spend its timeout waiting.
        limit_per_host=0,
    )
    return aiohttp.ClientSession(
        connector=connector,
        trust_env=False,
        auto_decompress=False,
        cookie_jar=aiohttp.DummyCookieJar(),
    )


class Bridge:
    def __init__(
        self,
        config: BridgeConfig,
        session: aiohttp.ClientSession,
        *,
        schema: Any,
        context_factory: Callable[[], Any],
        announce: Callable[[Announcement], None],
        release_claims_on_start: bool,
        leadership: Leadership | None = None,
        check_routing_version: bool = False,
    ) -> None:
        self.config = config
        self.index = WebhookIndex(check_version=check_routing_version)
        self.announce = announce
        self.release_claims_on_start = release_claims_on_start
        self.dispatcher = Dispatcher(
            session, config, on_webhooks_disabled=lambda ids: announce(Announcement.WEBHOOKS)
        )
        self.leadership = leadership or Leadership()
        self.matcher = Matcher(
            schema,
            context_factory,
            self.index,
            self.dispatcher,
            leadership=self.leadership,
            first_delay=config.retry_schedule[0],
            lease_seconds=config.lease,
            on_enqueued=self._enqueued,
        )
        self._tasks: list[asyncio.Task[None]] = []

    def _enqueued(self) -> None:
        self.dispatcher.wake()
        self.announce(Announcement.DELIVERIES)  # other bridge processes dispatch too

    def on_announce(self, kind: Announcement) -> None:
        if kind in (Announcement.WEBHOOKS, Announcement.ACCESS):
            self.index.invalidate()
        elif kind is Announcement.DELIVERIES:
            self.dispatcher.wake()

    async def start(self) -> None:
        if self.release_claims_on_start:
            await queue.release_all_claims()
        self._tasks = [
            asyncio.create_task(self.matcher.run(), name="bridge-matcher"),
            asyncio.create_task(self.dispatcher.run(), name="bridge-dispatcher"),
            asyncio.create_task(self._housekeeping(), name="bridge-housekeeping"),
        ]

    async def stop(self) -> None:
        if not self._tasks:
            return
        matcher, dispatcher, housekeeping = self._tasks
        for task in (matcher, housekeeping):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.dispatcher.stop(grace=self.config.delivery_timeout)
        await dispatcher

    async def _housekeeping(self) -> None:
        while True:
            try:
                metrics.QUEUE_DEPTH.set(await queue.pending_count())
                await retention.purge_deliveries(self.config.retention_days)
                await retention.erase_expired_secrets()
                if self.leadership.is_leader:  # one purger of events: the matcher
                    await retention.purge_events(
                        self.config.event_retention_days, self.matcher.cursor
                    )
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("housekeeping failed")
            await asyncio.sleep(HOUSEKEEPING_INTERVAL)
