"""Who may do what: company and project roles (Blue's names), checked on every operation."""

from typing import Literal

from strawberry.types import Info

from models import ids
from models.accounts import Company, CompanyLevel, CompanyUser, ProjectLevel
from models.text import unstorable
from models.tracker import Project, ProjectUser
from resolvers.context import Context, Principal
from schema.errors import Forbidden, NotFound, Unauthenticated

Need = Literal["read", "comment", "write", "admin"]

_ALLOWED: dict[Need, frozenset[ProjectLevel]] = {
    "read": frozenset(ProjectLevel),
    "comment": frozenset({ProjectLevel.ADMIN, ProjectLevel.MEMBER, ProjectLevel.COMMENT_ONLY}),
    "write": frozenset({ProjectLevel.ADMIN, ProjectLevel.MEMBER}),
    "admin": frozenset({ProjectLevel.ADMIN}),
}
_COMPANY_ADMINS = frozenset({CompanyLevel.OWNER, CompanyLevel.ADMIN})
SLUG_LENGTH = 255  # Company.slug's column


def context_of(info: Info) -> Context:
    return info.context


def principal(info: Info) -> Principal:
    found = context_of(info).principal
    if found is None:
        raise Unauthenticated("Authentication required: send a Bearer token")
    return found


def user_id(info: Info) -> str:
    found = principal(info)
    if found.user_id is None:
        raise Forbidden("This operation needs a user")
    return found.user_id


async def company_level(info: Info, company_id: str) -> CompanyLevel | None:
    key = f"company:{company_id}"
    roles = context_of(info).roles
    if key not in roles:
        membership = await CompanyUser.get_or_none(company_id=company_id, user_id=user_id(info))
        roles[key] = membership.level if membership else None
    return roles[key]


async def project_level(info: Info, project: Project) -> ProjectLevel | None:
    """The caller's effective level: company owners and admins administer every project."""
    key = f"project:{project.id}"
    roles = context_of(info).roles
    if key not in roles:
        if await company_level(info, project.company_id) in _COMPANY_ADMINS:
            roles[key] = ProjectLevel.ADMIN
        else:
            membership = await ProjectUser.get_or_none(project_id=project.id, user_id=user_id(info))
            roles[key] = membership.level if membership else None
    return roles[key]


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
    if admin and level not in _COMPANY_ADMINS:
        raise Forbidden("Only company owners and admins may do this")
    return company


async def member_project_ids(info: Info) -> list[str]:
    """Every project the caller can read."""
    uid = user_id(info)
    admin_companies = await CompanyUser.filter(
        user_id=uid, level__in=list(_COMPANY_ADMINS)
    ).values_list("company_id", flat=True)
    direct = await ProjectUser.filter(user_id=uid).values_list("project_id", flat=True)
    via_company = await Project.filter(company_id__in=admin_companies).values_list("id", flat=True)
    return sorted(set(direct) | set(via_company))
