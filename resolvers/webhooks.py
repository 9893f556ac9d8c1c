"""Webhook management with Blue's names and rules: create, update, disable, delete, list."""

from datetime import UTC, datetime
from typing import Annotated

import strawberry
from strawberry.types import Info
from tortoise.transactions import in_transaction

from bridge.signing import generate_secret
from events.announcement import Announcement
from models.accounts import Company
from models.webhooks import Delivery, WebhookStatus
from models.webhooks import Webhook as WebhookRow
from resolvers import webhook_rules as rules
from resolvers.authz import coverage, principal, require_company, user_id
from resolvers.emit import routing_changed
from resolvers.health import health_check
from resolvers.validate import given
from schema.domain import MutationResult
from schema.paging import page, skipping, taking
from schema.webhooks import (
    CreateWebhookInput,
    DeleteWebhookInput,
    DisableWebhookInput,
    PageInfo,
    UpdateWebhookInput,
    Webhook,
    WebhookFilter,
    WebhookPagination,
)


def utcnow() -> datetime:
    return datetime.now(UTC)


async def webhooks_changed(info: Info, webhook_id: str) -> None:
    """The bridge keeps an index of webhooks by company and event; tell it this one changed."""
    await routing_changed(info, Announcement.WEBHOOKS, webhook_ids=[webhook_id])


@strawberry.type
class WebhookQuery:
    @strawberry.field(
        description="A webhook you created, or any of a company you are OWNER or ADMIN of."
    )
    async def webhook(
        self, info: Info, id: Annotated[str, strawberry.argument(description="The webhook's id.")]
    ) -> Webhook:
        return Webhook.from_model(await rules.webhook(info, id, "read"))

    @strawberry.field(
        description=(
            "Your webhooks, newest first. A company OWNER or ADMIN sees every webhook of "
            "the company too (only X-Bloo-Company-ID's company when that header is sent)."
        )
    )
    async def webhooks(
        self,
        info: Info,
        filter: Annotated[
            WebhookFilter | None,
            strawberry.argument(description="Only enabled or only disabled webhooks."),
        ] = None,
        skip: skipping("webhooks") = 0,
        take: taking("webhooks") = 20,
    ) -> WebhookPagination:
        page(skip, take)
        query = WebhookRow.filter(rules.visible(await coverage(info), user_id(info)))
        query = await rules.portal_narrowed(info, query)
        hint = principal(info).company_hint
        if hint:  # one company's, when the caller names it
            query = query.filter(company_id=(await require_company(info, hint)).id)
        if filter is not None and given(filter.enabled) and filter.enabled is not None:
            query = query.filter(enabled=filter.enabled)
        total = await query.count()
        rows = await query.order_by("-created_at", "-id").offset(skip).limit(take)
        return WebhookPagination(
            items=[Webhook.from_model(r) for r in rows], page_info=PageInfo.of(total, skip, take)
        )


@strawberry.type
class WebhookMutation:
    @strawberry.mutation(
        description=(
            "Create a webhook in the company the X-Bloo-Company-ID header names (optional "
            "when you belong to exactly one). The answer holds the signing `secret`, shown "
            "this once. Needs project ADMIN on "
            "every project in `projectIds`, or company OWNER or ADMIN when "
            "`projectIds` is empty."
        )
    )
    async def create_webhook(
        self,
        info: Info,
        input: Annotated[
            CreateWebhookInput, strawberry.argument(description="The URL and what to receive.")
        ],
    ) -> Webhook:
        company = await rules.company(info)
        url = await rules.url(info, input.url)
        name = rules.name(input.name if given(input.name) else None)
        events = [str(e) for e in (input.events or [])]
        project_ids = await rules.scope(info, company.id, input.project_ids or [])
        filters = await rules.filters(
            info, company.id, project_ids, input.filters if given(input.filters) else None
        )
        secret = generate_secret()
        async with in_transaction():
            # Serialise creates per company on PostgreSQL so the cap cannot be raced past.
            await Company.filter(id=company.id).select_for_update().first()
            await rules.below_cap(info, company.id)
            created = await WebhookRow.create(
                company_id=company.id,
                created_by_id=user_id(info),
                name=name,
                url=url,
                secret=secret,
                events=list(dict.fromkeys(events)),
                project_ids=project_ids,
                filters=filters,
            )
        await webhooks_changed(info, created.id)
        return Webhook.from_model(created, secret=secret)

    @strawberry.mutation(
        description=(
            "Change one of your webhooks; lists given replace the old ones. "
            "`enabled: true` sends a signed WEBHOOK_HEALTH_CHECK first and leaves"
            " the webhook disabled and UNHEALTHY if it fails. A company OWNER or ADMIN "
            "who changes a webhook whose creator lost access takes it over."
        )
    )
    async def update_webhook(
        self,
        info: Info,
        input: Annotated[
            UpdateWebhookInput, strawberry.argument(description="The webhook and what to change.")
        ],
    ) -> Webhook:
        webhook = await rules.webhook(info, input.webhook_id, "adopt")
        # Only the fields given are written: the bridge updates health on the same row.
        changes: dict[str, object] = {}
        if webhook.created_by_id != user_id(info):  # an owner or admin takes an orphan over
            changes["created_by_id"] = user_id(info)
        if given(input.url) and input.url is not None:
            changes["url"] = await rules.url(info, input.url)
        if given(input.name):
            changes["name"] = rules.name(input.name)
        if given(input.events):
            changes["events"] = list(dict.fromkeys(str(e) for e in input.events or []))
        if given(input.project_ids):
            changes["project_ids"] = await rules.scope(
                info, webhook.company_id, input.project_ids or []
            )
        if given(input.filters):
            project_ids = changes.get("project_ids", webhook.project_ids)
            changes["filters"] = await rules.filters(
                info, webhook.company_id, project_ids, input.filters
            )
        if given(input.enabled) and input.enabled is False:
            changes["enabled"] = False
        enable = given(input.enabled) and input.enabled is True and not webhook.enabled
        async with in_transaction():
            if enable:  # checked before anything is saved: a refused update changes nothing
                await Company.filter(id=webhook.company_id).select_for_update().first()
                await rules.below_cap(info, webhook.company_id, excluding=webhook.id)
            if changes:
                await WebhookRow.filter(id=webhook.id).update(**changes, updated_at=utcnow())
        await webhook.refresh_from_db()
        if enable:
            webhook = await health_check(info, webhook)
        await webhooks_changed(info, webhook.id)
        return Webhook.from_model(webhook)

    @strawberry.mutation(
        description=(
            "Stop deliveries to one of your webhooks, or any of a company you are OWNER or "
            "ADMIN of: enabled false, status UNHEALTHY."
        )
    )
    async def disable_webhook(
        self,
        info: Info,
        input: Annotated[DisableWebhookInput, strawberry.argument(description="The webhook.")],
    ) -> MutationResult:
        webhook = await rules.webhook(info, input.webhook_id, "manage")
        by = "its creator" if webhook.created_by_id == user_id(info) else "a company admin"
        await WebhookRow.filter(id=webhook.id).update(
            enabled=False,
            status=WebhookStatus.UNHEALTHY,
            disabled_reason=f"Disabled by {by}",
            updated_at=utcnow(),
        )
        await webhooks_changed(info, webhook.id)
        return MutationResult(success=True, operation_id=webhook.id)

    @strawberry.mutation(
        description=(
            "Delete one of your webhooks, or any of a company you are OWNER or ADMIN of, "
            "and its delivery log."
        )
    )
    async def delete_webhook(
        self,
        info: Info,
        input: Annotated[DeleteWebhookInput, strawberry.argument(description="The webhook.")],
    ) -> MutationResult:
        webhook = await rules.webhook(info, input.webhook_id, "manage")
        async with in_transaction():
            # The bridge locks a webhook's deliveries, then the webhook (bridge.queue.store).
            # Deleting the webhook first and its deliveries by cascade took the same locks in
            # the opposite order, and PostgreSQL aborted one of the two as a deadlock.
            await Delivery.filter(webhook_id=webhook.id).delete()
            await webhook.delete()
        await webhooks_changed(info, webhook.id)
        return MutationResult(success=True, operation_id=webhook.id)
