"""The rules of webhooks: what may be saved (URL, scope, filters, the per-company cap), who may
use one, and what becomes of it when its creator loses the access it was created with.

A webhook acts with its creator's rights, so its creator must hold its scope (`holds_scope`:
project ADMIN on each listed project, or company OWNER/ADMIN for every project) to create it,
change it or send with it. When a membership change takes that away, the webhook is disabled
with a reason (`retire_orphans`) and no longer counts toward the cap; the company's owners and
admins still see it, may disable or delete it, and may take it over with updateWebhook.
"""

from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Literal

from strawberry.types import Info
from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from bridge.urlguard import InvalidWebhookUrl, check_url
from models import access, ids
from models.accounts import Company, CompanyUser, ProjectLevel
from models.tracker import CustomField, Project, Tag, TodoList
from models.webhooks import Webhook, WebhookStatus
from resolvers import authz, validate
from resolvers.authz import context_of, principal, refusal, require_company, user_id
from schema.errors import BadUserInput, Forbidden, NotFound, PlanLimitReached
from schema.webhooks import WebhookRecordFiltersInput

MAX_NAME = 255
MAX_PROJECTS = 100

# read: see it and its deliveries. manage: disable or delete it. change: update, rotate its
# secret, test, redeliver, recover. adopt: change, or take over one whose creator lost access.
Need = Literal["read", "manage", "change", "adopt"]

ORPHANED = "Its creator no longer has the access its projects need"


async def url(info: Info, value: str) -> str:
    try:
        await check_url(value, allow_private=context_of(info).services.policy.allow_private_urls)
    except InvalidWebhookUrl as exc:
        raise BadUserInput(f"Invalid webhook url: {exc}", field="url") from None
    return value


def name(value: str | None) -> str | None:
    if value is None:
        return None
    cleaned = value.strip()
    if len(cleaned) > MAX_NAME:
        raise BadUserInput(f"name must be at most {MAX_NAME} characters", field="name")
    return cleaned or None


def holds_scope(coverage: access.Coverage, company_id: str, project_ids: Sequence[str]) -> bool:
    """The rule itself: whether someone with these roles may own a webhook of this scope."""
    if not project_ids:
        return coverage.companies.get(company_id) in access.COMPANY_ADMINS
    return all(coverage.level(company_id, p) == ProjectLevel.ADMIN for p in project_ids)


async def company(info: Info) -> Company:
    """The organisation named by X-Bloo-Company-ID (id or slug), as Blue requires."""
    hint = principal(info).company_hint  # authentication before anything else
    if not hint:
        raise BadUserInput("The X-Bloo-Company-ID header is required", field="X-Bloo-Company-ID")
    return await require_company(info, hint)


async def scope(info: Info, company_id: str, project_ids: list[str]) -> list[str]:
    """Project ADMIN on every listed project, or company OWNER/ADMIN for all projects; and,
    for a portal session, within its scope."""
    project_ids = list(dict.fromkeys(project_ids))
    if len(project_ids) > MAX_PROJECTS:
        raise BadUserInput(f"projectIds may hold at most {MAX_PROJECTS} ids", field="projectIds")
    portal = principal(info).portal
    if portal is not None and not portal.covers(company_id, project_ids):
        raise Forbidden(
            "This portal session covers webhooks of these projects only: "
            f"{', '.join(sorted(portal.project_ids))}; list projectIds among them",
            field="projectIds",
        )
    coverage = await authz.coverage(info)
    if not project_ids:
        if not holds_scope(coverage, company_id, []):
            raise Forbidden(
                "A webhook for every project needs company OWNER or ADMIN; list projectIds "
                "where you are project ADMIN instead"
            )
        return []
    projects = {p.id: p for p in await Project.filter(id__in=ids.possible(project_ids))}
    for project_id in project_ids:
        project = projects.get(project_id)
        if project is None:
            raise NotFound("Project", project_id)
        if not coverage.covers(project.company_id, project_id):
            raise refusal(coverage, project.company_id, NotFound("Project", project_id))
        if project.company_id != company_id:
            raise BadUserInput(
                f"Project {project_id!r} is not one of this company's projects",
                field="projectIds",
            )
        if not holds_scope(coverage, company_id, [project_id]):
            raise Forbidden(f"You must be ADMIN of project {project_id!r} to send its events")
    return project_ids


async def readable_projects(company_id: str, project_ids: list[str]) -> list[str]:
    if project_ids:
        return project_ids
    return await Project.filter(company_id=company_id).values_list("id", flat=True)


async def filters(
    info: Info, company_id: str, project_ids: list[str], given: WebhookRecordFiltersInput | None
) -> dict[str, list[str]] | None:
    """Every id in the filters must exist in the webhook's projects."""
    if given is None:
        return None
    values = given.as_dict()
    projects = await readable_projects(company_id, project_ids)
    checks = {
        "todoListIds": TodoList.filter(project_id__in=projects),
        "tagIds": Tag.filter(project_id__in=projects),
        "customFieldIds": CustomField.filter(project_id__in=projects),
    }
    for key, wanted in values.items():
        wanted = values[key] = validate.id_list(wanted, f"filters.{key}")
        if key == "assigneeIds":
            found = await CompanyUser.filter(
                company_id=company_id, user_id__in=ids.possible(wanted)
            ).values_list("user_id", flat=True)
        else:
            query = checks[key].filter(id__in=ids.possible(wanted))
            found = await query.values_list("id", flat=True)
        unknown = [i for i in wanted if i not in set(found)]
        if unknown:
            raise BadUserInput(
                f"filters.{key}: {', '.join(unknown)} not found in the webhook's projects",
                field=f"filters.{key}",
            )
    return values or None


async def below_cap(info: Info, company_id: str, excluding: str | None = None) -> None:
    limit = context_of(info).services.policy.max_enabled_per_company
    query = Webhook.filter(company_id=company_id, enabled=True)
    if excluding:
        query = query.exclude(id=excluding)
    if await query.count() >= limit:
        raise PlanLimitReached(f"This company already has {limit} enabled webhooks")


async def webhook(
    info: Info, webhook_id: str, need: Need, asked: NotFound | None = None
) -> Webhook:
    """The webhook, if the caller may `need` it. Outside its company it answers `asked` (the
    entity the caller named; the webhook by default), exactly as a missing id does.

    Its company's owners and admins may read, disable and delete every webhook of the company,
    and take over one whose creator lost access. Its creator may read it while in the company,
    and do the rest while holding its scope. Other members of the company: FORBIDDEN. A portal
    session acts as its creator (an owner or admin), and sees nothing outside its scope.
    """
    caller = user_id(info)
    coverage = await authz.coverage(info)
    found = await ids.find(Webhook, webhook_id)
    if (
        found is None
        or found.company_id not in coverage.companies
        or not in_portal_scope(info, found)
    ):
        raise asked or NotFound("Webhook", webhook_id)
    mine = found.created_by_id == caller
    admin = coverage.companies[found.company_id] in access.COMPANY_ADMINS
    if need == "read" and (mine or admin):
        return found
    if mine and holds_scope(coverage, found.company_id, found.project_ids):
        return found
    if admin and need == "manage":
        return found
    if admin and need == "adopt" and await orphaned(found):
        return found
    if mine:
        raise Forbidden(
            "You no longer have the access this webhook's projects need (project ADMIN, or "
            "company OWNER/ADMIN for every project); a company owner or admin may take it over"
        )
    if admin:
        raise Forbidden(
            "Only its creator may change this webhook; company owners and admins may disable "
            "or delete it, and take it over with updateWebhook once its creator lost access"
        )
    raise Forbidden("Only the webhook's creator and the company's owners and admins may use it")


async def orphaned(found: Webhook) -> bool:
    """Whether the webhook's creator no longer holds its scope."""
    creator = await access.coverage(found.created_by_id)
    return not holds_scope(creator, found.company_id, found.project_ids)


def visible(coverage: access.Coverage, user: str) -> Q:
    """The webhooks `webhooks` lists: every one of the companies the caller administers, and
    the caller's own in the companies they still belong to (as `webhook` lets them read)."""
    return Q(company_id__in=list(coverage.administers)) | Q(
        created_by_id=user, company_id__in=list(coverage.companies)
    )


async def retire_orphans(company_id: str, user_ids: Collection[str]) -> list[str]:
    """The leaver rule, applied after each membership change in a company: every enabled
    webhook of these users there whose scope its creator no longer holds is disabled, with a
    reason, so it sends nothing more and no longer counts toward the cap. Returns their ids."""
    found = await Webhook.filter(
        company_id=company_id, created_by_id__in=list(user_ids), enabled=True
    )
    if not found:
        return []
    roles = await access.coverages({w.created_by_id for w in found})
    ids = [
        w.id for w in found if not holds_scope(roles[w.created_by_id], company_id, w.project_ids)
    ]
    if ids:
        await Webhook.filter(id__in=ids, enabled=True).update(
            enabled=False,
            status=WebhookStatus.UNHEALTHY,
            disabled_reason=ORPHANED,
            updated_at=datetime.now(UTC),
        )
    return ids


def in_portal_scope(info: Info, found: Webhook) -> bool:
    """Whether the caller's portal session (if it uses one) covers the webhook."""
    portal = principal(info).portal
    return portal is None or portal.covers(found.company_id, found.project_ids)


async def portal_narrowed(info: Info, query: QuerySet[Webhook]) -> QuerySet[Webhook]:
    """The webhooks of `query` the caller's portal session (if any) covers. Project lists are
    JSON, so they are compared here, among one company's webhooks (a bounded number)."""
    portal = principal(info).portal
    if portal is None:
        return query
    query = query.filter(company_id=portal.company_id)
    if portal.every_project:
        return query
    found = await query.values_list("id", "project_ids")
    return query.filter(id__in=[i for i, p in found if portal.covers(portal.company_id, p)])
