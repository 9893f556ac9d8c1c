"""Checklists of a todo and their items."""

from typing import Annotated

import strawberry
from strawberry.types import Info

from models import snapshots
from models.event_types import EventType as E
from models.rows import Row
from models.tracker import Checklist as ChecklistRow
from models.tracker import ChecklistItem as ChecklistItemRow
from models.tracker import ChecklistItemUser
from resolvers import lookup, validate
from resolvers.emit import change, current
from resolvers.todo_links import LinkTable, set_links
from resolvers.todos import check_dates, date_event
from schema.domain import Checklist, ChecklistItem, MutationResult
from schema.inputs import (
    CreateChecklistInput,
    CreateChecklistItemInput,
    EditChecklistInput,
    EditChecklistItemInput,
    SetChecklistItemAssigneesInput,
    UpdateChecklistItemDueDateInput,
)
from schema.paging import MAX_TAKE, page, skipping, taking


async def _checklists(checklist_ids: list[str]) -> list[Checklist]:
    """Checklists with their items, in batches whatever their number."""
    item_ids = (
        await ChecklistItemRow.filter(checklist_id__in=checklist_ids)
        .order_by("position", "id")
        .values_list("id", flat=True)
    )
    items: dict[str, list[Row]] = {i: [] for i in checklist_ids}
    for item in await snapshots.checklist_items(item_ids):
        items[item["checklistId"]].append(item)
    return [
        Checklist.from_row(row, items[row["id"]])
        for row in await snapshots.checklists(checklist_ids)
    ]


ITEM_USERS = LinkTable(
    ChecklistItemUser,
    "checklist_item_id",
    "user_id",
    snapshots.checklist_item,
    E.TODO_CHECKLIST_ITEM_ASSIGNEE_REMOVED,
    E.TODO_CHECKLIST_ITEM_ASSIGNEE_ADDED,
)


@strawberry.type
class ChecklistQuery:
    @strawberry.field(description="The checklists of a todo, with their items.")
    async def checklists(
        self,
        info: Info,
        todo_id: Annotated[str, strawberry.argument(description="The todo's id.")],
        skip: skipping("checklists") = 0,
        take: taking("checklists") = MAX_TAKE,
    ) -> list[Checklist]:
        asked = page(skip, take)
        todo, _ = await lookup.todo(info, todo_id, "read")
        ids = (
            await ChecklistRow.filter(todo_id=todo.id)
            .order_by("position", "id")
            .offset(asked.skip)
            .limit(asked.take)
            .values_list("id", flat=True)
        )
        return await _checklists(ids)


@strawberry.type
class ChecklistMutation:
    @strawberry.mutation(description="Add a checklist to a todo. Emits TODO_CHECKLIST_CREATED.")
    async def create_checklist(
        self,
        info: Info,
        input: Annotated[
            CreateChecklistInput, strawberry.argument(description="The todo, title and position.")
        ],
    ) -> Checklist:
        todo, project = await lookup.todo(info, input.todo_id, "write")
        title = validate.title(input.title)
        async with change(info) as changes:
            created = await ChecklistRow.create(
                todo_id=todo.id, title=title, position=validate.position(input.position)
            )
            row = await snapshots.checklist(created.id)
            changes.emit(E.TODO_CHECKLIST_CREATED, project, None, row)
        return Checklist.from_row(row, [])

    @strawberry.mutation(
        description=(
            "Rename or reorder a checklist. Emits TODO_CHECKLIST_NAME_CHANGED "
            "when the title changes."
        )
    )
    async def edit_checklist(
        self,
        info: Info,
        input: Annotated[
            EditChecklistInput, strawberry.argument(description="The checklist and what to change.")
        ],
    ) -> Checklist:
        found, project = await lookup.checklist(info, input.checklist_id, "write")
        async with change(info) as changes:
            found = await current(found)
            renamed = False
            if validate.given(input.title) and input.title is not None:
                title = validate.title(input.title)
                renamed = title != found.title
                found.title = title
            if validate.given(input.position) and input.position is not None:
                found.position = validate.position(input.position)
            before = await snapshots.checklist(found.id)
            await found.save()
            after = await snapshots.checklist(found.id)
            if renamed:
                changes.emit(E.TODO_CHECKLIST_NAME_CHANGED, project, before, after)
        [edited] = await _checklists([found.id])
        return edited

    @strawberry.mutation(
        description="Delete a checklist and its items. Emits TODO_CHECKLIST_DELETED."
    )
    async def delete_checklist(
        self, info: Info, id: Annotated[str, strawberry.argument(description="The checklist's id.")]
    ) -> MutationResult:
        found, project = await lookup.checklist(info, id, "write")
        async with change(info) as changes:
            before = await snapshots.checklist(found.id)
            await found.delete()
            changes.emit(E.TODO_CHECKLIST_DELETED, project, before, None)
        return MutationResult(success=True, operation_id=found.id)

    @strawberry.mutation(
        description="Add an item to a checklist. Emits TODO_CHECKLIST_ITEM_CREATED."
    )
    async def create_checklist_item(
        self,
        info: Info,
        input: Annotated[
            CreateChecklistItemInput,
            strawberry.argument(description="The checklist, title and position."),
        ],
    ) -> ChecklistItem:
        checklist, project = await lookup.checklist(info, input.checklist_id, "write")
        title = validate.title(input.title)
        async with change(info) as changes:
            created = await ChecklistItemRow.create(
                checklist_id=checklist.id, title=title, position=validate.position(input.position)
            )
            row = await snapshots.checklist_item(created.id)
            changes.emit(E.TODO_CHECKLIST_ITEM_CREATED, project, None, row)
        return ChecklistItem.from_row(row)

    @strawberry.mutation(
        description=(
            "Change a checklist item. Emits TODO_CHECKLIST_ITEM_NAME_CHANGED and "
            "TODO_CHECKLIST_ITEM_DONE_STATUS_UPDATED, each when it applies."
        )
    )
    async def edit_checklist_item(
        self,
        info: Info,
        input: Annotated[
            EditChecklistItemInput, strawberry.argument(description="The item and what to change.")
        ],
    ) -> ChecklistItem:
        found, project = await lookup.checklist_item(info, input.checklist_item_id, "write")
        async with change(info) as changes:
            found = await current(found)
            events: list[str] = []
            if validate.given(input.title) and input.title is not None:
                title = validate.title(input.title)
                if title != found.title:
                    events.append(E.TODO_CHECKLIST_ITEM_NAME_CHANGED)
                found.title = title
            if validate.given(input.done) and input.done is not None and input.done != found.done:
                found.done = input.done
                events.append(E.TODO_CHECKLIST_ITEM_DONE_STATUS_UPDATED)
            if validate.given(input.position) and input.position is not None:
                found.position = validate.position(input.position)
            before = await snapshots.checklist_item(found.id)
            await found.save()
            after = await snapshots.checklist_item(found.id)
            for event in events:
                changes.emit(event, project, before, after)
        return ChecklistItem.from_row(after)

    @strawberry.mutation(description="Delete a checklist item. Emits TODO_CHECKLIST_ITEM_DELETED.")
    async def delete_checklist_item(
        self, info: Info, id: Annotated[str, strawberry.argument(description="The item's id.")]
    ) -> MutationResult:
        found, project = await lookup.checklist_item(info, id, "write")
        async with change(info) as changes:
            before = await snapshots.checklist_item(found.id)
            await found.delete()
            changes.emit(E.TODO_CHECKLIST_ITEM_DELETED, project, before, None)
        return MutationResult(success=True, operation_id=found.id)

    @strawberry.mutation(
        description=(
            "Set or clear a checklist item's dates. Emits "
            "TODO_CHECKLIST_ITEM_DUE_DATE_ADDED/UPDATED/REMOVED."
        )
    )
    async def update_checklist_item_due_date(
        self,
        info: Info,
        input: Annotated[
            UpdateChecklistItemDueDateInput,
            strawberry.argument(description="The item and its dates."),
        ],
    ) -> ChecklistItem:
        found, project = await lookup.checklist_item(info, input.checklist_item_id, "write")
        async with change(info) as changes:
            found = await current(found)
            dates_before = (found.started_at, found.dued_at)
            if validate.given(input.started_at):
                found.started_at = input.started_at
            if validate.given(input.dued_at):
                found.dued_at = input.dued_at
            check_dates(found.started_at, found.dued_at)
            event = date_event(
                dates_before,
                (found.started_at, found.dued_at),
                E.TODO_CHECKLIST_ITEM_DUE_DATE_ADDED,
                E.TODO_CHECKLIST_ITEM_DUE_DATE_UPDATED,
                E.TODO_CHECKLIST_ITEM_DUE_DATE_REMOVED,
            )
            before = await snapshots.checklist_item(found.id)
            await found.save()
            after = await snapshots.checklist_item(found.id)
            if event:
                changes.emit(event, project, before, after)
        return ChecklistItem.from_row(after)

    @strawberry.mutation(
        description=(
            "Make a checklist item's assignees exactly these users. Emits "
            "TODO_CHECKLIST_ITEM_ASSIGNEE_ADDED / _REMOVED, one per user."
        )
    )
    async def set_checklist_item_assignees(
        self,
        info: Info,
        input: Annotated[
            SetChecklistItemAssigneesInput,
            strawberry.argument(description="The item and its assignees."),
        ],
    ) -> ChecklistItem:
        found, project = await lookup.checklist_item(info, input.checklist_item_id, "write")
        wanted = validate.id_list(input.assignee_ids, "assigneeIds")
        await lookup.project_user_ids(project, wanted, "assigneeIds")
        async with change(info) as changes:
            row = await set_links(changes, project, found.id, wanted, ITEM_USERS)
        return ChecklistItem.from_row(row)
