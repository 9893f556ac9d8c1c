"""Load the row-shaped snapshot of an entity, parents expanded up to its company."""

from models import rows
from models.tracker import (
    Checklist,
    ChecklistItem,
    ChecklistItemUser,
    Comment,
    CustomField,
    CustomFieldOption,
    Project,
    Tag,
    Todo,
    TodoCustomField,
    TodoList,
    TodoTag,
    TodoUser,
)

Row = rows.Row


async def project(project_id: str) -> Row:
    obj = await Project.get(id=project_id).select_related("company")
    return rows.project_row(obj, obj.company)


def list_row(obj: TodoList) -> Row:
    """A list loaded with select_related("project__company")."""
    return rows.todo_list_row(obj, rows.project_row(obj.project, obj.project.company))


async def todo_list(todo_list_id: str) -> Row:
    return list_row(await TodoList.get(id=todo_list_id).select_related("project__company"))


async def todo(todo_id: str) -> Row:
    # One query for the todo and its parents, one per join table.
    obj = await Todo.get(id=todo_id).select_related("todo_list__project__company")
    users = await TodoUser.filter(todo_id=todo_id).order_by("id").values_list("id", "user_id")
    tags = await TodoTag.filter(todo_id=todo_id).order_by("id").values_list("id", "tag_id")
    values = await TodoCustomField.filter(todo_id=todo_id).order_by("id")
    return rows.todo_row(obj, list_row(obj.todo_list), users, tags, values)


async def tag(tag_id: str) -> Row:
    obj = await Tag.get(id=tag_id)
    return rows.tag_row(obj, await project(obj.project_id))


async def custom_field(custom_field_id: str) -> Row:
    obj = await CustomField.get(id=custom_field_id)
    options = await CustomFieldOption.filter(custom_field_id=obj.id).order_by("position", "id")
    return rows.custom_field_row(obj, options, await project(obj.project_id))


async def checklist(checklist_id: str) -> Row:
    obj = await Checklist.get(id=checklist_id)
    return rows.checklist_row(obj, await todo(obj.todo_id))


async def checklist_item(item_id: str) -> Row:
    obj = await ChecklistItem.get(id=item_id)
    users = (
        await ChecklistItemUser.filter(checklist_item_id=item_id)
        .order_by("id")
        .values_list("id", "user_id")
    )
    return rows.checklist_item_row(obj, users, await checklist(obj.checklist_id))


async def comment(comment_id: str) -> Row:
    obj = await Comment.get(id=comment_id)
    return rows.comment_row(obj, await todo(obj.todo_id))
