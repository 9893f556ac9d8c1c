"""A portal session may use the webhook portal's operations and nothing else: no records, no
members, no subscriptions. schema.root puts WebhookOperationsOnly on every other root field."""

import inspect
from typing import Any

from strawberry.extensions import FieldExtension
from strawberry.types import Info

from resolvers.authz import context_of
from schema.errors import Forbidden

# Root fields (Python names) a portal session may use; each checks the session's scope.
PORTAL_FIELDS = frozenset(
    {
        "portal_session",
        "webhook",
        "webhooks",
        "webhook_deliveries",
        "webhook_delivery_log",
        "webhook_delivery",
        "webhook_stats",
        "webhook_sample_payload",
        "webhook_event_types",  # the event catalog (issue 13), once it exists
        "create_webhook",
        "update_webhook",
        "disable_webhook",
        "delete_webhook",
        "rotate_webhook_secret",
        "test_webhook",
        "redeliver_webhook_delivery",
        "recover_webhook",
    }
)


def refuse_portal(info: Info) -> None:
    principal = context_of(info).principal
    if principal is not None and principal.portal is not None:
        raise Forbidden(f"A portal session may only manage webhooks, not use {info.field_name}")


class WebhookOperationsOnly(FieldExtension):
    def resolve(self, next_: Any, source: Any, info: Info, **kwargs: Any) -> Any:
        refuse_portal(info)
        return next_(source, info, **kwargs)

    async def resolve_async(self, next_: Any, source: Any, info: Info, **kwargs: Any) -> Any:
        refuse_portal(info)
        result = next_(source, info, **kwargs)
        return await result if inspect.isawaitable(result) else result


def gate(*roots: type) -> None:
    """Put WebhookOperationsOnly on every root field not in PORTAL_FIELDS: a new field is
    closed to portal sessions unless it is added there."""
    for root in roots:
        for field in root.__strawberry_definition__.fields:  # type: ignore[attr-defined]
            if field.python_name not in PORTAL_FIELDS:
                field.extensions.append(WebhookOperationsOnly())
