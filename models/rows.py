"""Row-shaped JSON of the domain (API.md §6): camelCase, foreign-key ids, join arrays.

These functions are pure: they format rows that models.snapshots has loaded. The same shapes
are stored in event values, sent in webhook bodies and offered as sample payloads; each
builder returns the shape models.shapes declares, which the published JSON Schemas come from.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple, Protocol

from models import shapes
from models.accounts import Company
from models.tracker import (
    Checklist,
    ChecklistItem,
    Comment,
    CustomField,
    CustomFieldOption,
    Project,
    Tag,
    TodoList,
)

Row = dict[str, Any]


class TodoFields(Protocol):
    """What a todo row is made of: a Todo, or its columns read directly (models.snapshots)."""

    id: str
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


class TodoValueFields(Protocol):
    """What a custom value row is made of: a TodoCustomField, or its columns."""

    id: str
    todo_id: str
    custom_field_id: str
    text: str | None
    number: float | None
    checked: bool | None
    custom_field_option_id: str | None
    updated_at: datetime


class Assignee(NamedTuple):
    """A user assigned to a todo or checklist item: the join row's id, and the user."""

    link_id: str
    user_id: str
    name: str | None
    email: str | None


class Tagging(NamedTuple):
    """A tag on a todo: the join row's id, and the tag."""

    link_id: str
    tag_id: str
    title: str | None
    color: str | None


class FieldValue(NamedTuple):
    """A todo's value of a custom field (a TodoCustomField, or its columns), with the names of
    the field and the chosen option."""

    value: TodoValueFields
    field_name: str | None
    field_type: str | None
    option_title: str | None


def iso(value: datetime | None) -> str | None:
    """UTC with milliseconds and a Z, as JavaScript's Date.toISOString() prints it."""
    if value is None:
        return None
    utc = value.astimezone(UTC)
    # Not strftime("%Y"): glibc does not pad years before 1000 to four digits.
    return (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:"
        f"{utc.second:02d}.{utc.microsecond // 1000:03d}Z"
    )


def company_row(company: Company) -> shapes.CompanyRow:
    return {
        "id": company.id,
        "name": company.name,
        "slug": company.slug,
        "createdAt": iso(company.created_at),
    }


def project_row(project: Project, company: Company) -> shapes.ProjectRow:
    return {
        "id": project.id,
        "name": project.name,
        "slug": project.slug,
        "companyId": company.id,
        "createdAt": iso(project.created_at),
        "updatedAt": iso(project.updated_at),
        "company": company_row(company),
    }


def todo_list_row(todo_list: TodoList, project: shapes.ProjectRow) -> shapes.TodoListRow:
    return {
        "id": todo_list.id,
        "title": todo_list.title,
        "position": todo_list.position,
        "projectId": project["id"],
        "createdById": todo_list.created_by_id,
        "createdAt": iso(todo_list.created_at),
        "updatedAt": iso(todo_list.updated_at),
        "project": project,
    }


def todo_custom_field_row(named: FieldValue) -> shapes.TodoCustomFieldRow:
    value = named.value
    return {
        "id": value.id,
        "todoId": value.todo_id,
        "customFieldId": value.custom_field_id,
        "customFieldName": named.field_name,
        "customFieldType": named.field_type,
        "text": value.text,
        "number": value.number,
        "checked": value.checked,
        "customFieldOptionId": value.custom_field_option_id,
        "customFieldOptionTitle": named.option_title,
        "updatedAt": iso(value.updated_at),
    }


def todo_row(
    todo: TodoFields,
    todo_list: shapes.TodoListRow,
    assignees: Sequence[Assignee],
    tags: Sequence[Tagging],
    custom_values: Sequence[FieldValue],
) -> shapes.TodoRow:
    """A todo (a Todo, or its columns) with its join arrays, each carrying the names next to
    the ids."""
    return {
        "id": todo.id,
        "title": todo.title,
        "text": todo.text,
        "html": todo.html,
        "position": todo.position,
        "done": todo.done,
        "startedAt": iso(todo.started_at),
        "duedAt": iso(todo.dued_at),
        "todoListId": todo_list["id"],
        "createdById": todo.created_by_id,
        "createdAt": iso(todo.created_at),
        "updatedAt": iso(todo.updated_at),
        "todoUsers": [
            {
                "id": a.link_id,
                "todoId": todo.id,
                "userId": a.user_id,
                "userName": a.name,
                "userEmail": a.email,
            }
            for a in assignees
        ],
        "todoTags": [
            {
                "id": t.link_id,
                "todoId": todo.id,
                "tagId": t.tag_id,
                "tagTitle": t.title,
                "tagColor": t.color,
            }
            for t in tags
        ],
        "todoCustomFields": [todo_custom_field_row(v) for v in custom_values],
        "todoList": todo_list,
    }


def tag_row(tag: Tag, project: shapes.ProjectRow) -> shapes.TagRow:
    return {
        "id": tag.id,
        "title": tag.title,
        "color": tag.color,
        "projectId": project["id"],
        "createdAt": iso(tag.created_at),
        "updatedAt": iso(tag.updated_at),
        "project": project,
    }


def custom_field_option_row(option: CustomFieldOption) -> shapes.CustomFieldOptionRow:
    return {
        "id": option.id,
        "customFieldId": option.custom_field_id,
        "title": option.title,
        "color": option.color,
        "position": option.position,
    }


def custom_field_row(
    field: CustomField, options: list[CustomFieldOption], project: shapes.ProjectRow
) -> shapes.CustomFieldRow:
    return {
        "id": field.id,
        "name": field.name,
        "type": str(field.type),
        "description": field.description,
        "projectId": project["id"],
        "createdAt": iso(field.created_at),
        "updatedAt": iso(field.updated_at),
        "customFieldOptions": [custom_field_option_row(o) for o in options],
        "project": project,
    }


def checklist_row(checklist: Checklist, todo: shapes.TodoRow) -> shapes.ChecklistRow:
    return {
        "id": checklist.id,
        "title": checklist.title,
        "position": checklist.position,
        "todoId": todo["id"],
        "createdAt": iso(checklist.created_at),
        "updatedAt": iso(checklist.updated_at),
        "todo": todo,
    }


def checklist_item_row(
    item: ChecklistItem, assignees: Sequence[Assignee], checklist: shapes.ChecklistRow
) -> shapes.ChecklistItemRow:
    return {
        "id": item.id,
        "title": item.title,
        "position": item.position,
        "done": item.done,
        "startedAt": iso(item.started_at),
        "duedAt": iso(item.dued_at),
        "checklistId": checklist["id"],
        "createdAt": iso(item.created_at),
        "updatedAt": iso(item.updated_at),
        "checklistItemUsers": [
            {
                "id": a.link_id,
                "checklistItemId": item.id,
                "userId": a.user_id,
                "userName": a.name,
                "userEmail": a.email,
            }
            for a in assignees
        ],
        "checklist": checklist,
    }


def comment_row(comment: Comment, todo: shapes.TodoRow) -> shapes.CommentRow:
    return {
        "id": comment.id,
        "html": comment.html,
        "text": comment.text,
        "category": "TODO",
        "categoryId": todo["id"],
        "userId": comment.user_id,
        "createdAt": iso(comment.created_at),
        "updatedAt": iso(comment.updated_at),
        "todo": todo,
    }


def record_todo(value: Row | None) -> Row | None:
    """The todo an event value concerns (itself, or the todo above a checklist or comment)."""
    while value is not None:
        if "todoListId" in value and "todoUsers" in value:
            return value
        value = value.get("todo") or value.get("checklist")
    return None


class WebhookFields(Protocol):
    """What webhook_row reads: a stored models.webhooks.Webhook, or a stand-in that was never
    stored (`hookline listen` forwards with one: hookline/local/forwarder.py)."""

    @property
    def id(self) -> str: ...
    @property
    def uid(self) -> str: ...
    @property
    def name(self) -> str | None: ...
    @property
    def url(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def events(self) -> list[str]: ...
    @property
    def project_ids(self) -> list[str]: ...
    @property
    def filters(self) -> Any: ...
    @property
    def enabled(self) -> bool: ...
    @property
    def created_by_id(self) -> str: ...
    @property
    def company_id(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def updated_at(self) -> datetime: ...
    @property
    def consecutive_failures(self) -> int: ...
    @property
    def last_delivery_at(self) -> datetime | None: ...
    @property
    def last_failure_at(self) -> datetime | None: ...
    @property
    def disabled_reason(self) -> str | None: ...


def webhook_row(webhook: WebhookFields) -> shapes.WebhookRow:
    """The Webhook as API.md §4 shows it; the secret is never part of it."""
    return {
        "id": webhook.id,
        "uid": webhook.uid,
        "name": webhook.name,
        "url": webhook.url,
        "secret": "",
        "status": str(webhook.status),
        "events": list(webhook.events),
        "projectIds": list(webhook.project_ids),
        "filters": webhook.filters,
        "enabled": webhook.enabled,
        "metadata": {"events": list(webhook.events), "projectIds": list(webhook.project_ids)},
        "createdById": webhook.created_by_id,
        "companyId": webhook.company_id,
        "createdAt": iso(webhook.created_at),
        "updatedAt": iso(webhook.updated_at),
        "consecutiveFailures": webhook.consecutive_failures,
        "lastDeliveryAt": iso(webhook.last_delivery_at),
        "lastFailureAt": iso(webhook.last_failure_at),
        "disabledReason": webhook.disabled_reason,
    }
