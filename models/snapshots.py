"""Load the row-shaped snapshot of an entity, parents expanded up to its company.

Lists load in batches: one query per table for the whole list (a page of 100 todos takes five:
todos, lists, assignees, tags, custom values; not five hundred), and the one-entity loaders are
the batch of one, so a page and a single read give the same rows. The names a join row carries
(a user's name and email, a tag's title and colour, a field's name and type, an option's title)
are joined into that table's query.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from tortoise.exceptions import DoesNotExist

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
    TodoList,
    TodoTag,
    TodoUser,
)

Row = rows.Row
T = TypeVar("T")


def _one(found: list[T], what: str, entity_id: str) -> T:
    if not found:
        raise DoesNotExist(f"{what} {entity_id} does not exist")
    return found[0]


def _grouped(pairs: Iterable[tuple[str, T]]) -> dict[str, list[T]]:
    grouped: dict[str, list[T]] = defaultdict(list)
    for key, value in pairs:
        grouped[key].append(value)
    return grouped


async def projects(project_ids: Sequence[str]) -> list[Row]:
    """In the order given; ids that do not exist are left out."""
    found = {
        p.id: p for p in await Project.filter(id__in=list(project_ids)).select_related("company")
    }
    return [rows.project_row(found[i], found[i].company) for i in project_ids if i in found]


async def project(project_id: str) -> Row:
    return _one(await projects([project_id]), "Project", project_id)


def list_row(obj: TodoList) -> Row:
    """A list loaded with select_related("project__company")."""
    return rows.todo_list_row(obj, rows.project_row(obj.project, obj.project.company))


async def todo_list(todo_list_id: str) -> Row:
    return list_row(await TodoList.get(id=todo_list_id).select_related("project__company"))


@dataclass(frozen=True)
class TodoColumns:
    """A todo's columns as read directly (rows.TodoFields), for a page of them."""

    id: str
    todo_list_id: str
    title: str
    text: str
    html: str
    position: float
    done: bool
    started_at: datetime | None
    dued_at: datetime | None
    created_by_id: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class TodoValueColumns:
    """A custom value's columns as read directly (rows.TodoValueFields)."""

    id: str
    todo_id: str
    custom_field_id: str
    text: str | None
    number: float | None
    checked: bool | None
    custom_field_option_id: str | None
    updated_at: datetime


def _stamp(value: Any) -> Any:
    """A stored time as an aware UTC datetime: SQLite gives ISO text, PostgreSQL datetimes.
    (The ORM's own conversion took most of a page's time; fromisoformat is a fraction.)"""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _optional(kind: type, value: Any) -> Any:
    return None if value is None else kind(value)


async def _columns(
    table: str, columns: Sequence[str], key: str, ids: list[str], joins: str = ""
) -> list[dict]:
    """Rows of `table` whose `key` is one of `ids`, ordered by id; raw, for a page's sake.
    Columns and the key are `table`'s unless qualified; `joins` may add other tables' columns
    (qualified, and named by AS)."""

    def own(column: str) -> str:
        return column if "." in column else f"{table}.{column}"

    connection = Todo._meta.db
    if connection.capabilities.dialect == "postgres":
        where, params = f"{own(key)} = ANY($1::text[])", [ids]
    else:
        where, params = f"{own(key)} IN ({', '.join('?' * len(ids))})", list(ids)
    query = (
        f"SELECT {', '.join(map(own, columns))} FROM {table} {joins} "
        f"WHERE {where} ORDER BY {table}.id"
    )
    return [dict(row) for row in (await connection.execute_query(query, params))[1]]


async def _todo_columns(ids: list[str]) -> list[TodoColumns]:
    return [
        TodoColumns(
            **{
                **row,
                "position": float(row["position"]),
                "done": bool(row["done"]),
                **{
                    k: _stamp(row[k]) for k in ("started_at", "dued_at", "created_at", "updated_at")
                },
            }
        )
        for row in await _columns("todo", TodoColumns.__dataclass_fields__, "id", ids)
    ]


# A custom value's field and chosen option, joined into the values' one query.
_VALUE_NAMES = (
    "custom_field.name AS field_name",
    "custom_field.type AS field_type",
    "custom_field_option.title AS option_title",
)
_VALUE_JOINS = (
    "LEFT JOIN custom_field ON custom_field.id = todo_custom_field.custom_field_id "
    "LEFT JOIN custom_field_option "
    "ON custom_field_option.id = todo_custom_field.custom_field_option_id"
)


async def _field_values(todo_ids: list[str]) -> list[rows.FieldValue]:
    """The todos' custom values with their fields' names and types and their options' titles."""
    found = await _columns(
        "todo_custom_field",
        (*TodoValueColumns.__dataclass_fields__, *_VALUE_NAMES),
        "todo_id",
        todo_ids,
        _VALUE_JOINS,
    )
    return [
        rows.FieldValue(
            TodoValueColumns(
                id=row["id"],
                todo_id=row["todo_id"],
                custom_field_id=row["custom_field_id"],
                text=row["text"],
                number=_optional(float, row["number"]),
                checked=_optional(bool, row["checked"]),
                custom_field_option_id=row["custom_field_option_id"],
                updated_at=_stamp(row["updated_at"]),
            ),
            row["field_name"],
            row["field_type"],
            row["option_title"],
        )
        for row in found
    ]


# A join row's id and its user's or tag's, with the names (joined in the same query).
_ASSIGNEE = ("id", "user_id", "user__name", "user__email")
_TAGGING = ("id", "tag_id", "tag__title", "tag__color")


async def todos(todo_ids: Sequence[str]) -> list[Row]:
    """In the order given; ids that do not exist are left out. One query for the todos, one
    for their lists (with project and company), one per join table with the names of what it
    joins (users, tags, fields and options), whatever their number."""
    ids = list(dict.fromkeys(todo_ids))
    if not ids:
        return []
    found = {t.id: t for t in await _todo_columns(ids)}
    # The parents once each (a page is usually one list), not once per todo.
    parents = await TodoList.filter(
        id__in=list({t.todo_list_id for t in found.values()})
    ).select_related("project__company")
    lists = {p.id: list_row(p) for p in parents}
    users = _grouped(
        (t, rows.Assignee(*a))
        for t, *a in await TodoUser.filter(todo_id__in=ids)
        .order_by("id")
        .values_list("todo_id", *_ASSIGNEE)
    )
    tags = _grouped(
        (t, rows.Tagging(*g))
        for t, *g in await TodoTag.filter(todo_id__in=ids)
        .order_by("id")
        .values_list("todo_id", *_TAGGING)
    )
    values = _grouped((v.value.todo_id, v) for v in await _field_values(ids))
    return [
        rows.todo_row(found[i], lists[found[i].todo_list_id], users[i], tags[i], values[i])
        for i in todo_ids
        if i in found
    ]


async def todo(todo_id: str) -> Row:
    return _one(await todos([todo_id]), "Todo", todo_id)


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


async def _todos_by_id(todo_ids: Iterable[str]) -> dict[str, Row]:
    return {t["id"]: t for t in await todos(list(dict.fromkeys(todo_ids)))}


async def checklists(checklist_ids: Sequence[str]) -> list[Row]:
    """In the order given; ids that do not exist are left out."""
    found = {c.id: c for c in await Checklist.filter(id__in=list(checklist_ids))}
    parents = await _todos_by_id(c.todo_id for c in found.values())
    return [
        rows.checklist_row(found[i], parents[found[i].todo_id]) for i in checklist_ids if i in found
    ]


async def checklist(checklist_id: str) -> Row:
    return _one(await checklists([checklist_id]), "Checklist", checklist_id)


async def checklist_items(item_ids: Sequence[str]) -> list[Row]:
    """In the order given; ids that do not exist are left out."""
    found = {i.id: i for i in await ChecklistItem.filter(id__in=list(item_ids))}
    users = _grouped(
        (c, rows.Assignee(*a))
        for c, *a in await ChecklistItemUser.filter(checklist_item_id__in=list(found))
        .order_by("id")
        .values_list("checklist_item_id", *_ASSIGNEE)
    )
    parents = {
        c["id"]: c
        for c in await checklists(list(dict.fromkeys(i.checklist_id for i in found.values())))
    }
    return [
        rows.checklist_item_row(found[i], users[i], parents[found[i].checklist_id])
        for i in item_ids
        if i in found
    ]


async def checklist_item(item_id: str) -> Row:
    return _one(await checklist_items([item_id]), "ChecklistItem", item_id)


async def comments(comment_ids: Sequence[str]) -> list[Row]:
    """In the order given; ids that do not exist are left out."""
    found = {c.id: c for c in await Comment.filter(id__in=list(comment_ids))}
    parents = await _todos_by_id(c.todo_id for c in found.values())
    return [
        rows.comment_row(found[i], parents[found[i].todo_id]) for i in comment_ids if i in found
    ]


async def comment(comment_id: str) -> Row:
    return _one(await comments([comment_id]), "Comment", comment_id)
