from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.ids import new_id
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PortalSession',
            fields=[
                ('id', fields.CharField(primary_key=True, default=new_id, unique=True, db_index=True, max_length=32)),
                ('company', fields.ForeignKeyField('models.Company', source_field='company_id', db_constraint=True, to_field='id', related_name='portal_sessions', on_delete=OnDelete.CASCADE)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', db_constraint=True, to_field='id', related_name='portal_sessions', on_delete=OnDelete.CASCADE)),
                ('project_ids', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('secret_hash', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'portal_session', 'app': 'models', 'indexes': [Index(fields=['company_id', 'expires_at'])], 'pk_attr': 'id', 'table_description': "A portal session: one company's webhooks (or some projects'), until it expires."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SentWebhookRow',
            fields=[
                ('sha256', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('webhook_id', fields.CharField(max_length=32)),
                ('row', fields.TextField(unique=False)),
                ('last_used_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'sent_webhook_row', 'app': 'models', 'indexes': [Index(fields=['last_used_at'])], 'pk_attr': 'sha256', 'table_description': 'The `webhook` object of event bodies as sent, once per version.'},
            bases=['Model'],
        ),
        ops.RemoveIndex(
            model_name='Delivery',
            name=None,
            fields=['webhook_id', 'created_at'],
        ),
        ops.AddIndex(
            model_name='Delivery',
            index=Index(fields=['webhook_id', 'created_at', 'status', 'event']),
        ),
        ops.AlterModelOptions(
            name='DeliveryAttempt',
            options={'table': 'delivery_attempt', 'app': 'models', 'indexes': [Index(fields=['delivery_id', 'number']), Index(fields=['webhook_id', 'started_at', 'status_code', 'duration_ms'])], 'pk_attr': 'id', 'table_description': 'One HTTP attempt of a delivery, with the request as it was sent.'},
        ),
        ops.AddField(
            model_name='DeliveryAttempt',
            name='request_body_sha256',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='DeliveryAttempt',
            name='request_headers',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='DeliveryAttempt',
            name='webhook_id',
            field=fields.CharField(null=True, max_length=32),
        ),
        ops.AddField(
            model_name='DeliveryAttempt',
            name='webhook_row_sha256',
            field=fields.CharField(null=True, max_length=64),
        ),
        # Attempts recorded before this migration get their delivery's webhook.
        ops.RunSQL(
            "UPDATE delivery_attempt SET webhook_id = (SELECT webhook_id FROM delivery "
            "WHERE delivery.id = delivery_attempt.delivery_id) WHERE webhook_id IS NULL",
            reverse_sql="",
        ),
        ops.AddIndex(
            model_name='DeliveryAttempt',
            index=Index(fields=['delivery_id', 'number']),
        ),
        ops.AddIndex(
            model_name='DeliveryAttempt',
            index=Index(fields=['webhook_id', 'started_at', 'status_code', 'duration_ms']),
        ),
    ]
