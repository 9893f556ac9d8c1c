"""The delivery log for browsing 100k+ deliveries: keyset pages, filters, one delivery in full.

Pages are ordered by (created_at, id), newest first, and continue from a cursor holding the
last pair seen, so a page deep in the log costs what the first one does: the range starts on
the index (webhook_id, created_at, status, event), which also answers the status and event
filters without reading table rows. Offsets (webhookDeliveries' skip) would read every row they
skip.
"""

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info
from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from models import ids
from models.event_types import HEALTH_CHECK, EventType
from models.webhooks import Delivery, DeliveryAttempt, DeliveryStatus
from resolvers import webhook_rules as rules
from resolvers.authz import principal
from resolvers.request_bodies import RequestBodies
from resolvers.stats import utc
from resolvers.validate import given
from schema import paging
from schema.delivery_log import DeliveryLogFilter, WebhookDeliveryPage
from schema.errors import BadUserInput, NotFound
from schema.paging import taking
from schema.webhooks import WebhookDelivery

EVENT_NAMES = frozenset(EventType) | {HEALTH_CHECK}


@dataclass(frozen=True)
class Cursor:
    created_at: datetime
    id: str

    def encode(self) -> str:
        raw = f"{self.created_at.isoformat()}|{self.id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str, field: str) -> "Cursor":
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
            stamp, _, delivery_id = raw.partition("|")
            found = cls(utc(datetime.fromisoformat(stamp)), delivery_id)
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise BadUserInput(f"{field} is not a cursor of this log", field=field) from None
        if not ids.could_exist(found.id):
            raise BadUserInput(f"{field} is not a cursor of this log", field=field)
        return found

    @classmethod
    def of(cls, delivery: Delivery) -> "Cursor":
        return cls(delivery.created_at, delivery.id)

    def older(self) -> Q:
        """Rows after this one, newest first. Written so the range starts on the index."""
        return Q(created_at__lte=self.created_at) & (
            Q(created_at__lt=self.created_at) | Q(id__lt=self.id)
        )

    def newer(self) -> Q:
        return Q(created_at__gte=self.created_at) & (
            Q(created_at__gt=self.created_at) | Q(id__gt=self.id)
        )


def filtered(webhook_id: str, given_filter: DeliveryLogFilter | None) -> QuerySet[Delivery]:
    query = Delivery.filter(webhook_id=webhook_id)
    if given_filter is None:
        return query
    if given(given_filter.status) and given_filter.status is not None:
        query = query.filter(status=DeliveryStatus(given_filter.status))
    if given(given_filter.event) and given_filter.event is not None:
        if given_filter.event not in EVENT_NAMES:
            raise BadUserInput(f"{given_filter.event!r} is not an event name", field="filter.event")
        query = query.filter(event=given_filter.event)
    if given(given_filter.from_) and given_filter.from_ is not None:
        query = query.filter(created_at__gte=utc(given_filter.from_))
    if given(given_filter.to) and given_filter.to is not None:
        query = query.filter(created_at__lt=utc(given_filter.to))
    return query


async def with_attempts(rows: list[Delivery]) -> list[WebhookDelivery]:
    attempts: dict[str, list[DeliveryAttempt]] = {r.id: [] for r in rows}
    if rows:
        found = DeliveryAttempt.filter(delivery_id__in=list(attempts)).order_by("number", "id")
        for attempt in await found:
            attempts[attempt.delivery_id].append(attempt)
    bodies = RequestBodies()
    return [WebhookDelivery.from_model(r, attempts[r.id], bodies) for r in rows]


@strawberry.type
class DeliveryLogQuery:
    @strawberry.field(
        description=(
            "The delivery log of one of your webhooks, newest first, filtered, in pages that "
            "follow a cursor (any depth costs the same), each delivery with every attempt."
        )
    )
    async def webhook_delivery_log(
        self,
        info: Info,
        webhook_id: Annotated[str, strawberry.argument(description="The webhook's id.")],
        filter: Annotated[
            DeliveryLogFilter | None,
            strawberry.argument(description="Which deliveries to show."),
        ] = None,
        after: Annotated[
            str | None,
            strawberry.argument(description="Older than this cursor (a page's endCursor)."),
        ] = None,
        before: Annotated[
            str | None,
            strawberry.argument(description="Newer than this cursor (a page's startCursor)."),
        ] = None,
        take: taking("deliveries") = 20,
    ) -> WebhookDeliveryPage:
        paging.page(0, take)
        if after is not None and before is not None:
            raise BadUserInput("give after or before, not both", field="before")
        webhook = await rules.webhook(info, webhook_id, "read")
        query = filtered(webhook.id, filter)
        if before is not None:  # the page just newer than the cursor, read upwards
            cursor = Cursor.decode(before, "before")
            rows = await query.filter(cursor.newer()).order_by("created_at", "id").limit(take + 1)
            more_newer, rows = len(rows) > take, rows[:take][::-1]
            more_older = True  # the cursor's own row is older than this page
        else:
            cursor = Cursor.decode(after, "after") if after is not None else None
            page = query.filter(cursor.older()) if cursor else query
            rows = await page.order_by("-created_at", "-id").limit(take + 1)
            more_older, rows = len(rows) > take, rows[:take]
            more_newer = cursor is not None
        if rows and before is not None:
            more_older = await query.filter(Cursor.of(rows[-1]).older()).exists()
        elif rows and cursor is not None:
            more_newer = await query.filter(Cursor.of(rows[0]).newer()).exists()
        return WebhookDeliveryPage(
            items=await with_attempts(rows),
            start_cursor=Cursor.of(rows[0]).encode() if rows else None,
            end_cursor=Cursor.of(rows[-1]).encode() if rows else None,
            has_next_page=more_older,
            has_previous_page=more_newer,
        )

    @strawberry.field(
        description="One delivery of one of your webhooks, with every attempt in full."
    )
    async def webhook_delivery(
        self,
        info: Info,
        id: Annotated[str, strawberry.argument(description="The delivery's id.")],
    ) -> WebhookDelivery:
        principal(info)  # authentication before any lookup
        asked = NotFound("WebhookDelivery", id)
        delivery = await ids.find(Delivery, id)
        if delivery is None:
            raise asked
        await rules.webhook(info, delivery.webhook_id, "read", asked=asked)
        [found] = await with_attempts([delivery])
        return found
