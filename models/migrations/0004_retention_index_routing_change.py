from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_api_token_expiry')]

    initial = False

    operations = [
        ops.CreateModel(
            name='RoutingChange',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('version', fields.BigIntField(db_index=True)),
                ('webhook_id', fields.CharField(null=True, max_length=32)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'routing_change', 'app': 'models', 'pk_attr': 'id', 'table_description': 'What one routing version changed, so a cache can refresh just that: the webhooks'},
            bases=['Model'],
        ),
        ops.AddIndex(
            model_name='Delivery',
            index=Index(fields=['status', 'created_at']),
        ),
    ]
