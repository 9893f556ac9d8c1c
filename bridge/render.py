"""Build and sign the request of one delivery attempt: render → sign, both pure."""

import dataclasses
import functools
import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import version
from typing import Any, Protocol

from bridge.signing import sign
from events.log import EventNames
from models.payload import event_body
from models.rows import Row, iso, webhook_row
from models.webhooks import Webhook

USER_AGENT = f"Hookline-Webhooks/{version('hookline')}"


class RawJson(str):
    """JSON text as stored, spliced into a body without being parsed and re-encoded."""


# Random per process, so no stored text can collide with it.
_SLOT = f"hookline-slot-{secrets.token_hex(8)}"


@dataclass(frozen=True)
class EventData:
    """The parts of an event a body needs. Values may be parsed JSON or RawJson text."""

    id: int
    type: str
    company_id: str
    project_id: str
    user_id: str | None
    previous_value: Any
    current_value: Any
    created_at: datetime
    names: EventNames = dataclasses.field(default_factory=EventNames)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> "EventData":
        """From the event table's columns, its values kept as the JSON text stored."""
        created_at = row["created_at"]
        if isinstance(created_at, str):
            created_at = datetime.fromisoformat(created_at)
        return cls(
            id=row["id"],
            type=row["type"],
            company_id=row["company_id"],
            project_id=row["project_id"],
            user_id=row["user_id"],
            previous_value=_raw(row["previous_value"]),
            current_value=_raw(row["current_value"]),
            created_at=created_at,
            names=EventNames.of(row),
        )

    @classmethod
    def from_stream(cls, event: Mapping[str, Any]) -> "EventData":
        """From an item of the `events` subscription (schema.events.Event, as the bridge
        receives it), values already parsed."""
        return cls(
            id=int(event["id"]),
            type=event["event"],
            company_id=event["companyId"],
            project_id=event["projectId"],
            user_id=event["userId"],
            previous_value=event["previousValue"],
            current_value=event["currentValue"],
            created_at=datetime.fromisoformat(event["createdAt"]),
            names=EventNames(
                event.get("companyName"),
                event.get("projectName"),
                event.get("userName"),
                event.get("userEmail"),
            ),
        )

    @functools.cached_property
    def body_text(self) -> str:
        """The event's body with a slot for the webhook's row: encoded once for every webhook
        the event goes to (a frozen dataclass may cache; it never changes once made)."""
        return _event_text(self)

    def parsed(self) -> "EventData":
        """The same event with its values parsed, as the event stream hands them to the
        dispatcher (bodies then re-encode them, where stored text would be spliced in)."""
        return dataclasses.replace(
            self,
            previous_value=_parsed(self.previous_value),
            current_value=_parsed(self.current_value),
        )


def _parsed(value: Any) -> Any:
    return json.loads(value) if isinstance(value, RawJson) else value


def _raw(value: Any) -> "RawJson | None":
    if value is None:
        return None
    return RawJson(value.decode() if isinstance(value, bytes) else value)


@dataclass(frozen=True)
class Request:
    url: str
    body: bytes
    headers: dict[str, str]


def body_of(webhook: Row | RawJson, event: EventData | None, payload: Any) -> bytes:
    """The raw body: a stored payload (health checks, tests) or the event's.

    `webhook` is the webhook's row (models.rows.webhook_row), or that row already encoded as
    RawJson once per batch; event values may be RawJson as the database holds them.
    """
    if payload is not None:
        return _dumps(payload).encode()
    assert event is not None, "an event delivery needs its event"
    row = webhook if isinstance(webhook, RawJson) else encoded(webhook)
    return event.body_text.replace(_WEBHOOK_SLOT, row, 1).encode()


_WEBHOOK_SLOT = f'"{_SLOT}-webhook"'


def _event_text(event: EventData) -> str:
    """The event's body with a slot where each webhook's row goes, cached on the event."""
    raw: dict[str, RawJson] = {}

    def slot(value: Any) -> Any:
        if not isinstance(value, RawJson):
            return value
        name = f"{_SLOT}-{len(raw)}"
        raw[name] = value
        return name

    text = _dumps(
        event_body(
            event=event.type,
            webhook=_WEBHOOK_SLOT[1:-1],
            previous=slot(event.previous_value),
            current=slot(event.current_value),
            company_id=event.company_id,
            project_id=event.project_id,
            user_id=event.user_id,
            names=event.names,
            event_id=str(event.id),
            created_at=iso(event.created_at),
        )
    )
    for name, value in raw.items():
        text = text.replace(f'"{name}"', value, 1)
    return text


def encoded(row: Row) -> RawJson:
    """A row encoded once, to be spliced into many bodies."""
    return RawJson(_dumps(row))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class SentRow:
    """A webhook's row encoded once, as event bodies splice it in, with its digest: attempts
    record which version their body carried (models.webhooks.SentWebhookRow)."""

    webhook_id: str
    json: RawJson
    sha256: str

    @classmethod
    def of(cls, webhook: Webhook) -> "SentRow":
        text = encoded(webhook_row(webhook))
        return cls(webhook.id, text, sha256(text.encode()))


@dataclass(frozen=True)
class SentRequest:
    """What an attempt sent, as recorded: the headers verbatim, the body's digest, and the
    webhook row an event body carried (None when the body was a stored payload)."""

    headers: dict[str, str]
    body_sha256: str
    webhook_row: SentRow | None


def rebuild_body(
    payload: Any, event: EventData | None, row: str | None, digest: str
) -> bytes | None:
    """An attempt's body again, from what it was made of (the delivery's stored payload, or its
    event and the webhook row it carried), if it has the SHA-256 recorded when it was sent.

    An event reaches the dispatcher either from the stream (values parsed) or from the table
    (values as stored text, which PostgreSQL's jsonb spaces and SQLite may hold ASCII-escaped),
    so both encodings are tried. None when a part is gone (retention) or neither matches.
    """
    if payload is not None:
        candidates = [body_of({}, None, payload)]
    elif event is None or row is None:
        return None
    else:
        candidates = [body_of(RawJson(row), e, None) for e in (event, event.parsed())]
    return next((body for body in candidates if sha256(body) == digest), None)


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class SigningKeys(Protocol):
    """What build_request reads of a webhook: a stored Webhook, or `hookline listen`'s local
    stand-in (hookline/local/forwarder.py), so both sign with this one code."""

    @property
    def url(self) -> str: ...
    @property
    def secret(self) -> str: ...
    @property
    def previous_secret(self) -> str | None: ...
    @property
    def previous_secret_expires_at(self) -> datetime | None: ...


def active_secrets(webhook: SigningKeys, now: datetime) -> list[str]:
    """Newest first; the previous secret signs too until its grace period ends."""
    valid = [webhook.secret]
    expires = webhook.previous_secret_expires_at
    if webhook.previous_secret and expires is not None and expires > now:
        valid.append(webhook.previous_secret)
    return valid


def build_request(
    webhook: SigningKeys, message_id: str, event_type: str, body: bytes, now: datetime
) -> Request:
    headers = sign(active_secrets(webhook, now), message_id, int(now.timestamp()), body, event_type)
    headers["Content-Type"] = "application/json"
    headers["User-Agent"] = USER_AGENT
    return Request(webhook.url, body, headers)
