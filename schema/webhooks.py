"""Webhook management types (API.md §4), including the delivery log."""

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


@strawberry.type
class WebhookRecordFilters:
    todo_list_ids: list[str] | None = None
    tag_ids: list[str] | None = None
    assignee_ids: list[str] | None = None
    custom_field_ids: list[str] | None = None


@strawberry.input
class WebhookRecordFiltersInput:
    """Each given list must intersect the record's values (AND across lists, OR within one)."""

    todo_list_ids: list[str] | None = None
    tag_ids: list[str] | None = None
    assignee_ids: list[str] | None = None
    custom_field_ids: list[str] | None = None

    def as_dict(self) -> dict[str, list[str]]:
        values = (self.todo_list_ids, self.tag_ids, self.assignee_ids, self.custom_field_ids)
        return {k: list(dict.fromkeys(v)) for k, v in zip(FILTER_KEYS, values, strict=True) if v}


@strawberry.type
class Webhook:
    id: strawberry.ID
    uid: str
    name: str | None
    url: str
    secret: str | None = strawberry.field(
        description="Non-null only in the createWebhook and rotateWebhookSecret responses"
    )
    status: WebhookStatusType
    events: list[WebhookEvent]
    project_ids: list[str]
    filters: WebhookRecordFilters | None
    enabled: bool
    metadata: JSON | None
    created_by_id: str
    created_at: datetime
    updated_at: datetime
    consecutive_failures: int
    last_delivery_at: datetime | None
    last_failure_at: datetime | None
    disabled_reason: str | None

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


@strawberry.type
class PageInfo:
    total_pages: int | None
    total_items: int | None
    page: int | None
    per_page: int | None
    has_next_page: bool
    has_previous_page: bool

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


@strawberry.type
class WebhookPagination:
    items: list[Webhook]
    page_info: PageInfo


@strawberry.type
class DeliveryAttempt:
    number: int
    started_at: datetime
    duration_ms: float
    status_code: int | None
    error: str | None
    response_body: str | None

    @classmethod
    def from_model(cls, row: AttemptRow) -> Self:
        return cls(
            number=row.number,
            started_at=row.started_at,
            duration_ms=row.duration_ms,
            status_code=row.status_code,
            error=row.error,
            response_body=row.response_body,
        )


@strawberry.type
class WebhookDelivery:
    id: strawberry.ID
    webhook_id: str
    event_id: str | None
    event: str = strawberry.field(description="A WebhookEvent, or WEBHOOK_HEALTH_CHECK")
    message_id: str
    status: DeliveryStatus
    attempt_count: int
    next_attempt_at: datetime | None
    created_at: datetime
    attempts: list[DeliveryAttempt]

    @classmethod
    def from_model(cls, row: DeliveryRow, attempts: list[AttemptRow]) -> Self:
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
            attempts=[DeliveryAttempt.from_model(a) for a in attempts],
        )


@strawberry.type
class WebhookDeliveryPagination:
    items: list[WebhookDelivery]
    page_info: PageInfo


@strawberry.input
class WebhookFilter:
    enabled: bool | None = UNSET


@strawberry.input
class CreateWebhookInput:
    url: str
    name: str | None = UNSET
    events: list[WebhookEvent] | None = UNSET
    project_ids: list[str] | None = UNSET
    filters: WebhookRecordFiltersInput | None = UNSET


@strawberry.input
class UpdateWebhookInput:
    webhook_id: str
    url: str | None = UNSET
    name: str | None = UNSET
    events: list[WebhookEvent] | None = UNSET
    project_ids: list[str] | None = UNSET
    filters: WebhookRecordFiltersInput | None = UNSET
    enabled: bool | None = UNSET


@strawberry.input
class DisableWebhookInput:
    webhook_id: str


@strawberry.input
class DeleteWebhookInput:
    webhook_id: str


@strawberry.input
class RotateWebhookSecretInput:
    webhook_id: str
    grace_period_seconds: int = 86400


@strawberry.input
class TestWebhookInput:
    webhook_id: str
    event: WebhookEvent | None = UNSET


@strawberry.input
class RedeliverWebhookDeliveryInput:
    delivery_id: str


@strawberry.input
class RecoverWebhookInput:
    webhook_id: str
    since: datetime
    until: datetime | None = UNSET
