"""Comments on todos. Authors edit and delete their own; project admins may delete any."""

from typing import Annotated

import strawberry
from strawberry.types import Info

from models import snapshots
from models.accounts import ProjectLevel
from models.event_types import EventType as E
from models.tracker import Comment as CommentRow
from resolvers import lookup, validate
from resolvers.authz import project_level, user_id
from resolvers.emit import change
from schema.domain import Comment, MutationResult
from schema.errors import BadUserInput, Forbidden
from schema.inputs import CreateCommentInput, EditCommentInput
from schema.paging import MAX_TAKE, page, skipping, taking


def _body(html: str, text: str) -> tuple[str, str]:
    if not text.strip() and not html.strip():
        raise BadUserInput("A comment needs text", field="text")
    return validate.text(html, "html"), validate.text(text, "text")


@strawberry.type
class CommentQuery:
    @strawberry.field(description="The comments on a todo, oldest first.")
    async def comments(
        self,
        info: Info,
        todo_id: Annotated[str, strawberry.argument(description="The todo's id.")],
        skip: skipping("comments") = 0,
        take: taking("comments") = MAX_TAKE,
    ) -> list[Comment]:
        asked = page(skip, take)
        todo, _ = await lookup.todo(info, todo_id, "read")
        ids = (
            await CommentRow.filter(todo_id=todo.id)
            .order_by("created_at", "id")
            .offset(asked.skip)
            .limit(asked.take)
            .values_list("id", flat=True)
        )
        return [Comment.from_row(row) for row in await snapshots.comments(ids)]


@strawberry.type
class CommentMutation:
    @strawberry.mutation(
        description="Comment on a todo (any role but VIEW_ONLY). Emits COMMENT_CREATED."
    )
    async def create_comment(
        self,
        info: Info,
        input: Annotated[
            CreateCommentInput, strawberry.argument(description="The todo and the comment's body.")
        ],
    ) -> Comment:
        todo, project = await lookup.todo(info, input.category_id, "comment")
        html, text = _body(input.html, input.text)
        async with change(info) as changes:
            created = await CommentRow.create(
                todo_id=todo.id, user_id=changes.actor, html=html, text=text
            )
            row = await snapshots.comment(created.id)
            changes.emit(E.COMMENT_CREATED, project, None, row)
        return Comment.from_row(row)

    @strawberry.mutation(description="Edit your comment. Emits COMMENT_UPDATED.")
    async def edit_comment(
        self,
        info: Info,
        input: Annotated[
            EditCommentInput, strawberry.argument(description="The comment and its new body.")
        ],
    ) -> Comment:
        found, project = await lookup.comment(info, input.id, "comment")
        if found.user_id != user_id(info):
            raise Forbidden("Only the author may edit a comment")
        found.html, found.text = _body(input.html, input.text)
        async with change(info) as changes:
            before = await snapshots.comment(found.id)
            await found.save()
            after = await snapshots.comment(found.id)
            changes.emit(E.COMMENT_UPDATED, project, before, after)
        return Comment.from_row(after)

    @strawberry.mutation(
        description="Delete a comment (its author or a project ADMIN). Emits COMMENT_DELETED."
    )
    async def delete_comment(
        self, info: Info, id: Annotated[str, strawberry.argument(description="The comment's id.")]
    ) -> MutationResult:
        found, project = await lookup.comment(info, id, "comment")
        if found.user_id != user_id(info) and await project_level(info, project) != (
            ProjectLevel.ADMIN
        ):
            raise Forbidden("Only the author or a project admin may delete a comment")
        async with change(info) as changes:
            before = await snapshots.comment(found.id)
            await found.delete()
            changes.emit(E.COMMENT_DELETED, project, before, None)
        return MutationResult(success=True, operation_id=found.id)
