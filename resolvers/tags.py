"""Tags of a project."""

from typing import Annotated

import strawberry
from strawberry.types import Info

from models import snapshots
from models.event_types import EventType as E
from models.tracker import Tag as TagRow
from resolvers import lookup, validate
from resolvers.authz import require_project
from resolvers.emit import change, current
from schema.domain import MutationResult, Tag
from schema.inputs import CreateTagInput, EditTagInput
from schema.paging import MAX_TAKE, page, skipping, taking

MAX_COLOR = 32


@strawberry.type
class TagQuery:
    @strawberry.field(description="The tags of a project, in title order.")
    async def tags(
        self,
        info: Info,
        project_id: Annotated[str, strawberry.argument(description="The project's id.")],
        skip: skipping("tags") = 0,
        take: taking("tags") = MAX_TAKE,
    ) -> list[Tag]:
        asked = page(skip, take)
        project = await require_project(info, project_id, "read")
        project_row = await snapshots.project(project.id)
        found = (
            await TagRow.filter(project_id=project.id)
            .order_by("title", "id")
            .offset(asked.skip)
            .limit(asked.take)
        )
        return [Tag.from_row(snapshots.rows.tag_row(t, project_row)) for t in found]


@strawberry.type
class TagMutation:
    @strawberry.mutation(description="Create a tag in a project. Emits TAG_CREATED.")
    async def create_tag(
        self,
        info: Info,
        input: Annotated[
            CreateTagInput, strawberry.argument(description="The project, title and colour.")
        ],
    ) -> Tag:
        project = await require_project(info, input.project_id, "write")
        title = validate.title(input.title, max_length=255)
        color = validate.text(input.color or "", "color", MAX_COLOR)
        async with change(info) as changes:
            created = await TagRow.create(project_id=project.id, title=title, color=color)
            row = await snapshots.tag(created.id)
            changes.emit(E.TAG_CREATED, project, None, row)
        return Tag.from_row(row)

    @strawberry.mutation(description="Change a tag's title or colour. Emits TAG_UPDATED.")
    async def edit_tag(
        self,
        info: Info,
        input: Annotated[
            EditTagInput, strawberry.argument(description="The tag and what to change.")
        ],
    ) -> Tag:
        found, project = await lookup.tag(info, input.id, "write")
        async with change(info) as changes:
            found = await current(found)
            if validate.given(input.title) and input.title is not None:
                found.title = validate.title(input.title, max_length=255)
            if validate.given(input.color) and input.color is not None:
                found.color = validate.text(input.color, "color", MAX_COLOR)
            before = await snapshots.tag(found.id)
            await found.save()
            after = await snapshots.tag(found.id)
            changes.emit(E.TAG_UPDATED, project, before, after)
        return Tag.from_row(after)

    @strawberry.mutation(description="Delete a tag, taking it off every todo. Emits TAG_DELETED.")
    async def delete_tag(
        self, info: Info, id: Annotated[str, strawberry.argument(description="The tag's id.")]
    ) -> MutationResult:
        found, project = await lookup.tag(info, id, "write")
        async with change(info) as changes:
            before = await snapshots.tag(found.id)
            await found.delete()
            changes.emit(E.TAG_DELETED, project, before, None)
        return MutationResult(success=True, operation_id=found.id)
