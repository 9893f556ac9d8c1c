"""The rules a webhook must satisfy to be saved: URL, scope, filters and the per-company cap."""

from strawberry.types import Info
from tortoise.queryset import QuerySet

from bridge.urlguard import InvalidWebhookUrl, check_url
from models import access, ids
from models.accounts import Company, CompanyUser
from models.tracker import CustomField, Project, Tag, TodoList
from models.webhooks import Webhook
from resolvers import validate
from resolvers.authz import (
    company_level,
    context_of,
    find_company,
    principal,
    project_level,
    user_id,
)
from schema.errors import BadUserInput, Forbidden, NotFound, PlanLimitReached
from schema.webhooks import WebhookRecordFiltersInput

MAX_NAME = 255
MAX_PROJECTS = 100


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


async def company(info: Info) -> Company:
    """The organisation named by X-Bloo-Company-ID (id or slug), as Blue requires."""
    hint = context_of(info).principal.company_hint if context_of(info).principal else None
    if not hint:
        raise BadUserInput("The X-Bloo-Company-ID header is required", field="X-Bloo-Company-ID")
    found = await find_company(hint)
    if found is None:
        raise NotFound("Company", hint)
    if await company_level(info, found.id) is None:
        raise Forbidden("You are not a member of this company")
    return found


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
    if not project_ids:
        if await company_level(info, company_id) not in access.COMPANY_ADMINS:
            raise Forbidden(
                "A webhook for every project needs company OWNER or ADMIN; list projectIds "
                "where you are project ADMIN instead"
            )
        return []
    projects = {p.id: p for p in await Project.filter(id__in=ids.possible(project_ids))}
    for project_id in project_ids:
        project = projects.get(project_id)
        if project is None or project.company_id != company_id:
            raise Forbidden(f"Project {project_id!r} is not one of this company's projects")
        if await project_level(info, project) != "ADMIN":
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


async def own(info: Info, webhook_id: str) -> Webhook:
    """A webhook only its creator may see or change; outside a portal session's scope, one
    that does not exist."""
    found = await ids.find(Webhook, webhook_id)
    if found is None or not in_portal_scope(info, found):
        raise NotFound("Webhook", webhook_id)
    if found.created_by_id != user_id(info):
        raise Forbidden("Only the webhook's creator may use it")
    return found
