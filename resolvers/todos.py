"""Todos: create, edit, move, toggle done, delete — and the events each change causes."""

from datetime import UTC, datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from models import rows, snapshots
from models.event_types import EventType as E
from models.tracker import Project, TodoTag, TodoUser
from models.tracker import Todo as TodoRow
from resolvers import lookup, validate
from resolvers.authz import require_project
from resolvers.emit import change, current
from schema.domain import MutationResult, Todo
from schema.errors import BadUserInput
from schema.inputs import CreateTodoInput, DeleteTodoInput, EditTodoInput, MoveTodoInput
from schema.paging import page, skipping, taking


def utcnow() -> datetime:
    return datetime.now(UTC)


def date_event(
    before: tuple[datetime | None, datetime | None],
    after: tuple[datetime | None, datetime | None],
    added: str,
    updated: str,
    removed: str,
) -> str | None:
    """Which due-date event a (startedAt, duedAt) change is, if any."""
    if before == after:
        return None
    had, has = any(before), any(after)
    if not had:
        return added
    if not has:
        return removed
    return updated


async def _list_to_move_to(info: Info, project: Project, todo_list_id: str) -> None:
    """A todo moves only among its project's lists, each one the caller may write to: its tags,
    assignees and custom values are its project's, and so are the webhooks told of it."""
    _, target = await lookup.todo_list(info, todo_list_id, "write")
    if target.id != project.id:
        raise BadUserInput("todoListId is a list of another project", field="todoListId")


def check_dates(started_at: datetime | None, dued_at: datetime | None) -> None:
    if started_at and dued_at and started_at > dued_at:
        raise BadUserInput("startedAt must not be after duedAt", field="startedAt")


@strawberry.type
class TodoQuery:
    @strawberry.field(description="One todo.")
    async def todo(
        self, info: Info, id: Annotated[str, strawberry.argument(description="The todo's id.")]
    ) -> Todo:
        found, _ = await lookup.todo(info, id, "read")
        return Todo.from_row(await snapshots.todo(found.id))

    @strawberry.field(
        description=(
            "The todos of one list or of a whole project, in position order. Give"
            " exactly one of todoListId and projectId."
        )
    )
    async def todos(
        self,
        info: Info,
        todo_list_id: Annotated[
            str | None, strawberry.argument(description="The list's id.")
        ] = None,
        project_id: Annotated[
            str | None, strawberry.argument(description="The project's id.")
        ] = None,
        skip: skipping("todos") = 0,
        take: taking("todos") = 20,
    ) -> list[Todo]:
        if (todo_list_id is None) == (project_id is None):
            raise BadUserInput("Give exactly one of todoListId and projectId")
        asked = page(skip, take)
        if todo_list_id is not None:
            await lookup.todo_list(info, todo_list_id, "read")
            query = TodoRow.filter(todo_list_id=todo_list_id)
        else:
            await require_project(info, project_id, "read")
            query = TodoRow.filter(todo_list__project_id=project_id)
        ids = (
            await query.order_by("position", "id")
            .offset(asked.skip)
            .limit(asked.take)
            .values_list("id", flat=True)
        )
        return [Todo.from_row(row) for row in await snapshots.todos(ids)]


@strawberry.type
class TodoMutation:
    @strawberry.mutation(description="Create a todo (project ADMIN or MEMBER). Emits TODO_CREATED.")
    async def create_todo(
        self,
        info: Info,
        input: Annotated[
            CreateTodoInput,
            strawberry.argument(description="The list, title and optional details."),
        ],
    ) -> Todo:
        todo_list, project = await lookup.todo_list(info, input.todo_list_id, "write")
        title = validate.title(input.title)
        text = validate.text(input.text or "", "text")
        html = validate.text(input.html or "", "html")
        started_at = input.started_at or None
        dued_at = input.dued_at or None
        check_dates(started_at, dued_at)
        assignees = validate.id_list(input.assignee_ids or [], "assigneeIds")
        tags = validate.id_list(input.tag_ids or [], "tagIds")
        await lookup.project_user_ids(project, assignees, "assigneeIds")
        await lookup.project_tag_ids(project, tags)
        async with change(info) as changes:
            todo = await TodoRow.create(
                todo_list_id=todo_list.id,
                title=title,
                text=text,
                html=html,
                position=validate.position(input.position),
                started_at=started_at,
                dued_at=dued_at,
                created_by_id=changes.actor,
            )
            users = [await TodoUser.create(todo_id=todo.id, user_id=u) for u in assignees]
            links = [await TodoTag.create(todo_id=todo.id, tag_id=t) for t in tags]
            # The row is built from what was written, and the names of its links.
            row = rows.todo_row(
                todo,
                snapshots.list_row(todo_list),
                await snapshots.assignees([(u.id, u.user_id) for u in users]),
                await snapshots.taggings([(t.id, t.tag_id) for t in links]),
                [],
            )
            changes.emit(E.TODO_CREATED, project, None, row)
        return Todo.from_row(row)

    @strawberry.mutation(
        description=(
            "Change a todo. Emits TODO_NAME_CHANGED, TODO_MOVED and "
            "TODO_DUE_DATE_ADDED/UPDATED/REMOVED, each when it applies."
        )
    )
    async def edit_todo(
        self,
        info: Info,
        input: Annotated[
            EditTodoInput, strawberry.argument(description="The todo and what to change.")
        ],
    ) -> Todo:
        todo, project = await lookup.todo(info, input.todo_id, "write")
        if validate.given(input.todo_list_id) and input.todo_list_id != todo.todo_list_id:
            if input.todo_list_id is None:
                raise BadUserInput("todoListId must not be null", field="todoListId")
            await _list_to_move_to(info, project, input.todo_list_id)
        async with change(info) as changes:
            todo = await current(todo)
            before = await snapshots.todo(todo.id)
            events: list[str] = []
            if validate.given(input.title) and input.title is not None:
                new_title = validate.title(input.title)
                if new_title != todo.title:
                    todo.title = new_title
                    events.append(E.TODO_NAME_CHANGED)
            for field in ("text", "html"):
                value = getattr(input, field)
                if validate.given(value) and value is not None:
                    setattr(todo, field, validate.text(value, field))
            moved = False
            if validate.given(input.todo_list_id) and input.todo_list_id != todo.todo_list_id:
                todo.todo_list_id = input.todo_list_id
                moved = True
            if validate.given(input.position) and input.position is not None:
                new_position = validate.position(input.position)
                moved = moved or new_position != todo.position
                todo.position = new_position
            if moved:
                events.append(E.TODO_MOVED)
            dates_before = (todo.started_at, todo.dued_at)
            if validate.given(input.started_at):
                todo.started_at = input.started_at
            if validate.given(input.dued_at):
                todo.dued_at = input.dued_at
            check_dates(todo.started_at, todo.dued_at)
            due = date_event(
                dates_before,
                (todo.started_at, todo.dued_at),
                E.TODO_DUE_DATE_ADDED,
                E.TODO_DUE_DATE_UPDATED,
                E.TODO_DUE_DATE_REMOVED,
            )
            if due:
                events.append(due)
            await todo.save()
            after = await snapshots.todo(todo.id)
            for event in events:
                changes.emit(event, project, before, after)
        return Todo.from_row(after)

    @strawberry.mutation(
        description=(
            "Move a todo to another list of its project, or to another position. Emits TODO_MOVED."
        )
    )
    async def move_todo(
        self,
        info: Info,
        input: Annotated[
            MoveTodoInput, strawberry.argument(description="The todo, the list and the position.")
        ],
    ) -> Todo:
        todo, project = await lookup.todo(info, input.todo_id, "write")
        await _list_to_move_to(info, project, input.todo_list_id)
        async with change(info) as changes:
            todo = await current(todo)
            before = await snapshots.todo(todo.id)
            todo.todo_list_id = input.todo_list_id
            if validate.given(input.position) and input.position is not None:
                todo.position = validate.position(input.position)
            await todo.save()
            after = await snapshots.todo(todo.id)
            changes.emit(E.TODO_MOVED, project, before, after)
        return Todo.from_row(after)

    @strawberry.mutation(
        description="Toggle a todo between done and not done. Emits TODO_DONE_STATUS_UPDATED."
    )
    async def update_todo_done_status(
        self, info: Info, todo_id: Annotated[str, strawberry.argument(description="The todo's id.")]
    ) -> Todo:
        todo, project = await lookup.todo(info, todo_id, "write")
        async with change(info) as changes:
            # Toggle what is stored now, so two concurrent toggles are two changes.
            await current(todo)
            before = await snapshots.todo(todo.id)
            await TodoRow.filter(id=todo.id).update(done=not before["done"], updated_at=utcnow())
            after = await snapshots.todo(todo.id)
            changes.emit(E.TODO_DONE_STATUS_UPDATED, project, before, after)
        return Todo.from_row(after)

    @strawberry.mutation(description="Delete a todo. Emits TODO_DELETED.")
    async def delete_todo(
        self,
        info: Info,
        input: Annotated[DeleteTodoInput, strawberry.argument(description="The todo.")],
    ) -> MutationResult:
        todo, project = await lookup.todo(info, input.todo_id, "write")
        async with change(info) as changes:
            before = await snapshots.todo(todo.id)
            await todo.delete()
            changes.emit(E.TODO_DELETED, project, before, None)
        return MutationResult(success=True, operation_id=todo.id)
