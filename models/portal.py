"""Portal sessions: short-lived tokens for the webhook portal of one company, or some of its
projects, handed to someone who is not a user (a customer of the company, in an iframe).

A session acts as the owner or admin who created it, narrowed to its scope (PortalScope) and to
webhook operations (resolvers.portal_gate). Its token is `hlp_<sessionId>.<secret>`; only the
SHA-256 of the secret is stored, as for API tokens. Sessions are read on every request, never
cached, so an expiry or a revocation holds at once in every process.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from tortoise import fields
from tortoise.models import Model

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
