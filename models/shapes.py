"""The shapes of payload JSON, declared once: models.rows builds these dicts (a type checker
holds each builder to its shape) and models.payload_schema turns them into the JSON Schemas
the event catalog publishes. A key marked NotRequired is one that events stored before it
existed lack (names were added to join rows in issue 13); new events always carry it.
"""

from dataclasses import dataclass
from typing import Annotated, Any, Literal, NotRequired, TypedDict

from models.tracker import CustomFieldType


@dataclass(frozen=True)
class Doc:
    """What a key means, for people mapping fields in a connector."""

    text: str


@dataclass(frozen=True)
class Format:
    """A JSON Schema string format."""

    name: str


@dataclass(frozen=True)
class OneOf:
    """The values a string key takes."""

    values: tuple[str, ...]


# An instant as JavaScript's Date.toISOString() prints it: UTC, milliseconds, a Z.
DATE_TIME = Format("date-time")
Instant = Annotated[str, Doc("A UTC timestamp, e.g. 2026-01-01T12:00:00.000Z."), DATE_TIME]
MaybeInstant = Annotated[str | None, Doc("A UTC timestamp, or null when not set."), DATE_TIME]


class CompanyRow(TypedDict):
    """A company (organisation)."""

    id: str
    name: Annotated[str, Doc("The company's name.")]
    slug: Annotated[str, Doc("The company's unique short name, usable instead of its id.")]
    createdAt: Instant


class ProjectRow(TypedDict):
    """A project (workspace) with its company."""

    id: str
    name: Annotated[str, Doc("The project's name.")]
    slug: str
    companyId: str
    createdAt: Instant
    updatedAt: Instant
    company: CompanyRow


class TodoListRow(TypedDict):
    """A todo list with its project."""

    id: str
    title: Annotated[str, Doc("The list's title.")]
    position: Annotated[float, Doc("Sort key among the project's lists; lower comes first.")]
    projectId: str
    createdById: Annotated[str | None, Doc("The user who created it; null if that user is gone.")]
    createdAt: Instant
    updatedAt: Instant
    project: ProjectRow


class TodoUserRow(TypedDict):
    """One assignee of a todo."""

    id: Annotated[str, Doc("The id of the assignment itself.")]
    todoId: str
    userId: Annotated[str, Doc("The assigned user's id.")]
    userName: NotRequired[Annotated[str | None, Doc("The assigned user's name.")]]
    userEmail: NotRequired[Annotated[str | None, Doc("The assigned user's email address.")]]


class TodoTagRow(TypedDict):
    """One tag on a todo."""

    id: Annotated[str, Doc("The id of the tagging itself.")]
    todoId: str
    tagId: Annotated[str, Doc("The tag's id.")]
    tagTitle: NotRequired[Annotated[str | None, Doc("The tag's title (its name).")]]
    tagColor: NotRequired[Annotated[str | None, Doc("The tag's colour.")]]


class TodoCustomFieldRow(TypedDict):
    """A todo's value of one custom field; which of text, number, checked and
    customFieldOptionId holds it depends on the field's type."""

    id: Annotated[str, Doc("The id of the value itself.")]
    todoId: str
    customFieldId: Annotated[str, Doc("The custom field's id.")]
    customFieldName: NotRequired[Annotated[str | None, Doc("The custom field's name.")]]
    customFieldType: NotRequired[
        Annotated[str | None, Doc("The custom field's type."), OneOf(tuple(CustomFieldType))]
    ]
    text: Annotated[str | None, Doc("The value of a text, URL, email or phone field.")]
    number: Annotated[
        float | None, Doc("The value of a number, currency, percent or rating field.")
    ]
    checked: Annotated[bool | None, Doc("The value of a checkbox field.")]
    customFieldOptionId: Annotated[str | None, Doc("The chosen option of a select field.")]
    customFieldOptionTitle: NotRequired[
        Annotated[str | None, Doc("The chosen option's title (select fields).")]
    ]
    updatedAt: Instant


class TodoRow(TypedDict):
    """A todo (Blue's record) with its assignees, tags, custom field values and list."""

    id: str
    title: Annotated[str, Doc("The todo's title.")]
    text: Annotated[str, Doc("The description as plain text.")]
    html: Annotated[str, Doc("The description as HTML.")]
    position: Annotated[float, Doc("Sort key within its list; lower comes first.")]
    done: Annotated[bool, Doc("Whether the todo is done.")]
    startedAt: MaybeInstant
    duedAt: MaybeInstant
    todoListId: str
    createdById: Annotated[str | None, Doc("The user who created it; null if that user is gone.")]
    createdAt: Instant
    updatedAt: Instant
    todoUsers: Annotated[list[TodoUserRow], Doc("Its assignees.")]
    todoTags: Annotated[list[TodoTagRow], Doc("Its tags.")]
    todoCustomFields: Annotated[list[TodoCustomFieldRow], Doc("Its custom field values.")]
    todoList: TodoListRow


class TagRow(TypedDict):
    """A tag of a project."""

    id: str
    title: Annotated[str, Doc("The tag's title (its name).")]
    color: Annotated[str, Doc("The tag's colour.")]
    projectId: str
    createdAt: Instant
    updatedAt: Instant
    project: ProjectRow


class CustomFieldOptionRow(TypedDict):
    """One option of a select field."""

    id: str
    customFieldId: str
    title: str
    color: str
    position: float


class CustomFieldRow(TypedDict):
    """A custom field of a project, with its options."""

    id: str
    name: Annotated[str, Doc("The field's name.")]
    type: Annotated[str, Doc("The field's type."), OneOf(tuple(CustomFieldType))]
    description: str
    projectId: str
    createdAt: Instant
    updatedAt: Instant
    customFieldOptions: list[CustomFieldOptionRow]
    project: ProjectRow


class ChecklistRow(TypedDict):
    """A checklist with the todo it belongs to."""

    id: str
    title: Annotated[str, Doc("The checklist's title.")]
    position: float
    todoId: str
    createdAt: Instant
    updatedAt: Instant
    todo: TodoRow


class ChecklistItemUserRow(TypedDict):
    """One assignee of a checklist item."""

    id: str
    checklistItemId: str
    userId: Annotated[str, Doc("The assigned user's id.")]
    userName: NotRequired[Annotated[str | None, Doc("The assigned user's name.")]]
    userEmail: NotRequired[Annotated[str | None, Doc("The assigned user's email address.")]]


class ChecklistItemRow(TypedDict):
    """A checklist item with its checklist (and the todo above it)."""

    id: str
    title: Annotated[str, Doc("The item's title.")]
    position: float
    done: Annotated[bool, Doc("Whether the item is checked.")]
    startedAt: MaybeInstant
    duedAt: MaybeInstant
    checklistId: str
    createdAt: Instant
    updatedAt: Instant
    checklistItemUsers: Annotated[list[ChecklistItemUserRow], Doc("Its assignees.")]
    checklist: ChecklistRow


class CommentRow(TypedDict):
    """A comment on a todo."""

    id: str
    html: Annotated[str, Doc("The comment as HTML.")]
    text: Annotated[str, Doc("The comment as plain text.")]
    category: Literal["TODO"]
    categoryId: Annotated[str, Doc("The todo commented on.")]
    userId: Annotated[str | None, Doc("The comment's author; null if that user is gone.")]
    createdAt: Instant
    updatedAt: Instant
    todo: TodoRow


class WebhookFiltersRow(TypedDict):
    """The records a webhook is narrowed to; a list that is absent does not filter."""

    todoListIds: NotRequired[list[str]]
    tagIds: NotRequired[list[str]]
    assigneeIds: NotRequired[list[str]]
    customFieldIds: NotRequired[list[str]]


class WebhookScopeRow(TypedDict):
    """Blue's copy of a webhook's scope."""

    events: list[str]
    projectIds: list[str]


class WebhookRow(TypedDict):
    """The webhook the delivery was made for (its secret is never sent: always "")."""

    id: str
    uid: str
    name: str | None
    url: str
    secret: Annotated[str, Doc('Always "" in a delivery.')]
    status: Annotated[str, OneOf(("HEALTHY", "UNHEALTHY"))]
    events: Annotated[list[str], Doc("The events it receives; empty means every event.")]
    projectIds: Annotated[list[str], Doc("The projects it covers; empty means all.")]
    filters: WebhookFiltersRow | None
    enabled: bool
    metadata: WebhookScopeRow
    createdById: str
    companyId: str
    createdAt: Instant
    updatedAt: Instant
    consecutiveFailures: int
    lastDeliveryAt: MaybeInstant
    lastFailureAt: MaybeInstant
    disabledReason: str | None


class CompanyRef(TypedDict):
    """The company the event happened in."""

    id: str
    name: Annotated[str | None, Doc("The company's name when the event happened.")]


class ProjectRef(TypedDict):
    """The project the event happened in."""

    id: str
    name: Annotated[str | None, Doc("The project's name when the event happened.")]


class UserRef(TypedDict):
    """Who made the change (the actor); every key is null for a change made by the system."""

    id: str | None
    name: Annotated[str | None, Doc("The actor's name.")]
    email: Annotated[str | None, Doc("The actor's email address.")]


class EventBody(TypedDict):
    """The body of one webhook delivery (API.md §6, and the additions of §8)."""

    id: Annotated[
        str,
        Doc(
            "The event's stable id: the same on every retry and redelivery, so a receiver "
            "can deduplicate on it."
        ),
    ]
    event: Annotated[str, Doc("What happened (the event type).")]
    webhook: WebhookRow
    previousValue: Annotated[Any, Doc("The entity before the change; null on creates.")]
    currentValue: Annotated[Any, Doc("The entity after the change; null on deletes.")]
    company: CompanyRef
    project: ProjectRef
    user: UserRef
    eventId: Annotated[str, Doc("The event's id, as Blue names it (equal to id).")]
    createdAt: Annotated[str, Doc("When the change was committed (UTC)."), DATE_TIME]
    occurredAt: Annotated[
        str, Doc("When the change happened (UTC); equal to createdAt."), DATE_TIME
    ]
