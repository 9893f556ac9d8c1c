"""Forward one event to the local receiver exactly as a real webhook delivery would carry it.

Nothing here builds a body or a header of its own: the body is bridge.render.body_of, the
headers bridge.render.build_request (X-Signature and the Standard Webhooks headers), the POST
bridge.http.post and each retry decision bridge.retry.decide, with a schedule of seconds
instead of hours. So the receiver's verification code meets the bytes production sends, and
the payload's additions reach the listener without a line changed here.
"""

import asyncio
import dataclasses
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import aiohttp

from bridge.http import HttpResult, post
from bridge.matcher import message_id
from bridge.render import EventData, body_of, build_request
from bridge.retry import Outcome, decide
from models.rows import webhook_row

LOCAL_WEBHOOK_ID = "local"
# Four attempts within about 3.5 s: enough to ride out a receiver restarting under a file
# watcher, short enough that the stream is not held up for long.
LOCAL_SCHEDULE: tuple[float, ...] = (0.0, 0.5, 1.0, 2.0)
MAX_RETRY_AFTER = 5.0  # a 429/503's Retry-After is honoured up to this
# As HOOKLINE_DELIVERY_TIMEOUT's default: a receiver too slow here is too slow in production.
TIMEOUT = aiohttp.ClientTimeout(total=7.0)


@dataclass(frozen=True)
class LocalWebhook:
    """The webhook a local delivery comes from, which no server stores.

    Its `webhook` object in the body (models.rows.webhook_row, secret "" as always) is honest
    about what it is: id and uid "local", name "hookline listen", the --forward-to URL, the
    --events and --project lists (empty meaning all, as on a real webhook), created by the
    token's user when the listener started, HEALTHY and enabled. A real webhook belongs to one
    company; a listener may see the events of several, so it takes each event's company.
    """

    url: str
    secret: str
    events: list[str]
    project_ids: list[str]
    created_by_id: str
    created_at: datetime
    company_id: str = ""
    id: str = LOCAL_WEBHOOK_ID
    uid: str = LOCAL_WEBHOOK_ID
    name: str | None = "hookline listen"
    status: str = "HEALTHY"
    filters: None = None
    enabled: bool = True
    consecutive_failures: int = 0
    last_delivery_at: datetime | None = None
    last_failure_at: datetime | None = None
    disabled_reason: str | None = None
    previous_secret: str | None = None
    previous_secret_expires_at: datetime | None = None

    @property
    def updated_at(self) -> datetime:
        return self.created_at


@dataclass(frozen=True)
class Attempt:
    """One POST to the receiver; `retry_in` is the wait before the next one (None: no more)."""

    number: int
    result: HttpResult
    retry_in: float | None


@dataclass(frozen=True)
class Forwarded:
    """What became of one event: its message id (webhook-id), the body sent, every attempt."""

    event: EventData
    message_id: str
    body: bytes
    attempts: tuple[Attempt, ...] = field(default=())

    @property
    def succeeded(self) -> bool:
        last = self.attempts[-1].result if self.attempts else None
        return last is not None and Outcome(last.status_code, None, None).succeeded


class Forwarder:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        webhook: LocalWebhook,
        *,
        schedule: Sequence[float] = LOCAL_SCHEDULE,
        rng: random.Random | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.session = session
        self.webhook = webhook
        self.schedule = tuple(schedule)
        self.rng = rng or random.Random()
        self.clock = clock

    def body(self, event: EventData) -> bytes:
        local = dataclasses.replace(self.webhook, company_id=event.company_id)
        return body_of(webhook_row(local), event, None)

    async def forward(
        self, event: EventData, on_attempt: Callable[[Attempt], None] = lambda _: None
    ) -> Forwarded:
        """POST the event until it succeeds or the schedule is spent; never raises for the
        receiver's sake (a failure is reported, and the stream goes on)."""
        # Stable per event, as a real delivery's is per (event, webhook): a resent event keeps it.
        msg_id = message_id(event.id, LOCAL_WEBHOOK_ID)
        body = self.body(event)
        attempts: list[Attempt] = []
        for number in range(1, len(self.schedule) + 1):
            request = build_request(self.webhook, msg_id, event.type, body, self.clock())
            result = await post(self.session, request.url, request.body, request.headers, TIMEOUT)
            outcome = Outcome(result.status_code, result.error, result.retry_after)
            now = self.clock()
            decision = decide(
                attempt=number,
                outcome=outcome,
                now=now,
                schedule=self.schedule,
                rng=self.rng,
                max_retry_after=MAX_RETRY_AFTER,
            )
            retry_in = None
            if decision.kind == "retry" and decision.next_attempt_at is not None:
                retry_in = max(0.0, (decision.next_attempt_at - now).total_seconds())
            attempt = Attempt(number, result, retry_in)
            attempts.append(attempt)
            on_attempt(attempt)
            if retry_in is None:
                break
            await asyncio.sleep(retry_in)
        return Forwarded(event, msg_id, body, tuple(attempts))
