"""The delivery queue in the database: claim due deliveries, store attempts and outcomes.

Claims are leases (claimed_until): a delivery whose process died before recording it is due
again once the lease ends. PostgreSQL claims with FOR UPDATE SKIP LOCKED so many dispatchers
share the queue; SQLite has one writer, and a conditional UPDATE … RETURNING is the claim.
"""

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise import Tortoise
from tortoise.transactions import in_transaction

from bridge.outcomes import Attempted, HealthChange, Plan
from bridge.render import EventData
from bridge.retry import Decision
from models.webhooks import (
    Delivery,
    DeliveryStatus,
    SentWebhookRow,
    Webhook,
    WebhookStatus,
    bump_routing_version,
)

# Candidates looked at per claim; the per-webhook quota is applied among them.
CANDIDATES = 500

_CLAIMED = ("id", "webhook_id", "event_id", "event", "message_id", "payload", "attempt_count")
_RETURNING = ", ".join(_CLAIMED)

_SQLITE_CLAIM = f"""
UPDATE delivery SET claimed_until = ?
WHERE id IN (
  SELECT id FROM (
    SELECT id, ROW_NUMBER() OVER (PARTITION BY webhook_id ORDER BY next_attempt_at) AS n
    FROM (
      SELECT id, webhook_id, next_attempt_at FROM delivery
      WHERE status = 'PENDING' AND next_attempt_at <= ?
        AND (claimed_until IS NULL OR claimed_until < ?) {{exclude}}
      ORDER BY next_attempt_at LIMIT {CANDIDATES}
    )
  ) WHERE n <= ? LIMIT ?
)
RETURNING {_RETURNING}
"""

_PG_CLAIM = f"""
WITH candidates AS (
  SELECT id, webhook_id, next_attempt_at FROM delivery
  WHERE status = 'PENDING' AND next_attempt_at <= $1
    AND (claimed_until IS NULL OR claimed_until < $1) AND NOT (webhook_id = ANY($2::text[]))
  ORDER BY next_attempt_at LIMIT {CANDIDATES}
  FOR UPDATE SKIP LOCKED
), ranked AS (
  SELECT id, ROW_NUMBER() OVER (PARTITION BY webhook_id ORDER BY next_attempt_at) AS n
  FROM candidates
), chosen AS (
  SELECT id FROM ranked WHERE n <= $3 LIMIT $4
)
UPDATE delivery SET claimed_until = $5 FROM chosen WHERE delivery.id = chosen.id
RETURNING {", ".join("delivery." + c.strip() for c in _RETURNING.split(","))}
"""


@dataclass(frozen=True)
class Claimed:
    """A delivery this process holds the lease of, with what its attempt needs."""

    id: str
    webhook_id: str
    event_id: int | None
    event: str
    message_id: str
    payload: Any
    attempt_count: int

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> "Claimed":
        """From the delivery's columns (a claim's RETURNING row, or a Delivery's fields)."""
        payload = row["payload"]
        if isinstance(payload, str | bytes):
            payload = json.loads(payload)
        return cls(**{**{c: row[c] for c in _CLAIMED}, "payload": payload})

    @classmethod
    def of(cls, delivery: Delivery) -> "Claimed":
        return cls.from_row({c: getattr(delivery, c) for c in _CLAIMED})


_NEW_COLUMNS = (
    "id, webhook_id, event_id, event, message_id, payload, status, attempt_count, "
    "next_attempt_at, claimed_until, created_at"
)
_INSERT_NEW_SQLITE = (
    f"INSERT INTO delivery ({_NEW_COLUMNS}) VALUES (?, ?, ?, ?, ?, NULL, 'PENDING', 0, ?, ?, ?)"
)
_INSERT_NEW_PG = (
    f"INSERT INTO delivery ({_NEW_COLUMNS}) VALUES ($1, $2, $3, $4, $5, NULL, 'PENDING', 0, "
    "$6, $7, $8)"
)


async def insert_new(
    connection: Any, new: Sequence[tuple[Claimed, datetime | None]], *, due: datetime, now: datetime
) -> None:
    """Event deliveries as the matcher makes them, each claimed until the time given (None:
    not claimed). Raw statements: on the matcher's path ORM models cost more than the SQL."""
    postgres = connection.capabilities.dialect == "postgres"
    await connection.execute_many(
        _INSERT_NEW_PG if postgres else _INSERT_NEW_SQLITE,
        [
            [c.id, c.webhook_id, c.event_id, c.event, c.message_id, due, until, now]
            for c, until in new
        ],
    )


_ATTEMPT_COLUMNS = (
    "delivery_id, number, started_at, duration_ms, status_code, error, response_body, "
    "webhook_id, request_headers, request_body_sha256, webhook_row_sha256"
)
# A delivery whose webhook was deleted mid-attempt is gone: its attempt is dropped rather
# than failing the foreign key, and with it the whole batch.
_INSERT_ATTEMPT_SQLITE = (
    f"INSERT INTO delivery_attempt ({_ATTEMPT_COLUMNS}) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? "
    "WHERE EXISTS (SELECT 1 FROM delivery WHERE id = ?)"
)
_INSERT_ATTEMPT_PG = (
    f"INSERT INTO delivery_attempt ({_ATTEMPT_COLUMNS}) SELECT $1::varchar, $2::int, "
    "$3::timestamptz, $4::float8, $5::int, $6::text, $7::text, $8::varchar, $9::text, "
    "$10::varchar, $11::varchar WHERE EXISTS (SELECT 1 FROM delivery WHERE id = $1::varchar)"
)
# The webhook rows event bodies carried, once per version; a version seen again is marked used.
_UPSERT_ROW_SQLITE = (
    "INSERT INTO sent_webhook_row (sha256, webhook_id, row, last_used_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (sha256) DO UPDATE SET last_used_at = excluded.last_used_at"
)
_UPSERT_ROW_PG = (
    "INSERT INTO sent_webhook_row (sha256, webhook_id, row, last_used_at) "
    "VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (sha256) DO UPDATE SET last_used_at = excluded.last_used_at"
)
# A delivery to try again, or that failed for good.
_UNFINISHED_SQLITE = (
    "UPDATE delivery SET status = ?, attempt_count = ?, next_attempt_at = ?, "
    "claimed_until = NULL WHERE id = ?"
)
_UNFINISHED_PG = (
    "UPDATE delivery SET status = $1, attempt_count = $2, next_attempt_at = $3, "
    "claimed_until = NULL WHERE id = $4"
)
# The health of a webhook whose last attempt in the batch succeeded (see store). A webhook
# disabled meanwhile keeps the status it was disabled with.
_SETTLED_SQLITE = (
    "UPDATE webhook SET consecutive_failures = ?, last_delivery_at = ?, "
    "last_failure_at = COALESCE(?, last_failure_at), "
    "status = CASE WHEN enabled THEN ? ELSE status END WHERE id = ?"
)
_SETTLED_PG = (
    "UPDATE webhook SET consecutive_failures = $1, last_delivery_at = $2, "
    "last_failure_at = COALESCE($3, last_failure_at), "
    "status = CASE WHEN enabled THEN $4 ELSE status END WHERE id = $5"
)
_SUCCEEDED_SET = (
    "UPDATE delivery SET status = 'SUCCEEDED', attempt_count = attempt_count + 1, "
    "next_attempt_at = NULL, claimed_until = NULL WHERE id "
)
_SUCCEEDED_SQLITE = _SUCCEEDED_SET + "IN ({marks})"
_SUCCEEDED_PG = _SUCCEEDED_SET + "= ANY($1::text[])"


def _connection() -> Any:
    return Tortoise.get_connection("default")


async def claim(
    *, now: datetime, lease_until: datetime, limit: int, per_webhook: int, busy: Sequence[str]
) -> list[Claimed]:
    connection = _connection()
    if connection.capabilities.dialect == "postgres":
        _, rows = await connection.execute_query(
            _PG_CLAIM, [now, list(busy), per_webhook, limit, lease_until]
        )
    else:
        exclude = f"AND webhook_id NOT IN ({', '.join('?' * len(busy))})" if busy else ""
        _, rows = await connection.execute_query(
            _SQLITE_CLAIM.format(exclude=exclude),
            [lease_until, now, now, *busy, per_webhook, limit],
        )
    return [Claimed.from_row(dict(row)) for row in rows]


async def release_all_claims() -> None:
    """At start-up of the single embedded process nobody else can hold a claim."""
    await (
        Delivery.filter(status=DeliveryStatus.PENDING)
        .exclude(claimed_until=None)
        .update(claimed_until=None)
    )


async def release(ids: Iterable[str]) -> None:
    await Delivery.filter(id__in=list(ids)).update(claimed_until=None)


async def store(attempts: list[Attempted], plan: Plan, unhealthy_after: int) -> list[str]:
    """Write attempts, delivery states and webhook health in one transaction.

    Returns the ids of webhooks it disabled.
    """
    disabled: list[str] = []
    async with in_transaction() as connection:
        # Raw statements on the hot path: ORM model construction cost more than the SQL.
        postgres = connection.capabilities.dialect == "postgres"
        await connection.execute_many(
            _INSERT_ATTEMPT_PG if postgres else _INSERT_ATTEMPT_SQLITE,
            [_attempt_values(a, postgres) for a in attempts],
        )
        await _store_sent_rows(connection, attempts, postgres)
        succeeded = [
            a.delivery_id for a in attempts if plan.decisions[a.delivery_id].kind == "succeeded"
        ]
        if succeeded:
            if postgres:
                await connection.execute_query(_SUCCEEDED_PG, [succeeded])
            else:
                marks = ", ".join("?" * len(succeeded))
                await connection.execute_query(_SUCCEEDED_SQLITE.format(marks=marks), succeeded)
        unfinished = [
            _unfinished_values(a, plan.decisions[a.delivery_id])
            for a in attempts
            if plan.decisions[a.delivery_id].kind != "succeeded"
        ]
        if unfinished:
            await connection.execute_many(
                _UNFINISHED_PG if postgres else _UNFINISHED_SQLITE, unfinished
            )
        # A batch whose last attempt to a webhook succeeded sets its health outright: one
        # statement for all of them. Failures add to the stored count and may disable the
        # webhook: those read the row first, locked.
        settled = sorted(
            (w, c) for w, c in plan.health.items() if c.any_success and c.disable_reason is None
        )
        if settled:
            await connection.execute_many(
                _SETTLED_PG if postgres else _SETTLED_SQLITE,
                [_settled_values(w, c, unhealthy_after) for w, c in settled],
            )
        for webhook_id, change in sorted(plan.health.items()):
            if change.any_success and change.disable_reason is None:
                continue
            # Locked (on PostgreSQL) so two dispatchers' counts and disables do not undo each
            # other; only health columns are written, never the owner's configuration.
            webhook = await Webhook.filter(id=webhook_id).select_for_update().first()
            if webhook is None:
                continue
            if change.any_success:
                webhook.consecutive_failures = change.failures_in_a_row
                webhook.last_delivery_at = change.last_success_at
            else:
                webhook.consecutive_failures += change.failures_in_a_row
            if change.last_failure_at is not None:
                webhook.last_failure_at = change.last_failure_at
            if webhook.enabled:  # a disabled one keeps the status it was disabled with
                webhook.status = (
                    WebhookStatus.UNHEALTHY
                    if webhook.consecutive_failures >= unhealthy_after
                    else WebhookStatus.HEALTHY
                )
            if change.disable_reason is not None and webhook.enabled:
                webhook.enabled = False
                webhook.status = WebhookStatus.UNHEALTHY
                webhook.disabled_reason = change.disable_reason
                disabled.append(webhook.id)
            await webhook.save(update_fields=HEALTH_FIELDS)
        if disabled:
            await fail_pending(disabled)
            await bump_routing_version(webhook_ids=disabled)
    return disabled


def _unfinished_values(attempt: Attempted, decision: Decision) -> list[Any]:
    retry = decision.kind == "retry"
    return [
        DeliveryStatus.PENDING.value if retry else DeliveryStatus.FAILED.value,
        attempt.number,
        decision.next_attempt_at if retry else None,
        attempt.delivery_id,
    ]


def _settled_values(webhook_id: str, change: HealthChange, unhealthy_after: int) -> list[Any]:
    failing = change.failures_in_a_row >= unhealthy_after
    status = WebhookStatus.UNHEALTHY if failing else WebhookStatus.HEALTHY
    return [
        change.failures_in_a_row,
        change.last_success_at,
        change.last_failure_at,
        status.value,
        webhook_id,
    ]


def _attempt_values(attempt: Attempted, postgres: bool) -> list[Any]:
    result, request = attempt.result, attempt.request
    row = request.webhook_row if request is not None else None
    return [
        attempt.delivery_id,
        attempt.number,
        result.started_at,
        result.duration_ms,
        result.status_code,
        result.error,
        result.body or None,  # at most http.RESPONSE_LIMIT already
        attempt.webhook_id,
        json.dumps(request.headers, separators=(",", ":")) if request is not None else None,
        request.body_sha256 if request is not None else None,
        row.sha256 if row is not None else None,
        *([] if postgres else [attempt.delivery_id]),
    ]


async def _store_sent_rows(connection: Any, attempts: list[Attempted], postgres: bool) -> None:
    """The webhook rows the attempts' bodies carried, each version once (see SentWebhookRow)."""
    rows = {
        a.request.webhook_row.sha256: (a.request.webhook_row, a.result.started_at)
        for a in attempts
        if a.request is not None and a.request.webhook_row is not None
    }
    if not rows:
        return
    # In digest order: every recorder locks these rows in one order (they lock nothing else).
    values = [[d, rows[d][0].webhook_id, str(rows[d][0].json), rows[d][1]] for d in sorted(rows)]
    await connection.execute_many(_UPSERT_ROW_PG if postgres else _UPSERT_ROW_SQLITE, values)


async def fail_pending(webhook_ids: list[str]) -> int:
    """Deliveries of webhooks that can no longer receive them end as FAILED."""
    return await Delivery.filter(
        webhook_id__in=webhook_ids, status=DeliveryStatus.PENDING, claimed_until=None
    ).update(status=DeliveryStatus.FAILED, next_attempt_at=None)


async def pending_count() -> int:
    return await Delivery.filter(status=DeliveryStatus.PENDING).count()


async def purge_older_than(cutoff: datetime, limit: int) -> int:
    """Retention: up to `limit` finished deliveries (and their attempts, by cascade) created
    before the cutoff."""
    ended = {
        "created_at__lt": cutoff,
        "status__in": [DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED],
    }
    ids = await Delivery.filter(**ended).limit(limit).values_list("id", flat=True)
    if not ids:
        return 0
    # The condition again: a delivery recovered (re-queued) since the read is not ended any more.
    await Delivery.filter(id__in=list(ids), **ended).delete()
    return len(ids)  # at most; the count the database gives may include cascaded attempts


async def purge_sent_rows_older_than(cutoff: datetime, limit: int) -> int:
    """Retention: up to `limit` webhook row versions no attempt used since the cutoff (every
    attempt that used one is older than its delivery's retention by then, or about to be)."""
    digests = (
        await SentWebhookRow.filter(last_used_at__lt=cutoff)
        .limit(limit)
        .values_list("sha256", flat=True)
    )
    if not digests:
        return 0
    # The condition again: a row an attempt used since the read is kept (see purge_older_than).
    return await SentWebhookRow.filter(sha256__in=list(digests), last_used_at__lt=cutoff).delete()


async def oldest_pending_event() -> int | None:
    """The oldest event a pending delivery will still render, if any."""
    found = (
        await Delivery.filter(status=DeliveryStatus.PENDING, event_id__isnull=False)
        .order_by("event_id")
        .limit(1)
        .values_list("event_id", flat=True)
    )
    return found[0] if found else None


HEALTH_FIELDS = [
    "consecutive_failures",
    "last_delivery_at",
    "last_failure_at",
    "status",
    "enabled",
    "disabled_reason",
]

_EVENTS = (
    "SELECT id, type, company_id, project_id, user_id, previous_value, current_value, "
    "created_at, company_name, project_name, user_name, user_email FROM event WHERE id "
)


async def load_events(ids: Collection[int]) -> dict[int, EventData]:
    """Events by id, their values left as the JSON text the database holds."""
    if not ids:
        return {}
    connection = _connection()
    if connection.capabilities.dialect == "postgres":
        _, rows = await connection.execute_query(_EVENTS + "= ANY($1::bigint[])", [list(ids)])
    else:
        marks = ", ".join("?" * len(ids))
        _, rows = await connection.execute_query(_EVENTS + f"IN ({marks})", list(ids))
    return {row["id"]: EventData.from_row(row) for row in rows}
