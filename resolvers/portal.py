"""Portal sessions: links to the webhook portal that company owners and admins hand to others.

A session is a restricted principal (models.portal): it acts as its creator, narrowed to its
company and projects and to webhook operations, so every check it meets is the one its creator
would meet, plus the scope. Sessions are not cached anywhere (each request reads its row), so
revoking one needs no announcement: the next request of any process sees it.
"""

from datetime import UTC, datetime, timedelta
from typing import Annotated

import strawberry
from strawberry.types import Info

from models import ids, portal
from models.access import COMPANY_ADMINS
from models.accounts import Company as CompanyRow
from models.rows import company_row, project_row
from models.tracker import Project as ProjectRow
from resolvers.authz import company_level, context_of, principal, require_company, user_id
from resolvers.validate import given
from resolvers.webhook_rules import MAX_PROJECTS
from schema.domain import Company, MutationResult, Project
from schema.errors import BadUserInput, Forbidden, NotFound
from schema.portal import (
    CreatePortalSessionInput,
    PortalSession,
    PortalSessionInfo,
    RevokePortalSessionInput,
)

MAX_MINUTES = 24 * 60
MAX_LISTED = 100
PORTAL_PATH = "/portal"


def utcnow() -> datetime:
    return datetime.now(UTC)


def portal_url(info: Info, token: str) -> str:
    """The page's address with the token in the fragment, which browsers never send on."""
    context = context_of(info)
    base = context.services.public_url
    if base is None and context.request is not None:
        base = str(context.request.base_url).replace("ws", "http", 1)
    return f"{(base or '').rstrip('/')}{PORTAL_PATH}#token={token}"


async def company_projects(company_id: str, project_ids: list[str]) -> list[str]:
    """The ids, if every one is a project of the company (one message for missing and
    foreign ids, so the answer tells nothing of other companies)."""
    project_ids = list(dict.fromkeys(project_ids))
    if len(project_ids) > MAX_PROJECTS:
        raise BadUserInput(f"projectIds may hold at most {MAX_PROJECTS} ids", field="projectIds")
    known = ProjectRow.filter(company_id=company_id, id__in=ids.possible(project_ids))
    found = set(await known.values_list("id", flat=True))
    for project_id in project_ids:
        if project_id not in found:
            raise BadUserInput(
                f"{project_id!r} is not a project of this company", field="projectIds"
            )
    return project_ids


async def infos(rows: list[portal.PortalSession]) -> list[PortalSessionInfo]:
    """Sessions with their company and projects, in two queries whatever their number."""
    companies = {c.id: c for c in await CompanyRow.filter(id__in={r.company_id for r in rows})}
    projects = await ProjectRow.filter(company_id__in=list(companies)).order_by("name", "id")
    now = utcnow()
    found = []
    for row in rows:
        company = companies[row.company_id]
        wanted = set(row.project_ids)
        found.append(
            PortalSessionInfo(
                id=row.id,
                company=Company.from_row(company_row(company)),
                project_ids=list(row.project_ids),
                projects=[
                    Project.from_row(project_row(p, company))
                    for p in projects
                    if p.company_id == company.id and (not wanted or p.id in wanted)
                ],
                created_by_id=row.created_by_id,
                created_at=row.created_at,
                expires_at=row.expires_at,
                revoked_at=row.revoked_at,
                active=row.revoked_at is None and now < row.expires_at,
            )
        )
    return found


@strawberry.type
class PortalQuery:
    @strawberry.field(
        description=(
            "The portal session the caller authenticates with (its company, projects and "
            "expiry); null when the caller uses an API token."
        )
    )
    async def portal_session(self, info: Info) -> PortalSessionInfo | None:
        scope = principal(info).portal
        if scope is None:
            return None
        row = await portal.PortalSession.get(id=scope.session_id)
        [found] = await infos([row])
        return found

    @strawberry.field(
        description=(
            f"The portal sessions of a company you own or administer, newest first (at most "
            f"{MAX_LISTED}); ended ones only when asked."
        )
    )
    async def portal_sessions(
        self,
        info: Info,
        company_id: Annotated[str, strawberry.argument(description="The company's id or slug.")],
        include_ended: Annotated[
            bool, strawberry.argument(description="Also expired and revoked sessions.")
        ] = False,
    ) -> list[PortalSessionInfo]:
        company = await require_company(info, company_id, admin=True)
        query = portal.PortalSession.filter(company_id=company.id)
        if not include_ended:
            query = query.filter(revoked_at__isnull=True, expires_at__gt=utcnow())
        return await infos(await query.order_by("-created_at", "-id").limit(MAX_LISTED))


@strawberry.type
class PortalMutation:
    @strawberry.mutation(
        description=(
            "Create a link to the webhook portal for someone who is not a user (a customer), "
            "limited to one company you own or administer, or some of its projects, and to "
            "webhook operations; it expires on time and can be revoked. The token is shown "
            "only in this answer."
        )
    )
    async def create_portal_session(
        self,
        info: Info,
        input: Annotated[
            CreatePortalSessionInput,
            strawberry.argument(description="The company, the projects and how long."),
        ],
    ) -> PortalSession:
        company = await require_company(info, input.company_id, admin=True)
        project_ids = await company_projects(
            company.id, (input.project_ids or []) if given(input.project_ids) else []
        )
        if not 1 <= input.expires_in_minutes <= MAX_MINUTES:
            raise BadUserInput(
                f"expiresInMinutes must be between 1 and {MAX_MINUTES}", field="expiresInMinutes"
            )
        expires_at = utcnow() + timedelta(minutes=input.expires_in_minutes)
        issued = await portal.issue(company.id, user_id(info), project_ids, expires_at)
        return PortalSession(
            id=issued.row.id,
            url=portal_url(info, issued.token),
            token=issued.token,
            expires_at=expires_at,
            company_id=company.id,
            project_ids=project_ids,
        )

    @strawberry.mutation(
        description=(
            "End a portal session at once, in every process: its link and token stop "
            "working on their next request. For the company's owners and admins."
        )
    )
    async def revoke_portal_session(
        self,
        info: Info,
        input: Annotated[RevokePortalSessionInput, strawberry.argument(description="The session.")],
    ) -> MutationResult:
        principal(info)  # authentication before any lookup
        asked = NotFound("PortalSession", input.session_id)
        found = await portal.find(input.session_id)
        # Outside the caller's companies a session answers as missing, whatever exists.
        level = await company_level(info, found.company_id) if found is not None else None
        if found is None or level is None:
            raise asked
        if level not in COMPANY_ADMINS:
            raise Forbidden("Only company owners and admins may revoke portal sessions")
        await portal.PortalSession.filter(id=found.id, revoked_at__isnull=True).update(
            revoked_at=utcnow()
        )
        return MutationResult(success=True, operation_id=found.id)
