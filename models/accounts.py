"""Tenancy and identity: companies, users, memberships and API tokens."""

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.ids import new_id


class CompanyLevel(StrEnum):
    OWNER = "OWNER"
    ADMIN = "ADMIN"
    MEMBER = "MEMBER"


class ProjectLevel(StrEnum):
    ADMIN = "ADMIN"
    MEMBER = "MEMBER"
    COMMENT_ONLY = "COMMENT_ONLY"
    VIEW_ONLY = "VIEW_ONLY"


class Company(Model):
    id = fields.CharField(primary_key=True, max_length=32, default=new_id)
    name = fields.CharField(max_length=255)
    slug = fields.CharField(max_length=255, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "company"


class User(Model):
    id = fields.CharField(primary_key=True, max_length=32, default=new_id)
    email = fields.CharField(max_length=320, unique=True)
    name = fields.CharField(max_length=255, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "user"


class CompanyUser(Model):
    id = fields.CharField(primary_key=True, max_length=32, default=new_id)
    company: fields.ForeignKeyRelation[Company] = fields.ForeignKeyField(
        "models.Company", related_name="members", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="company_memberships", on_delete=fields.CASCADE
    )
    level = fields.CharEnumField(CompanyLevel, max_length=16)

    class Meta:
        table = "company_user"
        unique_together = (("company", "user"),)


class ApiToken(Model):
    """A personal access token. Only the SHA-256 of its secret is stored.

    Revoking a token deletes its row: a token is valid exactly while its row exists and has
    not expired (hookline.auth caches that answer and forgets it on Announcement.TOKENS).
    """

    id = fields.CharField(primary_key=True, max_length=32, default=new_id)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="tokens", on_delete=fields.CASCADE
    )
    secret_hash = fields.CharField(max_length=64)
    name = fields.CharField(max_length=255, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField(null=True)
    # Written at most once a minute per token and process (see hookline.auth), not per request.
    last_used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_token"
