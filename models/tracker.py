"""The work-tracker domain whose changes become events."""

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.accounts import ProjectLevel
from models.ids import new_id


class CustomFieldType(StrEnum):
    TEXT_SINGLE = "TEXT_SINGLE"
    TEXT_MULTI = "TEXT_MULTI"
    NUMBER = "NUMBER"
    CHECKBOX = "CHECKBOX"
    SELECT_SINGLE = "SELECT_SINGLE"
    SELECT_MULTI = "SELECT_MULTI"
    DATE = "DATE"
    URL = "URL"
    EMAIL = "EMAIL"
    PHONE = "PHONE"
    CURRENCY = "CURRENCY"
    PERCENT = "PERCENT"
    RATING = "RATING"


class Project(Model):
    id = fields.CharField(primary_key=True, max_length=32, default=new_id)
    company = fields.ForeignKeyField(
        "models.Company", related_name="projects", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=255)
    slug = fields.CharField(max_length=255)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "project"


class ProjectUser(Model):
    id = fields.CharField(primary_key=True, max_length=32, default=new_id)
    project = fields.ForeignKeyField(
        "models.Project", related_name="members", on_delete=fields.CASCADE
    )
    user = fields.ForeignKeyField(
        "models.User", related_name="project_memberships", on_delete=fields.CASCADE
    )
    level = fields.CharEnumField(ProjectLevel, max_length=16)

    class Meta:
        table = "project_user"
        unique_together = (("project", "user"),)


class TodoList(Model):
    id = fields.CharField(primary_key=True, max_length=32, default=new_id)
    project = fields.ForeignKeyField(
        "models.Project", related_name="todo_lists", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=255)
    position = fields.FloatField(default=0)
    created_by = fields.ForeignKeyField(
        "models.User", null=True, on_delete=fields.SET_NULL, related_name=False
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "todo_list"


class Todo(Model):
    id = fields.CharField(primary_key=True, max_length=32, default=new_id)
    todo_list = fields.ForeignKeyField(
        "models.TodoList", related_name="todos", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=500)
    text = fields.TextField(default="")
    html = fields.TextField(default="")
    position = fields.FloatField(default=0)
    done = fields.BooleanField(default=False)
    started_at = fields.DatetimeField(null=True)
    dued_at = fields.DatetimeField(null=True)
    created_by = fields.ForeignKeyField(
        "models.User", null=True, on_delete=fields.SET_NULL, related_name=False
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "todo"


class TodoUser(Model):
    id = fields.CharField(primary_key=True, max_length=32, default=new_id)
    todo = fields.ForeignKeyField(
        "models.Todo", related_name="todo_users", on_delete=fields.CASCADE
    )
    user = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)

    class Meta:
        table = "todo_user"
        unique_together = (("todo", "user"),)


class Tag(Model):
    id = fields.CharField(primary_key=True, max_length=32, default=new_id)
    project = fields.ForeignKeyField(
        "models.Project", related_name="tags", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=255)
    color = fields.CharField(max_length=32, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "tag"


class TodoTag(Model):
    id = fields.CharField(primary_key=True, max_length=32, default=new_id)
    todo = fields.ForeignKeyField("models.Todo", related_name="todo_tags", on_delete=fields.CASCADE)
    tag = fields.ForeignKeyField("models.Tag", related_name=False, on_delete=fields.CASCADE)

    class Meta:
        table = "todo_tag"
        unique_together = (("todo", "tag"),)


class CustomField(Model):
    id = fields.CharField(primary_key=True, max_length=32, default=new_id)
    project = fields.ForeignKeyField(
        "models.Project", related_name="custom_fields", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=255)
    type = fields.CharEnumField(CustomFieldType, max_length=32)
    description = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "custom_field"


class CustomFieldOption(Model):
    id = fields.CharField(primary_key=True, max_length=32, default=new_id)
    custom_field = fields.ForeignKeyField(
        "models.CustomField", related_name="options", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=255)
    color = fields.CharField(max_length=32, default="")
    position = fields.FloatField(default=0)

    class Meta:
        table = "custom_field_option"


class TodoCustomField(Model):
    """One todo's value for one custom field."""

    id = fields.CharField(primary_key=True, max_length=32, default=new_id)
    todo = fields.ForeignKeyField(
        "models.Todo", related_name="todo_custom_fields", on_delete=fields.CASCADE
    )
    custom_field = fields.ForeignKeyField(
        "models.CustomField", related_name=False, on_delete=fields.CASCADE
    )
    text = fields.TextField(null=True)
    number = fields.FloatField(null=True)
    checked = fields.BooleanField(null=True)
    custom_field_option = fields.ForeignKeyField(
        "models.CustomFieldOption", null=True, related_name=False, on_delete=fields.SET_NULL
    )
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "todo_custom_field"
        unique_together = (("todo", "custom_field"),)


class Checklist(Model):
    id = fields.CharField(primary_key=True, max_length=32, default=new_id)
    todo = fields.ForeignKeyField(
        "models.Todo", related_name="checklists", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=500)
    position = fields.FloatField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "checklist"


class ChecklistItem(Model):
    id = fields.CharField(primary_key=True, max_length=32, default=new_id)
    checklist = fields.ForeignKeyField(
        "models.Checklist", related_name="items", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=500)
    position = fields.FloatField(default=0)
    done = fields.BooleanField(default=False)
    started_at = fields.DatetimeField(null=True)
    dued_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "checklist_item"


class ChecklistItemUser(Model):
    id = fields.CharField(primary_key=True, max_length=32, default=new_id)
    checklist_item = fields.ForeignKeyField(
        "models.ChecklistItem", related_name="item_users", on_delete=fields.CASCADE
    )
    user = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)

    class Meta:
        table = "checklist_item_user"
        unique_together = (("checklist_item", "user"),)


class Comment(Model):
    id = fields.CharField(primary_key=True, max_length=32, default=new_id)
    todo = fields.ForeignKeyField("models.Todo", related_name="comments", on_delete=fields.CASCADE)
    user = fields.ForeignKeyField(
        "models.User", null=True, related_name=False, on_delete=fields.SET_NULL
    )
    html = fields.TextField()
    text = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "comment"
