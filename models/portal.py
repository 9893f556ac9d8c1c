"""Portal sessions: short-lived tokens for the webhook portal of one company, or some of its
projects, handed to someone who is not a user (a customer of the company, in an iframe).

A session acts as the owner or admin who created it, narrowed to its scope (PortalScope) and to
webhook operations (resolvers.portal_gate). Its token is `hlp_<sessionId>.<secret>`; only the
SHA-256 of the secret is stored, as for API tokens. Sessions are read on every request, never
cached, so an expiry or a revocation holds at once in every process.
"""

import hashlib
import hmac
import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from tortoise import fields
from tortoise.models import Model

from models import ids
from models.ids import new_id

TOKEN_PREFIX = "hlp_"


class PortalSession(Model):
    """A portal session: one company's webhooks (or some projects'), until it expires."""

    id = fields.CharField(primary_key=True, max_length=32, default=new_id)
    company = fields.ForeignKeyField(
        "models.Company", related_name="portal_sessions", on_delete=fields.CASCADE
    )
    created_by = fields.ForeignKeyField(
        "models.User", related_name="portal_sessions", on_delete=fields.CASCADE
    )
    project_ids = fields.JSONField(default=list)  # [] = every project of the company
    secret_hash = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "portal_session"
        indexes = (("company_id", "expires_at"),)


@dataclass(frozen=True)
class PortalScope:
    """What a portal session may reach: webhooks of one company, and of some of its projects
    when `project_ids` is not empty. The one rule for it; everything that decides which
    webhooks a portal session sees or saves asks `covers`."""

    session_id: str
    company_id: str
    project_ids: frozenset[str]
    expires_at: datetime
    user_id: str  # who created it: the session acts with their roles, narrowed to the scope

    @property
    def every_project(self) -> bool:
        return not self.project_ids

    def covers(self, company_id: str, project_ids: Collection[str]) -> bool:
        """Whether a webhook of this company and these projects ([] = every project) is in
        the scope: a scope of some projects never covers a webhook of every project."""
        if company_id != self.company_id:
            return False
        if self.every_project:
            return True
        return bool(project_ids) and set(project_ids) <= self.project_ids


def hash_secret(secret: str) -> str:
    """SHA-256 of a 32-byte random secret, as for API tokens (hookline.auth)."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedSession:
    row: PortalSession
    secret: str

    @property
    def token(self) -> str:
        return f"{TOKEN_PREFIX}{self.row.id}.{self.secret}"


async def issue(
    company_id: str, user_id: str, project_ids: Sequence[str], expires_at: datetime
) -> IssuedSession:
    secret = secrets.token_urlsafe(32)
    row = await PortalSession.create(
        company_id=company_id,
        created_by_id=user_id,
        project_ids=list(project_ids),
        secret_hash=hash_secret(secret),
        expires_at=expires_at,
    )
    return IssuedSession(row, secret)


# Why a portal token is refused; clients see these as UNAUTHENTICATED messages.
UNKNOWN = "Unknown portal session: no session with this id and secret exists"
EXPIRED = "This portal session expired at {at}: ask for a new link"
REVOKED = "This portal session was revoked: ask for a new link"


async def find(session_id: str) -> PortalSession | None:
    return await ids.find(PortalSession, session_id)


async def verify(session_id: str, secret: str, now: datetime) -> PortalScope | str:
    """The session's scope, or why it is refused. Read from the database every time: nothing
    is cached, so a revocation or an expiry holds on the next request in every process."""
    found = await find(session_id)
    if found is None or not hmac.compare_digest(found.secret_hash, hash_secret(secret)):
        return UNKNOWN
    if found.revoked_at is not None:
        return REVOKED
    if now >= found.expires_at:
        return EXPIRED.format(at=found.expires_at.isoformat())
    return PortalScope(
        session_id=found.id,
        company_id=found.company_id,
        project_ids=frozenset(found.project_ids),
        expires_at=found.expires_at,
        user_id=found.created_by_id,
    )
