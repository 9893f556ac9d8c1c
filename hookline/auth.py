"""Turn request headers or a connection_init payload into a Principal, through a cache of tokens
that every process forgets when a token is revoked.

Every HTTP request and every operation of an open connection authenticates here, so the cache
keeps a query off each of them. It is dropped whole on Announcement.TOKENS: revokeApiToken
announces it over the bus, and every process also derives it from the stored routing version
(events.watch.StoredChanges) for revocations it could not hear, such as `hookline token
revoke` run next to an embedded server. Entries also age out after CACHE_SECONDS.

Portal sessions (`hlp_<sessionId>.<secret>`, models.portal) are read from the database every
time instead: their expiry and revocation hold on the next operation in every process.
"""

import asyncio
import hmac
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from events.announcement import Announcement
from models import ids, portal, tokens
from models.text import unstorable
from models.tokens import IssuedToken, hash_secret, issue_token
from resolvers.context import Principal, Refusal

__all__ = [
    "MALFORMED",
    "NO_TOKEN",
    "UNKNOWN",
    "Authenticator",
    "IssuedToken",
    "credentials",
    "hash_secret",
    "issue_token",
]

# Also the bound for a token row deleted by hand, which nobody announces.
CACHE_SECONDS = 30.0
CACHE_SIZE = 10_000
# lastUsedAt is a hint for people, not an audit log: one write per token per minute at most.
LAST_USED_EVERY = timedelta(minutes=1)

# Why a caller has no principal; clients see these as UNAUTHENTICATED messages. An unknown id, a
# wrong secret and a revoked token share one message, so the answer does not tell which token
# ids exist (expiry is told, but only to whoever holds the secret).
NO_TOKEN = (
    "No token sent: send `Authorization: Bearer <tokenId>.<tokenSecret>` "
    "(or X-Bloo-Token-ID and X-Bloo-Token-Secret)"
)
MALFORMED = "Malformed token: expected `Authorization: Bearer <tokenId>.<tokenSecret>`"
UNKNOWN = (
    "Unknown token: no valid token with this id and secret exists on this server "
    "(was it revoked, or created against another database?)"
)
_TOKEN_KEYS = frozenset({"authorization", "x-bloo-token-id", "x-bloo-token-secret"})


def credentials(values: Mapping[str, object]) -> tuple[str, str] | None:
    """(tokenId, secret) from headers or a connection_init payload; keys case-insensitive.
    A token id no row could have is no credential at all (it is never looked up)."""
    lowered = {str(k).lower(): v for k, v in values.items()}
    bearer = lowered.get("authorization")
    if isinstance(bearer, str) and bearer[:7].lower() == "bearer ":
        token_id, _, secret = bearer[7:].strip().partition(".")
    else:
        token_id, secret = lowered.get("x-bloo-token-id"), lowered.get("x-bloo-token-secret")
    if not (isinstance(token_id, str) and isinstance(secret, str) and token_id and secret):
        return None
    if not ids.could_exist(token_id) or unstorable(secret) is not None:
        return None
    return token_id, secret


def company_hint(values: Mapping[str, object]) -> str | None:
    hint = {str(k).lower(): v for k, v in values.items()}.get("x-bloo-company-id")
    return hint if isinstance(hint, str) else None


@dataclass
class _Entry:
    """What a process knows of one valid token (a row that existed when it was loaded)."""

    user_id: str
    secret_hash: str
    expires_at: datetime | None
    last_used_at: datetime | None
    loaded_at: float


class Authenticator:
    """Tokens by id, cached until a revocation is announced (see the module's docstring)."""

    def __init__(
        self,
        max_age: float = CACHE_SECONDS,
        size: int = CACHE_SIZE,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """clock: for the cache's age; now: wall time, for expiry and lastUsedAt."""
        self.max_age = max_age
        self.size = size
        self._clock = clock
        self._now = now
        self._entries: dict[str, _Entry] = {}
        # Look-ups in flight, shared by concurrent requests with the same token.
        self._loading: dict[str, asyncio.Future[_Entry | None]] = {}
        self._generation = 0  # bumped by forget(): a look-up begun before it is not kept

    def on_announce(self, kind: Announcement) -> None:
        if kind is Announcement.TOKENS:
            self.forget()

    def forget(self) -> None:
        """Drop everything cached, and let no look-up already in flight store its answer."""
        self._generation += 1
        self._entries.clear()
        self._loading.clear()

    async def authenticate(self, values: Mapping[str, object]) -> Principal | Refusal:
        found = credentials(values)
        if found is None:
            presented = _TOKEN_KEYS & {str(k).lower() for k in values}
            return Refusal(MALFORMED if presented else NO_TOKEN)
        token_id, secret = found
        if token_id.startswith(portal.TOKEN_PREFIX):
            return await self._portal(token_id.removeprefix(portal.TOKEN_PREFIX), secret)
        entry = await self._entry(token_id)
        if entry is None or not hmac.compare_digest(entry.secret_hash, hash_secret(secret)):
            return Refusal(UNKNOWN)
        principal = Principal(
            user_id=entry.user_id,
            company_hint=company_hint(values),
            token_id=token_id,
            expires_at=entry.expires_at,
        )
        now = self._now()
        refusal = principal.refusal_at(now)
        if refusal is not None:
            return refusal
        if entry.last_used_at is None or now - entry.last_used_at >= LAST_USED_EVERY:
            entry.last_used_at = now  # first, so concurrent requests don't all write
            await tokens.note_use(token_id, now, not_since=now - LAST_USED_EVERY)
        return principal

    async def _portal(self, session_id: str, secret: str) -> Principal | Refusal:
        scope = await portal.verify(session_id, secret, self._now())
        if isinstance(scope, str):
            return Refusal(scope)
        return Principal(
            scope.user_id,
            company_hint=scope.company_id,
            # Its credential's id: every rate and quota per token counts the session as one.
            token_id=portal.TOKEN_PREFIX + session_id,
            portal=scope,
            expires_at=scope.expires_at,
        )

    async def _entry(self, token_id: str) -> _Entry | None:
        entry = self._entries.get(token_id)
        if entry is not None and self._clock() - entry.loaded_at < self.max_age:
            return entry
        loading = self._loading.get(token_id)
        if loading is None:
            loading = asyncio.ensure_future(self._load(token_id, self._generation))
            self._loading[token_id] = loading
            loading.add_done_callback(lambda done: self._finished(token_id, done))
        # Shielded: one caller going away must not cancel the look-up the others wait on.
        return await asyncio.shield(loading)

    def _finished(self, token_id: str, done: asyncio.Future[_Entry | None]) -> None:
        if self._loading.get(token_id) is done:
            del self._loading[token_id]

    async def _load(self, token_id: str, generation: int) -> _Entry | None:
        row = await tokens.find(token_id)
        if row is None:
            return None
        entry = _Entry(
            user_id=row.user_id,
            secret_hash=row.secret_hash,
            expires_at=row.expires_at,
            last_used_at=row.last_used_at,
            loaded_at=self._clock(),
        )
        if generation == self._generation:  # no revocation was announced meanwhile
            if len(self._entries) >= self.size:
                del self._entries[next(iter(self._entries))]  # the oldest
            self._entries[token_id] = entry
        return entry
