"""Operator actions on accounts (the CLI's bootstrap and token commands)."""

from tortoise.transactions import in_transaction

from events.announcement import Announcement
from hookline.auth import issue_token
from models import tokens
from models.accounts import Company, CompanyLevel, CompanyUser, User
from models.slugs import unique_slug
from models.tracker import Project, ProjectLevel, ProjectUser
from resolvers.context import Announcer
from resolvers.emit import announce_routing_change


class AccountError(ValueError):
    pass


def _email(value: str) -> str:
    email = value.strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or " " in email or len(email) > 320:
        raise AccountError(f"{value!r} is not an email address")
    return email


def _name(value: str, what: str) -> str:
    name = value.strip()
    if not name or len(name) > 255:
        raise AccountError(f"{what} name must be 1 to 255 characters")
    return name


async def bootstrap(
    company_name: str, email: str, project_name: str | None, *, unique_name: bool = False
) -> dict[str, object]:
    """A company with its owner, optionally a project, and a token for the owner.

    With unique_name, a company of the same name (in any case) is refused: running bootstrap
    twice by mistake would otherwise make two companies that look alike.
    """
    company_name = _name(company_name, "company")
    email = _email(email)
    project_name = _name(project_name, "project") if project_name is not None else None
    async with in_transaction():
        if unique_name:
            existing = await Company.filter(name__iexact=company_name).first()
            if existing is not None:
                raise AccountError(
                    f"a company named {existing.name!r} already exists (id {existing.id}); "
                    "pass --allow-duplicate to create another, or use `hookline token create "
                    "--email EMAIL` for a new token"
                )
        taken = set(await Company.all().values_list("slug", flat=True))
        company = await Company.create(name=company_name, slug=unique_slug(company_name, taken))
        user, _ = await User.get_or_create(email=email)
        await CompanyUser.create(company_id=company.id, user_id=user.id, level=CompanyLevel.OWNER)
        project = None
        if project_name:
            project = await Project.create(
                company_id=company.id, name=project_name, slug=unique_slug(project_name, set())
            )
            await ProjectUser.create(
                project_id=project.id, user_id=user.id, level=ProjectLevel.ADMIN
            )
        token = await issue_token(user.id, name="bootstrap")
    return {
        "companyId": company.id,
        "projectId": project.id if project else None,
        "userId": user.id,
        "tokenId": token.token_id,
        "tokenSecret": token.token_secret,
        "token": token.token,
    }


async def token_for(email: str) -> dict[str, object]:
    user = await User.get_or_none(email=_email(email))
    if user is None:
        raise AccountError(f"no user with email {email!r}")
    token = await issue_token(user.id, name="cli")
    return {
        "userId": user.id,
        "tokenId": token.token_id,
        "tokenSecret": token.token_secret,
        "token": token.token,
    }


async def revoke_token(token_id: str, announcer: Announcer) -> dict[str, object]:
    """Revoke a token as revokeApiToken does. The announcer reaches running servers only
    through Redis; without it they find the stored count moved within their poll interval."""
    if not await tokens.revoke(token_id):
        raise AccountError(f"no token with id {token_id!r}")
    await announce_routing_change(announcer, Announcement.TOKENS)
    return {"tokenId": token_id, "revoked": True}
