"""Webhook management types (API.md §4), including the delivery log."""

import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Self

import strawberry
from strawberry import UNSET
from strawberry.scalars import JSON

from models.webhooks import Delivery as DeliveryRow
from models.webhooks import DeliveryAttempt as AttemptRow
from models.webhooks import Webhook as WebhookRow
from schema.enums import DeliveryStatus, WebhookEvent, WebhookStatusType

FILTER_KEYS = ("todoListIds", "tagIds", "assigneeIds", "customFieldIds")


@strawberry.type(
    description=(
        "Narrows a webhook to some records: each list given must share a "
        "value with the record (AND across lists, OR within one). Null lists "
        "do not filter."
    )
)
class WebhookRecordFilters:
    todo_list_ids: list[str] | None = strawberry.field(
        default=None, description="Only records in one of these todo lists."
    )
    tag_ids: list[str] | None = strawberry.field(
        default=None, description="Only records carrying one of these tags."
    )
    assignee_ids: list[str] | None = strawberry.field(
        default=None, description="Only records assigned to one of these users."
    )
    custom_field_ids: list[str] | None = strawberry.field(
        default=None, description="Only records with a value for one of these custom fields."
    )


@strawberry.input(
    description=(
        "Narrows a webhook to some records: each list given must share a "
        "value with the record (AND across lists, OR within one). Omitted or "
        "empty lists do not filter."
    )
)
class WebhookRecordFiltersInput:
    """Each given list must intersect the record's values (AND across lists, OR within one)."""

    todo_list_ids: list[str] | None = strawberry.field(
        default=None, description="Only records in one of these todo lists."
    )
    tag_ids: list[str] | None = strawberry.field(
        default=None, description="Only records carrying one of these tags."
    )
    assignee_ids: list[str] | None = strawberry.field(
        default=None, description="Only records assigned to one of these users."
    )
    custom_field_ids: list[str] | None = strawberry.field(
        default=None, description="Only records with a value for one of these custom fields."
    )

    def as_dict(self) -> dict[str, list[str]]:
        values = (self.todo_list_ids, self.tag_ids, self.assignee_ids, self.custom_field_ids)
        return {k: list(dict.fromkeys(v)) for k, v in zip(FILTER_KEYS, values, strict=True) if v}


@strawberry.type(
    description=(
        "An HTTPS endpoint that receives a signed POST for every matching "
        "event (Blue's Webhook). Only its creator can see and change it."
    )
)
class Webhook:
    id: strawberry.ID = strawberry.field(description="The webhook's id.")
    uid: str = strawberry.field(description="A second unique id, as Blue has.")
    name: str | None = strawberry.field(description="A name for people, if given.")
    url: str = strawberry.field(
        description=(
            "Where deliveries are POSTed: http or https, and not a loopback, "
            "private or link-local address unless the operator set "
            "HOOKLINE_ALLOW_PRIVATE_URLS=1."
        )
    )
    secret: str | None = strawberry.field(
        description=(
            "The signing secret (`whsec_…`), shown only in the createWebhook and "
            "rotateWebhookSecret answers. X-Signature is keyed with the whole string, "
            "webhook-signature with its base64-decoded part."
        )
    )
    status: WebhookStatusType = strawberry.field(
        description="HEALTHY, or UNHEALTHY after consecutive failed deliveries or when disabled."
    )
    events: list[WebhookEvent] = strawberry.field(
        description="The events it receives; empty means every event."
    )
    project_ids: list[str] = strawberry.field(
        description="The projects it covers; empty means every project its creator belongs to."
    )
    filters: WebhookRecordFilters | None = strawberry.field(
        description="Narrows deliveries to some records; null when it does not."
    )
    enabled: bool = strawberry.field(
        description=(
            "Whether deliveries are sent. Turned off by disableWebhook, by a 410 "
            "Gone answer, or when one delivery exhausts its retries."
        )
    )
    metadata: JSON | None = strawberry.field(
        description='Blue\'s copy of the scope: {"events": [...], "projectIds": [...]}.'
    )
    created_by_id: str = strawberry.field(
        description="The user who created it, and the only one who may read or change it."
    )
    created_at: datetime = strawberry.field(description="When the webhook was created.")
    updated_at: datetime = strawberry.field(description="When the webhook was last changed.")
    consecutive_failures: int = strawberry.field(
        description="Failed attempts since the last successful delivery."
    )
    last_delivery_at: datetime | None = strawberry.field(
        description="When a delivery last succeeded."
    )
    last_failure_at: datetime | None = strawberry.field(description="When an attempt last failed.")
    disabled_reason: str | None = strawberry.field(
        description=(
            "Why Hookline disabled the webhook (410 Gone, retries exhausted, "
            "failed health check); null when enabled."
        )
    )

    @classmethod
    def from_model(cls, row: WebhookRow, secret: str | None = None) -> Self:
        filters = row.filters or None
        return cls(
            id=row.id,
            uid=row.uid,
            name=row.name,
            url=row.url,
            secret=secret,
            status=WebhookStatusType(row.status),
            events=[WebhookEvent(e) for e in row.events],
            project_ids=list(row.project_ids),
            filters=WebhookRecordFilters(
                todo_list_ids=filters.get("todoListIds"),
                tag_ids=filters.get("tagIds"),
                assignee_ids=filters.get("assigneeIds"),
                custom_field_ids=filters.get("customFieldIds"),
            )
            if filters
            else None,
            enabled=row.enabled,
            metadata={"events": list(row.events), "projectIds": list(row.project_ids)},
            created_by_id=row.created_by_id,
            created_at=row.created_at,
            updated_at=row.updated_at,
            consecutive_failures=row.consecutive_failures,
            last_delivery_at=row.last_delivery_at,
            last_failure_at=row.last_failure_at,
            disabled_reason=row.disabled_reason,
        )


@strawberry.type(description="Where a page sits in the whole list.")
class PageInfo:
    total_pages: int | None = strawberry.field(
        description="Pages of `perPage` items in the whole list."
    )
    total_items: int | None = strawberry.field(description="Items in the whole list.")
    page: int | None = strawberry.field(description="This page's number, from 1.")
    per_page: int | None = strawberry.field(description="Items per page (the `take` asked for).")
    has_next_page: bool = strawberry.field(description="Whether items follow this page.")
    has_previous_page: bool = strawberry.field(description="Whether items precede this page.")

    @classmethod
    def of(cls, total: int, skip: int, take: int) -> Self:
        return cls(
            total_pages=(total + take - 1) // take,
            total_items=total,
            page=skip // take + 1,
            per_page=take,
            has_next_page=skip + take < total,
            has_previous_page=skip > 0,
        )


@strawberry.type(description="One page of webhooks, newest first.")
class WebhookPagination:
    items: list[Webhook] = strawberry.field(description="The webhooks on this page.")
    page_info: PageInfo = strawberry.field(description="Where this page sits in the whole list.")


@strawberry.type(description="One HTTP attempt of a delivery, as recorded.")
class DeliveryAttempt:
    number: int = strawberry.field(description="1 for the first attempt, then 2, 3, …")
    started_at: datetime = strawberry.field(description="When the request was sent.")
    duration_ms: float = strawberry.field(description="How long the attempt took, in milliseconds.")
    status_code: int | None = strawberry.field(
        description=(
            "The HTTP status of the answer; null when none came (timeout, "
            "refused, blocked address)."
        )
    )
    error: str | None = strawberry.field(
        description="Why the attempt failed; null when it succeeded."
    )
    response_body: str | None = strawberry.field(
        description="The first 4 KiB of the answer's body."
    )
    request_headers: JSON | None = strawberry.field(
        description=(
            "The request's headers exactly as sent, signatures included, as an object in the "
            "order sent; null when no request was made (the webhook was gone)."
        )
    )
    # Rebuilds the body on demand (see request_body); given by the resolver that built this.
    body: strawberry.Private[Callable[[], Awaitable[str | None]] | None] = None

    @strawberry.field(
        description=(
            "The request's body byte for byte, rebuilt from what it was made of (the event and "
            "the webhook as it was then, or the stored payload of a test or health check) and "
            "checked against the SHA-256 recorded when it was sent. Null when that is no longer "
            "possible: its event is past the event retention, or nothing was sent."
        )
    )
    async def request_body(self) -> str | None:
        return await self.body() if self.body is not None else None

    @classmethod
    def from_model(
        cls, row: AttemptRow, body: Callable[[], Awaitable[str | None]] | None = None
    ) -> Self:
        return cls(
            number=row.number,
            started_at=row.started_at,
            duration_ms=row.duration_ms,
            status_code=row.status_code,
            error=row.error,
            response_body=row.response_body,
            request_headers=json.loads(row.request_headers) if row.request_headers else None,
            body=body,
        )


# Given a delivery and one of its attempts, what rebuilds the attempt's body.
BodySource = Callable[[DeliveryRow, AttemptRow], Callable[[], Awaitable[str | None]]]


@strawberry.type(
    description=(
        "One event (or health check or test) to send to one webhook, with "
        "every attempt made. Kept for the delivery retention period after it "
        "ends."
    )
)
class WebhookDelivery:
    id: strawberry.ID = strawberry.field(
        description="The delivery's id (for redeliverWebhookDelivery)."
    )
    webhook_id: str = strawberry.field(description="The webhook it goes to.")
    event_id: str | None = strawberry.field(
        description="The event's cursor; null for health checks and tests."
    )
    event: str = strawberry.field(
        description="The event sent: a WebhookEvent name, or WEBHOOK_HEALTH_CHECK."
    )
    message_id: str = strawberry.field(
        description=(
            "The `webhook-id` header: the same on every retry, so receivers can drop duplicates."
        )
    )
    status: DeliveryStatus = strawberry.field(
        description="PENDING while attempts remain, then SUCCEEDED or FAILED."
    )
    attempt_count: int = strawberry.field(description="Attempts made so far.")
    next_attempt_at: datetime | None = strawberry.field(
        description="When the next attempt is due; null once the delivery has ended."
    )
    created_at: datetime = strawberry.field(description="When the delivery was queued.")
    attempts: list[DeliveryAttempt] = strawberry.field(description="Every attempt, first to last.")

    @classmethod
    def from_model(
        cls, row: DeliveryRow, attempts: list[AttemptRow], bodies: BodySource | None = None
    ) -> Self:
        return cls(
            id=row.id,
            webhook_id=row.webhook_id,
            event_id=str(row.event_id) if row.event_id is not None else None,
            event=row.event,
            message_id=row.message_id,
            status=DeliveryStatus(row.status),
            attempt_count=row.attempt_count,
            next_attempt_at=row.next_attempt_at,
            created_at=row.created_at,
            attempts=[
                DeliveryAttempt.from_model(a, bodies(row, a) if bodies else None) for a in attempts
            ],
        )


@strawberry.type(description="One page of a webhook's deliveries, newest first.")
class WebhookDeliveryPagination:
    items: list[WebhookDelivery] = strawberry.field(description="The deliveries on this page.")
    page_info: PageInfo = strawberry.field(description="Where this page sits in the whole list.")


@strawberry.input(description="Which of your webhooks to list.")
class WebhookFilter:
    enabled: bool | None = strawberry.field(
        default=UNSET,
        description="Only enabled (true) or only disabled (false) webhooks; omit for both.",
    )


@strawberry.input(description="A new webhook. Omitted or empty `events` and `projectIds` mean all.")
class CreateWebhookInput:
    url: str = strawberry.field(
        description="Where to POST deliveries (http or https, publicly routable)."
    )
    name: str | None = strawberry.field(default=UNSET, description="A name for people.")
    events: list[WebhookEvent] | None = strawberry.field(
        default=UNSET,
        description=(
            "The events to receive; omit or leave empty for every event, "
            "including ones added later."
        ),
    )
    project_ids: list[str] | None = strawberry.field(
        default=UNSET,
        description=(
            "The projects to cover; omit or leave empty for every project you "
            "belong to (needs company OWNER or ADMIN). Naming projects needs "
            "project ADMIN on each."
        ),
    )
    filters: WebhookRecordFiltersInput | None = strawberry.field(
        default=UNSET, description="Narrow deliveries to some records."
    )


@strawberry.input(
    description=(
        "Changes to a webhook; omitted fields stay as they are, and given "
        "lists replace the old ones."
    )
)
class UpdateWebhookInput:
    webhook_id: str = strawberry.field(description="The webhook to change.")
    url: str | None = strawberry.field(
        default=UNSET, description="A new URL (checked like createWebhook's)."
    )
    name: str | None = strawberry.field(default=UNSET, description="A new name.")
    events: list[WebhookEvent] | None = strawberry.field(
        default=UNSET, description="The new list of events; empty means every event."
    )
    project_ids: list[str] | None = strawberry.field(
        default=UNSET,
        description="The new list of projects; empty means every project you belong to.",
    )
    filters: WebhookRecordFiltersInput | None = strawberry.field(
        default=UNSET, description="New record filters; null removes them."
    )
    enabled: bool | None = strawberry.field(
        default=UNSET,
        description=(
            "true sends a signed WEBHOOK_HEALTH_CHECK first and enables the "
            "webhook only if it succeeds; false disables it."
        ),
    )


@strawberry.input(description="The webhook to disable.")
class DisableWebhookInput:
    webhook_id: str = strawberry.field(description="The webhook's id.")


@strawberry.input(description="The webhook to delete.")
class DeleteWebhookInput:
    webhook_id: str = strawberry.field(description="The webhook's id.")


@strawberry.input(description="The webhook whose secret to replace.")
class RotateWebhookSecretInput:
    webhook_id: str = strawberry.field(description="The webhook's id.")
    grace_period_seconds: int = strawberry.field(
        default=86400,
        description=(
            "How long deliveries stay signed with the old secret as well (one "
            "`webhook-signature` entry each)."
        ),
    )


@strawberry.input(description="The webhook to send a sample to.")
class TestWebhookInput:
    webhook_id: str = strawberry.field(description="The webhook's id.")
    event: WebhookEvent | None = strawberry.field(
        default=UNSET,
        description=(
            "The event whose sample payload to send; omit for the webhook's first event "
            "(TODO_CREATED when it receives all)."
        ),
    )


@strawberry.input(description="The delivery to send again.")
class RedeliverWebhookDeliveryInput:
    delivery_id: str = strawberry.field(description="The delivery's id.")


@strawberry.input(description="Failed deliveries of a webhook to queue again.")
class RecoverWebhookInput:
    webhook_id: str = strawberry.field(description="The webhook's id.")
    since: datetime = strawberry.field(
        description="Re-queue failed deliveries created at or after this time."
    )
    until: datetime | None = strawberry.field(
        default=UNSET, description="…and before this time; omit for up to now."
    )
