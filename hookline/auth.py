"""API tokens: issue them, and turn request headers or a connection_init payload into a Principal.

A token is `<tokenId>.<tokenSecret>`; only SHA-256(secret) is stored. The secret is 32 random
bytes, so a fast hash is right here (as GitHub does); bcrypt would cost every request ~50 ms.
"""

import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from models import ids, portal
from models.accounts import ApiToken
from models.text import unstorable
from resolvers.context import Principal


@dataclass(frozen=True)
class IssuedToken:
    token_id: str
    token_secret: str

    @property
    def token(self) -> str:
        return f"{self.token_id}.{self.token_secret}"


def utcnow() -> datetime:
    return datetime.now(UTC)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def issue_token(user_id: str, name: str = "") -> IssuedToken:
    secret = secrets.token_urlsafe(32)
    token = await ApiToken.create(user_id=user_id, secret_hash=hash_secret(secret), name=name)
    return IssuedToken(token.id, secret)


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


# Token id → (secret hash, user id, when looked up). Tokens are immutable once issued and
# there is no revocation yet, so a short-lived cache saves a query on every request.
_CACHE: dict[str, tuple[str, str, float]] = {}
CACHE_SECONDS = 30.0
CACHE_SIZE = 10_000


async def _token(token_id: str) -> tuple[str, str] | None:
    cached = _CACHE.get(token_id)
    if cached is not None and time.monotonic() - cached[2] < CACHE_SECONDS:
        return cached[0], cached[1]
    token = await ApiToken.get_or_none(id=token_id)
    if token is None:
        return None
    if len(_CACHE) >= CACHE_SIZE:
        _CACHE.clear()
    _CACHE[token_id] = (token.secret_hash, token.user_id, time.monotonic())
    return token.secret_hash, token.user_id


# Why a request has no principal; clients see these as UNAUTHENTICATED messages. An unknown id
# and a wrong secret share one message, so the answer does not tell which token ids exist.
NO_TOKEN = (
    "No token sent: send `Authorization: Bearer <tokenId>.<tokenSecret>` "
    "(or X-Bloo-Token-ID and X-Bloo-Token-Secret)"
)
MALFORMED = "Malformed token: expected `Authorization: Bearer <tokenId>.<tokenSecret>`"
UNKNOWN = (
    "Unknown token: no token with this id and secret exists on this server "
    "(was it created against another database?)"
)
_TOKEN_KEYS = frozenset({"authorization", "x-bloo-token-id", "x-bloo-token-secret"})


@dataclass(frozen=True)
class Identity:
    """Who sent the credentials, or why nobody can be named."""

    principal: Principal | None
    problem: str | None = None


async def identify(values: Mapping[str, object]) -> Identity:
    lowered = {str(k).lower(): v for k, v in values.items()}
    found = credentials(lowered)
    if found is None:
        return Identity(None, MALFORMED if _TOKEN_KEYS & lowered.keys() else NO_TOKEN)
    token_id, secret = found
    if token_id.startswith(portal.TOKEN_PREFIX):
        scope = await portal.verify(token_id.removeprefix(portal.TOKEN_PREFIX), secret, utcnow())
        if isinstance(scope, str):
            return Identity(None, scope)
        return Identity(Principal(scope.user_id, company_hint=scope.company_id, portal=scope))
    token = await _token(token_id)
    if token is None or not hmac.compare_digest(token[0], hash_secret(secret)):
        return Identity(None, UNKNOWN)
    hint = lowered.get("x-bloo-company-id")
    return Identity(
        Principal(
            user_id=token[1],
            company_hint=hint if isinstance(hint, str) else None,
            token_id=token_id,
        )
    )


async def authenticate(values: Mapping[str, object]) -> Principal | None:
    """The Principal the credentials belong to, or None when absent or wrong."""
    return (await identify(values)).principal
