"""A todo's joins: assignees, tags and custom-field values, one event per link changed."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

import strawberry
from strawberry.types import Info
from tortoise.models import Model

from models import ids, snapshots
from models.event_types import EventType as E
from models.rows import Row
from models.tracker import (
    CustomFieldOption,
    CustomFieldType,
    Project,
    TodoCustomField,
    TodoTag,
    TodoUser,
)
from resolvers import lookup, validate
from resolvers.emit import Changes, change
from schema.domain import Todo
from schema.errors import BadUserInput
from schema.inputs import SetTodoAssigneesInput, SetTodoCustomFieldInput, SetTodoTagsInput

TEXT_TYPES = frozenset(
    {
        CustomFieldType.TEXT_SINGLE,
        CustomFieldType.TEXT_MULTI,
        CustomFieldType.URL,
        CustomFieldType.EMAIL,
        CustomFieldType.PHONE,
        CustomFieldType.DATE,
    }
)
NUMBER_TYPES = frozenset(
    {
        CustomFieldType.NUMBER,
        CustomFieldType.CURRENCY,
        CustomFieldType.PERCENT,
        CustomFieldType.RATING,
    }
)
SELECT_TYPES = frozenset({CustomFieldType.SELECT_SINGLE, CustomFieldType.SELECT_MULTI})


def diff(current: list[str], wanted: list[str]) -> tuple[list[str], list[str]]:
    """(removed, added), each in a stable order."""
    return [c for c in current if c not in wanted], [w for w in wanted if w not in current]


@dataclass(frozen=True)
class LinkTable:
    """A join table from an owner (a todo, a checklist item) to the ids it links to."""

    model: type[Model]
    owner_field: str
    target_field: str
    snapshot: Callable[[str], Awaitable[Row]]
    removed_event: str
    added_event: str


async def set_links(
    changes: Changes, project: Project, owner_id: str, wanted: list[str], table: LinkTable
) -> Row:
    """Make the owner's links exactly `wanted`: one event per link removed or added, each with
    the owner's row just before and just after that one change. Returns the final row."""
    owner = {table.owner_field: owner_id}
    current = await table.model.filter(**owner).values_list(table.target_field, flat=True)
    removed, added = diff(current, wanted)
    row = await table.snapshot(owner_id)
    for target in removed:
        await table.model.filter(**owner, **{table.target_field: target}).delete()
        row, before = await table.snapshot(owner_id), row
        changes.emit(table.removed_event, project, before, row)
    for target in added:
        await table.model.create(**owner, **{table.target_field: target})
        row, before = await table.snapshot(owner_id), row
        changes.emit(table.added_event, project, before, row)
    return row


TODO_USERS = LinkTable(
    TodoUser, "todo_id", "user_id", snapshots.todo, E.TODO_ASSIGNEE_REMOVED, E.TODO_ASSIGNEE_ADDED
)
TODO_TAGS = LinkTable(
    TodoTag, "todo_id", "tag_id", snapshots.todo, E.TODO_TAG_REMOVED, E.TODO_TAG_ADDED
)


@strawberry.type
class TodoLinkMutation:
    @strawberry.mutation(
        description=(
            "Make a todo's assignees exactly these users. Emits "
            "TODO_ASSIGNEE_ADDED / _REMOVED, one per user."
        )
    )
    async def set_todo_assignees(
        self,
        info: Info,
        input: Annotated[
            SetTodoAssigneesInput, strawberry.argument(description="The todo and its assignees.")
        ],
    ) -> Todo:
        todo, project = await lookup.todo(info, input.todo_id, "write")
        wanted = validate.id_list(input.assignee_ids, "assigneeIds")
        await lookup.project_user_ids(project, wanted, "assigneeIds")
        async with change(info) as changes:
            row = await set_links(changes, project, todo.id, wanted, TODO_USERS)
        return Todo.from_row(row)

    @strawberry.mutation(
        description=(
            "Make a todo's tags exactly these. Emits TODO_TAG_ADDED / _REMOVED, one per tag."
        )
    )
    async def set_todo_tags(
        self,
        info: Info,
        input: Annotated[
            SetTodoTagsInput, strawberry.argument(description="The todo and its tags.")
        ],
    ) -> Todo:
        todo, project = await lookup.todo(info, input.todo_id, "write")
        wanted = validate.id_list(input.tag_ids, "tagIds")
        await lookup.project_tag_ids(project, wanted)
        async with change(info) as changes:
            row = await set_links(changes, project, todo.id, wanted, TODO_TAGS)
        return Todo.from_row(row)

    @strawberry.mutation(
        description=(
            "Set a todo's value of one custom field; true when done. Emits "
            "TODO_CUSTOM_FIELD_UPDATED."
        )
    )
    async def set_todo_custom_field(
        self,
        info: Info,
        input: Annotated[
            SetTodoCustomFieldInput,
            strawberry.argument(description="The todo, the field and the value."),
        ],
    ) -> bool:
        todo, project = await lookup.todo(info, input.todo_id, "write")
        field, _ = await lookup.custom_field(info, input.custom_field_id, "read")
        if field.project_id != project.id:
            raise BadUserInput("customFieldId belongs to another project", field="customFieldId")
        values = await _value_for(field.type, field.id, input)
        async with change(info) as changes:
            before = await snapshots.todo(todo.id)
            await TodoCustomField.update_or_create(
                defaults=values, todo_id=todo.id, custom_field_id=field.id
            )
            after = await snapshots.todo(todo.id)
            changes.emit(E.TODO_CUSTOM_FIELD_UPDATED, project, before, after)
        return True


async def _value_for(
    field_type: CustomFieldType, field_id: str, input: SetTodoCustomFieldInput
) -> dict[str, object]:
    """The columns to store for this field's type; the value that fits the type is required."""
    empty: dict[str, object] = {
        "text": None,
        "number": None,
        "checked": None,
        "custom_field_option_id": None,
    }
    if field_type in TEXT_TYPES:
        if not validate.given(input.text):
            raise BadUserInput(f"A {field_type} field takes text", field="text")
        return {**empty, "text": validate.text(input.text or "", "text", 10_000) or None}
    if field_type in NUMBER_TYPES:
        if not validate.given(input.number):
            raise BadUserInput(f"A {field_type} field takes number", field="number")
        if input.number is not None:
            validate.finite(input.number, "number")
        return {**empty, "number": input.number}
    if field_type == CustomFieldType.CHECKBOX:
        if not validate.given(input.checked):
            raise BadUserInput("A CHECKBOX field takes checked", field="checked")
        return {**empty, "checked": input.checked}
    if field_type in SELECT_TYPES:
        option_id = input.custom_field_option_id
        if not validate.given(option_id):
            raise BadUserInput(
                f"A {field_type} field takes customFieldOptionId", field="customFieldOptionId"
            )
        if option_id is not None and not (
            ids.could_exist(option_id)
            and await CustomFieldOption.exists(id=option_id, custom_field_id=field_id)
        ):
            raise BadUserInput(
                f"customFieldOptionId {option_id!r} is not an option of this field",
                field="customFieldOptionId",
            )
        return {**empty, "custom_field_option_id": option_id}
    raise BadUserInput(f"Custom fields of type {field_type} cannot be set here")
