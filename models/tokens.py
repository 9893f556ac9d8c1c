"""API tokens in the database: issue, look up, revoke, note their use.

A token is `<tokenId>.<tokenSecret>`; only SHA-256(secret) is stored. The secret is 32 random
bytes, so a fast hash is right here (as GitHub does); bcrypt would cost every request ~50 ms.
Revoking deletes the row, so "revoked" and "deleted from the database" are one state.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Q

from models import ids
from models.accounts import ApiToken


@dataclass(frozen=True)
class IssuedToken:
    token_id: str
    token_secret: str
    row: ApiToken

    @property
    def token(self) -> str:
        return f"{self.token_id}.{self.token_secret}"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def issue_token(
    user_id: str, name: str = "", expires_at: datetime | None = None
) -> IssuedToken:
    secret = secrets.token_urlsafe(32)
    row = await ApiToken.create(
        user_id=user_id, secret_hash=hash_secret(secret), name=name, expires_at=expires_at
    )
    return IssuedToken(row.id, secret, row)


async def find(token_id: str) -> ApiToken | None:
    return await ids.find(ApiToken, token_id)


async def revoke(token_id: str, user_id: str | None = None) -> bool:
    """Delete the token (only if it is `user_id`'s, when given); whether it existed.

    The caller counts and announces the change (resolvers.emit.announce_routing_change),
    so every process forgets what it cached about the token.
    """
    if not ids.could_exist(token_id):
        return False
    query = ApiToken.filter(id=token_id)
    if user_id is not None:
        query = query.filter(user_id=user_id)
    return bool(await query.delete())


async def note_use(token_id: str, now: datetime, not_since: datetime) -> None:
    """Set last_used_at = now unless it was set after `not_since` (by any process)."""
    await ApiToken.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=not_since), id=token_id
    ).update(last_used_at=now)
