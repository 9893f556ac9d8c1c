"""Load the row-shaped snapshot of an entity, parents expanded up to its company."""

from models import rows
from models.accounts import User
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
    # One query for the todo and its parents, one per join table (names joined in).
    obj = await Todo.get(id=todo_id).select_related("todo_list__project__company")
    users = await TodoUser.filter(todo_id=todo_id).order_by("id").values_list(*_ASSIGNEE)
    tags = await TodoTag.filter(todo_id=todo_id).order_by("id").values_list(*_TAGGING)
    values = (
        await TodoCustomField.filter(todo_id=todo_id)
        .order_by("id")
        .select_related("custom_field", "custom_field_option")
    )
    return rows.todo_row(
        obj,
        list_row(obj.todo_list),
        [rows.Assignee(*u) for u in users],
        [rows.Tagging(*t) for t in tags],
        [field_value(v) for v in values],
    )


_ASSIGNEE = ("id", "user_id", "user__name", "user__email")
_TAGGING = ("id", "tag_id", "tag__title", "tag__color")


def field_value(value: TodoCustomField) -> rows.FieldValue:
    """A value loaded with select_related("custom_field", "custom_field_option")."""
    field, option = value.custom_field, value.custom_field_option
    return rows.FieldValue(
        value, field.name, str(field.type), option.title if option is not None else None
    )


async def assignees(links: list[tuple[str, str]]) -> list[rows.Assignee]:
    """(join row id, user id) pairs just written, with the users' names, in one query."""
    if not links:
        return []
    users = {u.id: u for u in await User.filter(id__in=[user for _, user in links])}
    return [rows.Assignee(link, u, users[u].name, users[u].email) for link, u in links]


async def taggings(links: list[tuple[str, str]]) -> list[rows.Tagging]:
    """(join row id, tag id) pairs just written, with the tags' titles, in one query."""
    if not links:
        return []
    tags = {t.id: t for t in await Tag.filter(id__in=[tag for _, tag in links])}
    return [rows.Tagging(link, t, tags[t].title, tags[t].color) for link, t in links]


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
        .values_list(*_ASSIGNEE)
    )
    return rows.checklist_item_row(
        obj, [rows.Assignee(*u) for u in users], await checklist(obj.checklist_id)
    )


async def comment(comment_id: str) -> Row:
    obj = await Comment.get(id=comment_id)
    return rows.comment_row(obj, await todo(obj.todo_id))
