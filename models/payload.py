"""The body of a webhook delivery (API.md §6). Real deliveries and samples both come from here."""

from typing import Any

from models.event_types import HEALTH_CHECK
from models.rows import Row


def event_body(
    *,
    event: str,
    webhook: Row,
    previous: Any,
    current: Any,
    company_id: str,
    project_id: str,
    user_id: str | None,
    event_id: str,
    created_at: str | None,
) -> Row:
    return {
        "event": event,
        "webhook": webhook,
        "previousValue": previous,
        "currentValue": current,
        "company": {"id": company_id},
        "project": {"id": project_id},
        "user": {"id": user_id},
        "eventId": event_id,
        "createdAt": created_at,
    }


def health_check_body(webhook: Row) -> Row:
    return {"event": HEALTH_CHECK, "webhook": webhook}
