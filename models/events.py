"""The event log: one row per change, its id the cursor for subscribers and the bridge."""

from tortoise import fields
from tortoise.models import Model


class Event(Model):
    # Ids are handed out in commit order (see models.event_log.append_events).
    id = fields.BigIntField(primary_key=True)
    type = fields.CharField(max_length=64)
    company_id = fields.CharField(max_length=32)
    project_id = fields.CharField(max_length=32)
    user_id = fields.CharField(max_length=32, null=True)
    previous_value = fields.JSONField(null=True)
    current_value = fields.JSONField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "event"
        indexes = (("project_id", "id"),)
