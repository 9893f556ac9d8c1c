"""Row-shaped JSON of the domain (API.md §6): camelCase, foreign-key ids, join arrays.

These functions are pure: they format rows that models.snapshots has loaded. The same shapes
are stored in event values, sent in webhook bodies and offered as sample payloads.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

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


def company_row(company: Company) -> Row:
    return {
        "id": company.id,
        "name": company.name,
        "slug": company.slug,
        "createdAt": iso(company.created_at),
    }


def project_row(project: Project, company: Company) -> Row:
    return {
        "id": project.id,
        "name": project.name,
        "slug": project.slug,
        "companyId": company.id,
        "createdAt": iso(project.created_at),
        "updatedAt": iso(project.updated_at),
        "company": company_row(company),
    }


def todo_list_row(todo_list: TodoList, project: Row) -> Row:
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


def todo_custom_field_row(value: TodoValueFields) -> Row:
    return {
        "id": value.id,
        "todoId": value.todo_id,
        "customFieldId": value.custom_field_id,
        "text": value.text,
        "number": value.number,
        "checked": value.checked,
        "customFieldOptionId": value.custom_field_option_id,
        "updatedAt": iso(value.updated_at),
    }


def todo_row(
    todo: TodoFields,
    todo_list: Row,
    user_links: list[tuple[str, str]],
    tag_links: list[tuple[str, str]],
    custom_values: Sequence[TodoValueFields],
) -> Row:
    """A todo with its join arrays; links are (join row id, user or tag id) pairs."""
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
        "todoUsers": [{"id": i, "todoId": todo.id, "userId": u} for i, u in user_links],
        "todoTags": [{"id": i, "todoId": todo.id, "tagId": t} for i, t in tag_links],
        "todoCustomFields": [todo_custom_field_row(v) for v in custom_values],
        "todoList": todo_list,
    }


def tag_row(tag: Tag, project: Row) -> Row:
    return {
        "id": tag.id,
        "title": tag.title,
        "color": tag.color,
        "projectId": project["id"],
        "createdAt": iso(tag.created_at),
        "updatedAt": iso(tag.updated_at),
        "project": project,
    }


def custom_field_option_row(option: CustomFieldOption) -> Row:
    return {
        "id": option.id,
        "customFieldId": option.custom_field_id,
        "title": option.title,
        "color": option.color,
        "position": option.position,
    }


def custom_field_row(field: CustomField, options: list[CustomFieldOption], project: Row) -> Row:
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


def checklist_row(checklist: Checklist, todo: Row) -> Row:
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
    item: ChecklistItem, user_links: list[tuple[str, str]], checklist: Row
) -> Row:
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
            {"id": i, "checklistItemId": item.id, "userId": u} for i, u in user_links
        ],
        "checklist": checklist,
    }


def comment_row(comment: Comment, todo: Row) -> Row:
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


def webhook_row(webhook: WebhookFields) -> Row:
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
