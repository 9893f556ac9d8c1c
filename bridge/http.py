"""The one seam to the network: POST a body, return a typed response; never raises.

It knows nothing of retries or signing. aiohttp's exceptions are translated here, once.
Redirects are never followed; at most RESPONSE_LIMIT bytes of the response are read.
"""

import asyncio
import functools
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import aiohttp
from yarl import URL

from bridge.urlguard import find_blocked

RESPONSE_LIMIT = 4096
ERROR_LIMIT = 1000


def storable(text: str | None, limit: int) -> str | None:
    """Text as both databases store it: valid UTF-8, no NUL (PostgreSQL refuses it in text),
    at most `limit` characters. A receiver's bytes must never make its attempt unrecordable."""
    if text is None:
        return None
    return text[:limit].encode("utf-8", "replace").decode("utf-8").replace("\x00", "\ufffd")


@functools.lru_cache(maxsize=4096)
def _parsed(url: str) -> URL:
    """A webhook's URL parsed once, not on every attempt (aiohttp would parse the string)."""
    return URL(url)


@dataclass(frozen=True)
class HttpResult:
    started_at: datetime
    duration_ms: float
    status_code: int | None
    error: str | None
    body: str | None
    retry_after: str | None
    # The URL guard refused the address at connect time: retrying cannot help.
    blocked: bool = False


async def post(
    session: aiohttp.ClientSession,
    url: str,
    body: bytes,
    headers: dict[str, str],
    limits: aiohttp.ClientTimeout,
) -> HttpResult:
    started_at = datetime.now(UTC)
    start = time.perf_counter()

    def result(
        status: int | None,
        error: str | None,
        text: str | None = None,
        retry_after: str | None = None,
        blocked: bool = False,
    ) -> HttpResult:
        elapsed = (time.perf_counter() - start) * 1000
        return HttpResult(
            started_at,
            elapsed,
            status,
            storable(error, ERROR_LIMIT),
            storable(text, RESPONSE_LIMIT),
            storable(retry_after, 100),
            blocked,
        )

    try:
        async with session.post(
            _parsed(url),
            data=body,
            headers=headers,
            allow_redirects=False,
            timeout=limits,
        ) as response:
            head = await response.content.read(RESPONSE_LIMIT)
            text = head.decode("utf-8", errors="replace")
            error = None
            if 300 <= response.status < 400:
                error = f"redirect ({response.status}) not followed"
            elif not 200 <= response.status < 300:
                error = f"HTTP {response.status}"
            return result(response.status, error, text, response.headers.get("Retry-After"))
    except TimeoutError:
        return result(None, f"timed out after {limits.total:g} s")
    except aiohttp.ClientConnectorError as exc:
        blocked = find_blocked(exc)
        if blocked is not None:
            return result(None, f"blocked: {blocked}", blocked=True)
        return result(None, f"connection failed: {exc.os_error or exc}")
    except aiohttp.ClientError as exc:
        return result(None, f"{type(exc).__name__}: {exc}")
    except asyncio.CancelledError:
        raise
    except OSError as exc:
        return result(None, f"network error: {exc}")
