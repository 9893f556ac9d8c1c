"""Input types of the domain mutations, with Blue's names. UNSET = not given; None = clear."""

from datetime import datetime

import strawberry
from strawberry import UNSET

from schema.enums import CommentCategory, CustomFieldType, UserAccessLevel


@strawberry.input(description="A new project in a company (needs company OWNER or ADMIN).")
class CreateProjectInput:
    company_id: str = strawberry.field(description="The company's id.")
    name: str = strawberry.field(description="The project's name.")


@strawberry.input(
    description=(
        "A person to add to a project (needs project ADMIN); a new email "
        "creates the user in the company."
    )
)
class AddProjectMemberInput:
    project_id: str = strawberry.field(description="The project's id.")
    email: str = strawberry.field(description="The person's email address.")
    level: UserAccessLevel = strawberry.field(
        description="Their role in the project; an existing member's role is replaced."
    )


@strawberry.input(description="A member to remove from a project (needs project ADMIN).")
class RemoveProjectMemberInput:
    project_id: str = strawberry.field(description="The project's id.")
    user_id: str = strawberry.field(description="The member's user id.")


@strawberry.input(
    description=(
        "A member to remove from a company and every project of it (needs company OWNER or ADMIN)."
    )
)
class RemoveCompanyMemberInput:
    company_id: str = strawberry.field(description="The company's id or slug.")
    user_id: str = strawberry.field(description="The member's user id.")


@strawberry.input(description="A new personal access token for the caller.")
class CreateApiTokenInput:
    name: str = strawberry.field(description="What the token is for, to recognise it later.")
    expires_at: datetime | None = strawberry.field(
        default=UNSET, description="When it stops working; must be in the future. None: never."
    )


@strawberry.input(description="One of the caller's tokens to revoke.")
class RevokeApiTokenInput:
    token_id: str = strawberry.field(description="The token's id (the part before the dot).")


@strawberry.input(description="A new todo list. Emits TODO_LIST_CREATED.")
class CreateTodoListInput:
    project_id: str = strawberry.field(description="The project to create it in.")
    title: str = strawberry.field(description="The list's title.")
    position: float | None = strawberry.field(
        default=UNSET, description="Sort key; lower comes first. Defaults to 0."
    )


@strawberry.input(
    description=(
        "Changes to a todo list; omitted fields stay. A new title emits TODO_LIST_NAME_CHANGED."
    )
)
class EditTodoListInput:
    todo_list_id: str = strawberry.field(description="The list's id.")
    title: str | None = strawberry.field(default=UNSET, description="A new title.")
    position: float | None = strawberry.field(default=UNSET, description="A new sort key.")


@strawberry.input(description="A todo list to delete, with its todos. Emits TODO_LIST_DELETED.")
class DeleteTodoListInput:
    project_id: str = strawberry.field(description="The project the list is in.")
    todo_list_id: str = strawberry.field(description="The list's id.")


@strawberry.input(description="A new todo. Emits TODO_CREATED.")
class CreateTodoInput:
    todo_list_id: str = strawberry.field(description="The list to create it in.")
    title: str = strawberry.field(description="The todo's title.")
    position: float | None = strawberry.field(
        default=UNSET, description="Sort key; lower comes first. Defaults to 0."
    )
    text: str | None = strawberry.field(default=UNSET, description="The description as plain text.")
    html: str | None = strawberry.field(default=UNSET, description="The description as HTML.")
    started_at: datetime | None = strawberry.field(
        default=UNSET, description="When work is planned to start; not after `duedAt`."
    )
    dued_at: datetime | None = strawberry.field(default=UNSET, description="When the todo is due.")
    assignee_ids: list[str] | None = strawberry.field(
        default=UNSET, description="Users to assign; each must be a member of the project."
    )
    tag_ids: list[str] | None = strawberry.field(
        default=UNSET, description="Tags of the project to put on it."
    )


@strawberry.input(
    description=(
        "Changes to a todo; omitted fields stay, null clears a date. Emits "
        "TODO_NAME_CHANGED, TODO_MOVED and "
        "TODO_DUE_DATE_ADDED/UPDATED/REMOVED as they apply."
    )
)
class EditTodoInput:
    todo_id: str = strawberry.field(description="The todo's id.")
    title: str | None = strawberry.field(default=UNSET, description="A new title.")
    text: str | None = strawberry.field(default=UNSET, description="A new plain-text description.")
    html: str | None = strawberry.field(default=UNSET, description="A new HTML description.")
    position: float | None = strawberry.field(
        default=UNSET, description="A new sort key within its list."
    )
    todo_list_id: str | None = strawberry.field(
        default=UNSET, description="Another list of the same project to move it to."
    )
    started_at: datetime | None = strawberry.field(
        default=UNSET, description="A new start; null clears it."
    )
    dued_at: datetime | None = strawberry.field(
        default=UNSET, description="A new due date; null clears it."
    )


@strawberry.input(description="Where to move a todo. Emits TODO_MOVED.")
class MoveTodoInput:
    todo_id: str = strawberry.field(description="The todo's id.")
    todo_list_id: str = strawberry.field(description="The list to move it to, in the same project.")
    position: float | None = strawberry.field(
        default=UNSET, description="Its sort key in that list; defaults to 0."
    )


@strawberry.input(description="A todo to delete. Emits TODO_DELETED.")
class DeleteTodoInput:
    todo_id: str = strawberry.field(description="The todo's id.")


@strawberry.input(
    description=(
        "The complete new set of a todo's assignees. Emits "
        "TODO_ASSIGNEE_ADDED / _REMOVED once per user."
    )
)
class SetTodoAssigneesInput:
    todo_id: str = strawberry.field(description="The todo's id.")
    assignee_ids: list[str] = strawberry.field(
        description=(
            "Every user who should be assigned; members of the project. Empty unassigns all."
        )
    )


@strawberry.input(
    description=(
        "The complete new set of a todo's tags. Emits TODO_TAG_ADDED / _REMOVED once per tag."
    )
)
class SetTodoTagsInput:
    todo_id: str = strawberry.field(description="The todo's id.")
    tag_ids: list[str] = strawberry.field(
        description="Every tag the todo should carry; tags of its project. Empty removes all."
    )


@strawberry.input(
    description=(
        "A todo's value for one custom field; give the member that fits the "
        "field's type. Emits TODO_CUSTOM_FIELD_UPDATED."
    )
)
class SetTodoCustomFieldInput:
    todo_id: str = strawberry.field(description="The todo's id.")
    custom_field_id: str = strawberry.field(
        description="The custom field's id, of the todo's project."
    )
    text: str | None = strawberry.field(
        default=UNSET, description="The value of a text, URL, date or other textual field."
    )
    number: float | None = strawberry.field(
        default=UNSET, description="The value of a NUMBER field."
    )
    checked: bool | None = strawberry.field(
        default=UNSET, description="The value of a CHECKBOX field."
    )
    custom_field_option_id: str | None = strawberry.field(
        default=UNSET, description="The chosen option of a SELECT_SINGLE field."
    )


@strawberry.input(description="A new tag in a project. Emits TAG_CREATED.")
class CreateTagInput:
    project_id: str = strawberry.field(description="The project's id.")
    title: str = strawberry.field(description="The tag's title.")
    color: str | None = strawberry.field(
        default=UNSET, description="The tag's colour, e.g. `#ff0000`."
    )


@strawberry.input(description="Changes to a tag; omitted fields stay. Emits TAG_UPDATED.")
class EditTagInput:
    id: str = strawberry.field(description="The tag's id.")
    title: str | None = strawberry.field(default=UNSET, description="A new title.")
    color: str | None = strawberry.field(default=UNSET, description="A new colour.")


@strawberry.input(description="A new custom field in a project. Emits CUSTOM_FIELD_CREATED.")
class CreateCustomFieldInput:
    project_id: str = strawberry.field(description="The project's id.")
    name: str = strawberry.field(description="The field's name.")
    type: CustomFieldType = strawberry.field(
        description="What kind of value it holds; cannot be changed later."
    )
    description: str | None = strawberry.field(
        default=UNSET, description="A description for its users."
    )


@strawberry.input(
    description="Changes to a custom field; omitted fields stay. Emits CUSTOM_FIELD_UPDATED."
)
class EditCustomFieldInput:
    custom_field_id: str = strawberry.field(description="The custom field's id.")
    name: str | None = strawberry.field(default=UNSET, description="A new name.")
    description: str | None = strawberry.field(default=UNSET, description="A new description.")


@strawberry.input(
    description="A new choice of a select custom field, added last. Emits CUSTOM_FIELD_UPDATED."
)
class CreateCustomFieldOptionInput:
    custom_field_id: str = strawberry.field(description="The select field's id.")
    title: str = strawberry.field(description="The option's title.")
    color: str | None = strawberry.field(default=UNSET, description="The option's colour.")


@strawberry.input(description="A new checklist in a todo. Emits TODO_CHECKLIST_CREATED.")
class CreateChecklistInput:
    todo_id: str = strawberry.field(description="The todo's id.")
    title: str = strawberry.field(description="The checklist's title.")
    position: float | None = strawberry.field(
        default=UNSET, description="Sort key; lower comes first. Defaults to 0."
    )


@strawberry.input(
    description=(
        "Changes to a checklist; omitted fields stay. A new title emits "
        "TODO_CHECKLIST_NAME_CHANGED."
    )
)
class EditChecklistInput:
    checklist_id: str = strawberry.field(description="The checklist's id.")
    title: str | None = strawberry.field(default=UNSET, description="A new title.")
    position: float | None = strawberry.field(default=UNSET, description="A new sort key.")


@strawberry.input(description="A new item in a checklist. Emits TODO_CHECKLIST_ITEM_CREATED.")
class CreateChecklistItemInput:
    checklist_id: str = strawberry.field(description="The checklist's id.")
    title: str = strawberry.field(description="The item's title.")
    position: float | None = strawberry.field(
        default=UNSET, description="Sort key; lower comes first. Defaults to 0."
    )


@strawberry.input(
    description=(
        "Changes to a checklist item; omitted fields stay. Emits "
        "TODO_CHECKLIST_ITEM_NAME_CHANGED and "
        "TODO_CHECKLIST_ITEM_DONE_STATUS_UPDATED as they apply."
    )
)
class EditChecklistItemInput:
    checklist_item_id: str = strawberry.field(description="The item's id.")
    title: str | None = strawberry.field(default=UNSET, description="A new title.")
    done: bool | None = strawberry.field(default=UNSET, description="Whether the item is done.")
    position: float | None = strawberry.field(default=UNSET, description="A new sort key.")


@strawberry.input(
    description=(
        "A checklist item's dates; omitted ones stay, null clears. Emits "
        "TODO_CHECKLIST_ITEM_DUE_DATE_ADDED/UPDATED/REMOVED."
    )
)
class UpdateChecklistItemDueDateInput:
    checklist_item_id: str = strawberry.field(description="The item's id.")
    started_at: datetime | None = strawberry.field(
        default=UNSET, description="A new start; null clears it."
    )
    dued_at: datetime | None = strawberry.field(
        default=UNSET, description="A new due date; null clears it."
    )


@strawberry.input(
    description=(
        "The complete new set of a checklist item's assignees. Emits "
        "TODO_CHECKLIST_ITEM_ASSIGNEE_ADDED / _REMOVED once per user."
    )
)
class SetChecklistItemAssigneesInput:
    checklist_item_id: str = strawberry.field(description="The item's id.")
    assignee_ids: list[str] = strawberry.field(
        description=(
            "Every user who should be assigned; members of the project. Empty unassigns all."
        )
    )


@strawberry.input(description="A new comment on a todo (Blue's shape). Emits COMMENT_CREATED.")
class CreateCommentInput:
    html: str = strawberry.field(description="The comment as HTML.")
    text: str = strawberry.field(description="The comment as plain text.")
    category_id: str = strawberry.field(description="The id of the todo to comment on.")
    category: CommentCategory | None = strawberry.field(
        default=UNSET, description="What to comment on: TODO, the only kind."
    )


@strawberry.input(
    description="A comment's new body; only its author may edit it. Emits COMMENT_UPDATED."
)
class EditCommentInput:
    id: str = strawberry.field(description="The comment's id.")
    html: str = strawberry.field(description="The new HTML.")
    text: str = strawberry.field(description="The new plain text.")
