"""`hookline listen`: follow a server's `events` subscription and forward each event locally.

For each event: forward it (forwarder.py), print its line, then save its id (state.py). The
cursor moves only after the event was handed to the receiver, so a listener killed between the
two sends that event again on restart, with the same webhook-id, and skips none. A lost
connection (server restart, network drop, a laptop waking up) is waited out with backoff and
the subscription resumed after the cursor; the server's refusal (a bad token, a project the
token cannot see, a cursor past the retention) ends the listener with one line.
"""

import asyncio
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

from bridge.render import EventData
from bridge.signing import generate_secret
from hookline.local.forwarder import Forwarder, LocalWebhook
from hookline.local.remote import Refused, Server, Unreachable, current_user_id
from hookline.local.report import Report
from hookline.local.state import NOW, CursorFile
from hookline.local.stream import EventStream, Filters

# A connection that stayed up this long, or carried an event, was healthy: the next failure
# starts the backoff again from its first step.
HEALTHY_AFTER = 30.0


@dataclass(frozen=True)
class Options:
    server: Server
    forward_to: str
    filters: Filters
    after: int | str | None  # None: the saved cursor, else from now on; NOW: from now on
    secret: str | None
    print_json: bool
    state_folder: Path | None = None


class Backoff:
    """Waits between reconnections: 0.5 s doubling to 10 s, ±20 % jitter; the server's
    Retry-After when it asks for longer (up to a minute)."""

    FIRST = 0.5
    CAP = 10.0
    HINT_CAP = 60.0

    def __init__(self, rng: random.Random | None = None) -> None:
        self.rng = rng or random.Random()
        self.failures = 0

    def next(self, hint: float | None = None) -> float:
        delay = min(self.CAP, self.FIRST * 2**self.failures) * self.rng.uniform(0.8, 1.2)
        self.failures += 1
        if hint is not None:
            delay = max(delay, min(hint, self.HINT_CAP))
        return delay

    def reset(self) -> None:
        self.failures = 0


def start_cursor(options: Options, state: CursorFile) -> int | None:
    if options.after == NOW:
        return None
    if isinstance(options.after, int):
        return options.after
    return state.load()


async def listen(options: Options, report: Report) -> None:
    """Forward events until interrupted; raises Refused (or UsageError) when it must stop."""
    state = CursorFile(options.server, options.state_folder)
    state.lock()
    cursor = start_cursor(options, state)
    secret = options.secret or generate_secret()
    report.banner(secret, options.server.base, options.forward_to, reused=bool(options.secret))
    backoff = Backoff()
    async with (
        aiohttp.ClientSession(trust_env=True) as remote,
        # The receiver is local: no proxy from the environment, no redirects (as the bridge).
        aiohttp.ClientSession(trust_env=False) as local,
    ):
        forwarder: Forwarder | None = None
        while True:
            connected_at: float | None = None
            carried = False
            try:
                if forwarder is None:
                    webhook = LocalWebhook(
                        url=options.forward_to,
                        secret=secret,
                        events=list(options.filters.events or []),
                        project_ids=list(options.filters.project_ids or []),
                        created_by_id=await current_user_id(remote, options.server),
                        created_at=datetime.now(UTC),
                    )
                    forwarder = Forwarder(local, webhook)
                async with EventStream.open(remote, options.server, options.filters, cursor) as s:
                    connected_at = time.monotonic()
                    report.connected(options.server.base, cursor)
                    while True:
                        event = EventData.from_stream(await s.next())
                        if cursor is not None and event.id <= cursor:
                            continue  # the server never resends one; a cursor must not go back
                        carried = True
                        backoff.reset()
                        forwarded = await forwarder.forward(event, report.attempt)
                        report.forwarded(forwarded)
                        cursor = event.id
                        state.save(cursor)
            except Unreachable as exc:
                up = connected_at is not None and time.monotonic() - connected_at > HEALTHY_AFTER
                if carried or up:
                    backoff.reset()
                delay = backoff.next(exc.retry_after)
                report.reconnecting(str(exc), delay, cursor)
                await asyncio.sleep(delay)
            except Refused as exc:
                if exc.code == "CURSOR_EXPIRED":
                    raise Refused(
                        f"cannot resume after event {cursor}, the server has purged what "
                        f"followed it ({exc}); run again with --after {NOW} to start from now "
                        "on, or with --after a later event id",
                        exc.code,
                    ) from None
                raise
