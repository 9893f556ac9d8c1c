"""Todo lists of a project."""

from typing import Annotated

import strawberry
from strawberry.types import Info

from models import snapshots
from models.event_types import EventType as E
from models.tracker import TodoList as TodoListRow
from resolvers import lookup, validate
from resolvers.authz import require_project
from resolvers.emit import change, current
from schema.domain import MutationResult, TodoList
from schema.errors import BadUserInput
from schema.inputs import CreateTodoListInput, DeleteTodoListInput, EditTodoListInput
from schema.paging import MAX_TAKE, page, skipping, taking


@strawberry.type
class TodoListQuery:
    @strawberry.field(description="The todo lists of a project, in position order.")
    async def todo_lists(
        self,
        info: Info,
        project_id: Annotated[str, strawberry.argument(description="The project's id.")],
        skip: skipping("todo lists") = 0,
        take: taking("todo lists") = MAX_TAKE,
    ) -> list[TodoList]:
        asked = page(skip, take)
        project = await require_project(info, project_id, "read")
        project_row = await snapshots.project(project.id)
        found = (
            await TodoListRow.filter(project_id=project.id)
            .order_by("position", "id")
            .offset(asked.skip)
            .limit(asked.take)
        )
        return [TodoList.from_row(snapshots.rows.todo_list_row(t, project_row)) for t in found]

    @strawberry.field(description="One todo list.")
    async def todo_list(
        self, info: Info, id: Annotated[str, strawberry.argument(description="The list's id.")]
    ) -> TodoList:
        found, _ = await lookup.todo_list(info, id, "read")
        return TodoList.from_row(await snapshots.todo_list(found.id))


@strawberry.type
class TodoListMutation:
    @strawberry.mutation(
        description="Create a todo list (project ADMIN or MEMBER). Emits TODO_LIST_CREATED."
    )
    async def create_todo_list(
        self,
        info: Info,
        input: Annotated[
            CreateTodoListInput, strawberry.argument(description="The project, title and position.")
        ],
    ) -> TodoList:
        project = await require_project(info, input.project_id, "write")
        title = validate.title(input.title, max_length=255)
        async with change(info) as changes:
            created = await TodoListRow.create(
                project_id=project.id,
                title=title,
                position=validate.position(input.position),
                created_by_id=changes.actor,
            )
            row = await snapshots.todo_list(created.id)
            changes.emit(E.TODO_LIST_CREATED, project, None, row)
        return TodoList.from_row(row)

    @strawberry.mutation(
        description=(
            "Rename or reorder a todo list. Emits TODO_LIST_NAME_CHANGED when the title changes."
        )
    )
    async def edit_todo_list(
        self,
        info: Info,
        input: Annotated[
            EditTodoListInput, strawberry.argument(description="The list and what to change.")
        ],
    ) -> TodoList:
        found, project = await lookup.todo_list(info, input.todo_list_id, "write")
        async with change(info) as changes:
            found = await current(found)
            renamed = False
            if validate.given(input.title) and input.title is not None:
                title = validate.title(input.title, max_length=255)
                renamed = title != found.title
                found.title = title
            if validate.given(input.position) and input.position is not None:
                found.position = validate.position(input.position)
            before = await snapshots.todo_list(found.id)
            await found.save()
            after = await snapshots.todo_list(found.id)
            if renamed:
                changes.emit(E.TODO_LIST_NAME_CHANGED, project, before, after)
        return TodoList.from_row(after)

    @strawberry.mutation(description="Delete a todo list and its todos. Emits TODO_LIST_DELETED.")
    async def delete_todo_list(
        self,
        info: Info,
        input: Annotated[
            DeleteTodoListInput, strawberry.argument(description="The project and the list.")
        ],
    ) -> MutationResult:
        found, project = await lookup.todo_list(info, input.todo_list_id, "write")
        if found.project_id != input.project_id:
            raise BadUserInput("todoListId does not belong to projectId", field="todoListId")
        async with change(info) as changes:
            before = await snapshots.todo_list(found.id)
            await found.delete()
            changes.emit(E.TODO_LIST_DELETED, project, before, None)
        return MutationResult(success=True, operation_id=found.id)
