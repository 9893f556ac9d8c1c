"""Who may do what: company and project roles (Blue's names), checked on every operation.

The rule that maps roles to projects is models.access's; this module asks it once per operation
and turns its answer into the errors clients see. Authentication comes first, before any
lookup (Authenticated, on every root field). Then what belongs to a company the caller is not
in answers exactly as if it did not exist (`<ENTITY>_NOT_FOUND`, see refusal), so ids and slugs
of other companies are no oracle; within the caller's companies, a project they are not in or a
role too low is FORBIDDEN.
"""

import inspect
from collections.abc import AsyncIterator, Iterator
from typing import Any, Literal

from strawberry.extensions import FieldExtension, SchemaExtension
from strawberry.types import Info

from models import access, ids
from models.accounts import Company, CompanyLevel, ProjectLevel
from models.text import unstorable
from models.tracker import Project
from resolvers.context import Context, Principal
from schema.errors import ApiError, Forbidden, NotFound, Unauthenticated

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


class Authenticated(FieldExtension):
    """No root field runs for an anonymous caller: authentication before any lookup, so the
    answer never depends on whether an id exists. schema.root puts it on every root field."""

    def resolve(self, next_: Any, source: Any, info: Info, **kwargs: Any) -> Any:
        principal(info)
        return next_(source, info, **kwargs)

    async def resolve_async(self, next_: Any, source: Any, info: Info, **kwargs: Any) -> Any:
        principal(info)
        result = next_(source, info, **kwargs)
        return await result if inspect.isawaitable(result) else result


class FreshIdentity(SchemaExtension):
    """The caller is authenticated at the start of every operation, before it is counted or
    validated, from the credentials they presented (Context.authenticate): an operation on a
    WebSocket opened with a token since revoked or expired is refused. A cache hit costs
    microseconds (hookline.auth). Awaited, so execute_sync (in-process callers with a fixed
    principal) runs without it (schema.root)."""

    async def on_operation(self) -> AsyncIterator[None]:  # type: ignore[override]
        context = self.execution_context.context
        if isinstance(context, Context):
            await context.authenticate()
        yield


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
    outlives its operations, and a member removed meanwhile must not keep their rights (nor
    does a revoked token: FreshIdentity)."""

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
    principal(info)  # authentication before any lookup
    project = await ids.find(Project, project_id)
    if project is None:
        raise NotFound("Project", project_id)
    return await authorise(info, project, need)


def refusal(roles: access.Coverage, company_id: str, asked: NotFound) -> ApiError:
    """The answer for a project the caller cannot read: `asked` (the entity the caller named,
    exactly as if it were missing) outside the caller's companies, FORBIDDEN inside them."""
    if company_id in roles.companies:
        return Forbidden("You are not a member of this project")
    return asked


async def authorise(
    info: Info, project: Project, need: Need, asked: NotFound | None = None
) -> Project:
    """The project, if the caller's role in it allows `need` (see refusal when they cannot
    read it; `asked` defaults to the project)."""
    if principal(info).is_system:
        return project
    roles = await coverage(info)
    level = roles.level(project.company_id, project.id)
    if level is None:
        raise refusal(roles, project.company_id, asked or NotFound("Project", project.id))
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
    """A company by id or slug that the caller belongs to (as OWNER/ADMIN when admin); one
    they do not belong to is COMPANY_NOT_FOUND, exactly as a missing one."""
    principal(info)  # authentication before any lookup
    company = await find_company(company_ref)
    level = await company_level(info, company.id) if company is not None else None
    if company is None or level is None:
        raise NotFound("Company", company_ref)
    if admin and level not in access.COMPANY_ADMINS:
        raise Forbidden("Only company owners and admins may do this")
    return company


async def member_project_ids(info: Info) -> list[str]:
    """Every project the caller can read."""
    return await access.readable_project_ids(await coverage(info))
