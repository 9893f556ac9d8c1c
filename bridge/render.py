"""Build and sign the request of one delivery attempt: render → sign, both pure."""

import json
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import version
from typing import Any

from bridge.signing import sign
from models.payload import event_body
from models.rows import Row, iso
from models.webhooks import Webhook

USER_AGENT = f"Hookline-Webhooks/{version('hookline')}"


@dataclass(frozen=True)
class EventData:
    """The parts of an event a body needs (from the event row or the stream)."""

    id: int
    type: str
    company_id: str
    project_id: str
    user_id: str | None
    previous_value: Any
    current_value: Any
    created_at: datetime


@dataclass(frozen=True)
class Request:
    url: str
    body: bytes
    headers: dict[str, str]


def body_of(webhook: Row, event: EventData | None, payload: Any) -> bytes:
    """The raw body: a stored payload (health checks, tests) or the event's.

    `webhook` is the webhook's row (models.rows.webhook_row), rendered once per batch.
    """
    if payload is None:
        assert event is not None, "an event delivery needs its event"
        payload = event_body(
            event=event.type,
            webhook=webhook,
            previous=event.previous_value,
            current=event.current_value,
            company_id=event.company_id,
            project_id=event.project_id,
            user_id=event.user_id,
            event_id=str(event.id),
            created_at=iso(event.created_at),
        )
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def active_secrets(webhook: Webhook, now: datetime) -> list[str]:
    """Newest first; the previous secret signs too until its grace period ends."""
    secrets = [webhook.secret]
    expires = webhook.previous_secret_expires_at
    if webhook.previous_secret and expires is not None and expires > now:
        secrets.append(webhook.previous_secret)
    return secrets


def build_request(
    webhook: Webhook, message_id: str, event_type: str, body: bytes, now: datetime
) -> Request:
    headers = sign(active_secrets(webhook, now), message_id, int(now.timestamp()), body, event_type)
    headers["Content-Type"] = "application/json"
    headers["User-Agent"] = USER_AGENT
    return Request(webhook.url, body, headers)
