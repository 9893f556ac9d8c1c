"""Webhooks, their delivery queue, the attempt log, and the count of routing changes."""

from collections.abc import Collection
from enum import StrEnum

from tortoise import fields
from tortoise.expressions import F
from tortoise.models import Model
from tortoise.transactions import in_transaction

from events.log import StreamCursor
from models.ids import new_id


class WebhookStatus(StrEnum):
    HEALTHY = "HEALTHY"
    UNHEALTHY = "UNHEALTHY"


class DeliveryStatus(StrEnum):
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class Webhook(Model):
    id = fields.CharField(primary_key=True, max_length=32, default=new_id)
    uid = fields.CharField(max_length=32, unique=True, default=new_id)
    company = fields.ForeignKeyField(
        "models.Company", related_name="webhooks", on_delete=fields.CASCADE
    )
    created_by = fields.ForeignKeyField(
        "models.User", related_name="webhooks", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=255, null=True)
    url = fields.CharField(max_length=2048)
    secret = fields.CharField(max_length=64)
    # During a rotation grace period deliveries are signed with both secrets.
    previous_secret = fields.CharField(max_length=64, null=True)
    previous_secret_expires_at = fields.DatetimeField(null=True)
    status = fields.CharEnumField(WebhookStatus, max_length=16, default=WebhookStatus.HEALTHY)
    events = fields.JSONField(default=list)
    project_ids = fields.JSONField(default=list)
    filters = fields.JSONField(null=True)
    enabled = fields.BooleanField(default=True)
    consecutive_failures = fields.IntField(default=0)
    last_delivery_at = fields.DatetimeField(null=True)
    last_failure_at = fields.DatetimeField(null=True)
    disabled_reason = fields.CharField(max_length=255, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "webhook"
        indexes = (("company_id", "enabled"),)


class Delivery(Model):
    """One (event, webhook) pair to deliver. Its message_id is stable across retries."""

    id = fields.CharField(primary_key=True, max_length=32, default=new_id)
    webhook = fields.ForeignKeyField(
        "models.Webhook", related_name="deliveries", on_delete=fields.CASCADE
    )
    event_id = fields.BigIntField(null=True)
    event = fields.CharField(max_length=64)
    message_id = fields.CharField(max_length=64, unique=True)
    # Health checks and test sends carry their own body; event deliveries render it at send time.
    payload = fields.JSONField(null=True)
    status = fields.CharEnumField(DeliveryStatus, max_length=16, default=DeliveryStatus.PENDING)
    attempt_count = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(null=True)
    # A claim is a lease: a delivery claimed by a process that died is due again after it.
    claimed_until = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "delivery"
        # (webhook_id, created_at, status, event): the delivery log pages and filters, and
        # webhookStats counts, on the index alone (resolvers/delivery_log.py, models/stats.py).
        # (status, created_at): retention finds old finished deliveries without reading the rest.
        indexes = (
            ("status", "next_attempt_at"),
            ("webhook_id", "created_at", "status", "event"),
            ("status", "created_at"),
        )


class DeliveryAttempt(Model):
    """One HTTP attempt of a delivery, with the request as it was sent.

    Its headers are kept verbatim. Its body is rebuilt on demand, byte for byte, from what it
    was made of (the delivery's payload, or its event and the webhook row it carried, kept once
    per version in SentWebhookRow), and shown only when its SHA-256 matches the one recorded.
    """

    id = fields.BigIntField(primary_key=True)
    delivery = fields.ForeignKeyField(
        "models.Delivery", related_name="attempts", on_delete=fields.CASCADE
    )
    # The delivery's webhook, copied so latency statistics read one index of this table.
    webhook_id = fields.CharField(max_length=32, null=True)
    number = fields.IntField()
    started_at = fields.DatetimeField()
    duration_ms = fields.FloatField()
    status_code = fields.IntField(null=True)
    error = fields.TextField(null=True)
    response_body = fields.TextField(null=True)
    # Null for attempts never sent (webhook gone) and those recorded before they were kept.
    request_headers = fields.TextField(null=True)  # a JSON object, in the order sent
    request_body_sha256 = fields.CharField(max_length=64, null=True)
    webhook_row_sha256 = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "delivery_attempt"
        indexes = (
            ("delivery_id", "number"),
            ("webhook_id", "started_at", "status_code", "duration_ms"),
        )


class SentWebhookRow(Model):
    """The `webhook` object of event bodies as sent, once per version.

    Its health counters change as deliveries succeed and fail, so the webhook as it is now is
    not what an older body carried. Attempts refer to a version by digest; a version is purged
    with the deliveries once no attempt within the retention period used it. No foreign key to
    the webhook: the recorder writes these rows, and a key would make it lock the webhook before
    the deliveries, against the order deleteWebhook takes them in (a deadlock on PostgreSQL).
    """

    sha256 = fields.CharField(primary_key=True, max_length=64)
    webhook_id = fields.CharField(max_length=32)
    row = fields.TextField()
    last_used_at = fields.DatetimeField()

    class Meta:
        table = "sent_webhook_row"
        indexes = (("last_used_at",),)


ROUTING_VERSION = "routing-version"
# Changes kept for readers that fell behind; one further behind reloads everything.
KEPT_CHANGES = 10_000


class RoutingChange(Model):
    """What one routing version changed, so a cache can refresh just that: the webhooks
    named, or (access) everyone's access. A version with no row changed something unknown."""

    id = fields.BigIntField(primary_key=True)
    version = fields.BigIntField(db_index=True)
    webhook_id = fields.CharField(max_length=32, null=True)  # None: access changed
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "routing_change"


async def bump_routing_version(webhook_ids: Collection[str] = (), access: bool = False) -> int:
    """Count a change that can change who receives an event: a webhook's configuration or
    state, a membership, a token (kept as a named StreamCursor row); returns the new version.

    Processes that share the database compare it before they match or stream, so such a
    change made a moment before an event is never missed because an announcement was slower
    than the event, or lost with Redis. Name what changed (`webhook_ids`, or `access`) and
    they refresh only that; the version and its changes commit together, and the version
    row's lock numbers them in commit order.
    """
    async with in_transaction():
        updated = await StreamCursor.filter(name=ROUTING_VERSION).update(event_id=F("event_id") + 1)
        if not updated:
            await StreamCursor.get_or_create(name=ROUTING_VERSION, defaults={"event_id": 0})
            await StreamCursor.filter(name=ROUTING_VERSION).update(event_id=F("event_id") + 1)
        version = await routing_version()
        changes = [RoutingChange(version=version, webhook_id=w) for w in sorted(set(webhook_ids))]
        if access:
            changes.append(RoutingChange(version=version, webhook_id=None))
        if changes:
            await RoutingChange.bulk_create(changes)
        if version % 1000 == 0:
            await RoutingChange.filter(version__lte=version - KEPT_CHANGES).delete()
    return version


async def routing_version() -> int:
    found = await StreamCursor.get_or_none(name=ROUTING_VERSION)
    return found.event_id if found else 0


async def routing_changes(after: int, through: int) -> list[RoutingChange] | None:
    """What versions after..through changed; None when some of them are unknown (a bare
    bump, or pruned): then everything must be read again."""
    if through <= after:
        return []
    changes = await RoutingChange.filter(version__gt=after, version__lte=through)
    if {c.version for c in changes} != set(range(after + 1, through + 1)):
        return None
    return list(changes)
