"""Who may do what: company and project roles (Blue's names), checked on every operation.

The rule that maps roles to projects is models.access's; this module asks it once per operation
and turns its answer into the errors clients see.
"""

from collections.abc import Iterator
from typing import Literal

from strawberry.extensions import SchemaExtension
from strawberry.types import Info

from models import access, ids
from models.accounts import Company, CompanyLevel, ProjectLevel
from models.text import unstorable
from models.tracker import Project
from resolvers.context import Context, Principal
from schema.errors import Forbidden, NotFound, Unauthenticated

Need = Literal["read", "comment", "write", "admin"]

_ALLOWED: dict[Need, frozenset[ProjectLevel]] = {
    "read": frozenset(ProjectLevel),
    "comment": frozenset({ProjectLevel.ADMIN, ProjectLevel.MEMBER, ProjectLevel.COMMENT_ONLY}),
    "write": frozenset({ProjectLevel.ADMIN, ProjectLevel.MEMBER}),
    "admin": frozenset({ProjectLevel.ADMIN}),
}
SLUG_LENGTH = 255  # Company.slug's column


def context_of(info: Info) -> Context:
    return info.context


def principal(info: Info) -> Principal:
    context = context_of(info)
    if context.principal is None:
        raise Unauthenticated(context.auth_problem or "Authentication required: send a token")
    return context.principal


def user_id(info: Info) -> str:
    found = principal(info)
    if found.user_id is None:
        raise Forbidden("This operation needs a user")
    return found.user_id


async def coverage(info: Info) -> access.Coverage:
    """The caller's roles, read once per operation (see Context.coverage)."""
    context = context_of(info)
    if context.coverage is None:
        context.coverage = await access.coverage(user_id(info))
    return context.coverage


class FreshRoles(SchemaExtension):
    """Roles are read once per operation, never once per connection: a WebSocket's context
    outlives its operations, and a member removed meanwhile must not keep their rights."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context.context
        if isinstance(context, Context):
            context.coverage = None
        yield


async def company_level(info: Info, company_id: str) -> CompanyLevel | None:
    return (await coverage(info)).companies.get(company_id)


async def project_level(info: Info, project: Project) -> ProjectLevel | None:
    """The caller's effective level: company owners and admins administer every project."""
    return (await coverage(info)).level(project.company_id, project.id)


async def require_project(info: Info, project_id: str, need: Need) -> Project:
    project = await ids.find(Project, project_id)
    if project is None:
        raise NotFound("Project", project_id)
    return await authorise(info, project, need)


async def authorise(info: Info, project: Project, need: Need) -> Project:
    """The project, if the caller's role in it allows `need`."""
    if principal(info).is_system:
        return project
    level = await project_level(info, project)
    if level is None:
        raise Forbidden("You are not a member of this project")
    if level not in _ALLOWED[need]:
        raise Forbidden(f"Your role {level} in this project does not allow this ({need})")
    return project


async def find_company(ref: str) -> Company | None:
    """A company by id or by slug (X-Bloo-Company-ID and `company(id)` take either)."""
    found = await ids.find(Company, ref)
    if found is None and len(ref) <= SLUG_LENGTH and unstorable(ref) is None:
        found = await Company.get_or_none(slug=ref)
    return found


async def require_company(info: Info, company_ref: str, admin: bool = False) -> Company:
    """A company by id or slug that the caller belongs to (as OWNER/ADMIN when admin)."""
    company = await find_company(company_ref)
    if company is None:
        raise NotFound("Company", company_ref)
    level = await company_level(info, company.id)
    if level is None:
        raise Forbidden("You are not a member of this company")
    if admin and level not in access.COMPANY_ADMINS:
        raise Forbidden("Only company owners and admins may do this")
    return company


async def member_project_ids(info: Info) -> list[str]:
    """Every project the caller can read."""
    return await access.readable_project_ids(await coverage(info))
