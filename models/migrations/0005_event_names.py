from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0004_retention_index_routing_change')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Event',
            name='company_name',
            field=fields.CharField(null=True, max_length=255),
        ),
        ops.AddField(
            model_name='Event',
            name='project_name',
            field=fields.CharField(null=True, max_length=255),
        ),
        ops.AddField(
            model_name='Event',
            name='user_email',
            field=fields.CharField(null=True, max_length=320),
        ),
        ops.AddField(
            model_name='Event',
            name='user_name',
            field=fields.CharField(null=True, max_length=255),
        ),
    ]
