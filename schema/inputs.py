"""Input types of the domain mutations, with Blue's names. UNSET = not given; None = clear."""

from datetime import datetime

import strawberry
from strawberry import UNSET

from schema.enums import CommentCategory, CustomFieldType, UserAccessLevel


@strawberry.input
class CreateProjectInput:
    company_id: str
    name: str


@strawberry.input
class AddProjectMemberInput:
    project_id: str
    email: str
    level: UserAccessLevel


@strawberry.input
class RemoveProjectMemberInput:
    project_id: str
    user_id: str


@strawberry.input
class RemoveCompanyMemberInput:
    company_id: str
    user_id: str


@strawberry.input
class CreateApiTokenInput:
    name: str
    expires_at: datetime | None = UNSET


@strawberry.input
class RevokeApiTokenInput:
    token_id: str


@strawberry.input
class CreateTodoListInput:
    project_id: str
    title: str
    position: float | None = UNSET


@strawberry.input
class EditTodoListInput:
    todo_list_id: str
    title: str | None = UNSET
    position: float | None = UNSET


@strawberry.input
class DeleteTodoListInput:
    project_id: str
    todo_list_id: str


@strawberry.input
class CreateTodoInput:
    todo_list_id: str
    title: str
    position: float | None = UNSET
    text: str | None = UNSET
    html: str | None = UNSET
    started_at: datetime | None = UNSET
    dued_at: datetime | None = UNSET
    assignee_ids: list[str] | None = UNSET
    tag_ids: list[str] | None = UNSET


@strawberry.input
class EditTodoInput:
    todo_id: str
    title: str | None = UNSET
    text: str | None = UNSET
    html: str | None = UNSET
    position: float | None = UNSET
    todo_list_id: str | None = UNSET
    started_at: datetime | None = UNSET
    dued_at: datetime | None = UNSET


@strawberry.input
class MoveTodoInput:
    todo_id: str
    todo_list_id: str
    position: float | None = UNSET


@strawberry.input
class DeleteTodoInput:
    todo_id: str


@strawberry.input
class SetTodoAssigneesInput:
    todo_id: str
    assignee_ids: list[str]


@strawberry.input
class SetTodoTagsInput:
    todo_id: str
    tag_ids: list[str]


@strawberry.input
class SetTodoCustomFieldInput:
    todo_id: str
    custom_field_id: str
    text: str | None = UNSET
    number: float | None = UNSET
    checked: bool | None = UNSET
    custom_field_option_id: str | None = UNSET


@strawberry.input
class CreateTagInput:
    project_id: str
    title: str
    color: str | None = UNSET


@strawberry.input
class EditTagInput:
    id: str
    title: str | None = UNSET
    color: str | None = UNSET


@strawberry.input
class CreateCustomFieldInput:
    project_id: str
    name: str
    type: CustomFieldType
    description: str | None = UNSET


@strawberry.input
class EditCustomFieldInput:
    custom_field_id: str
    name: str | None = UNSET
    description: str | None = UNSET


@strawberry.input
class CreateCustomFieldOptionInput:
    custom_field_id: str
    title: str
    color: str | None = UNSET


@strawberry.input
class CreateChecklistInput:
    todo_id: str
    title: str
    position: float | None = UNSET


@strawberry.input
class EditChecklistInput:
    checklist_id: str
    title: str | None = UNSET
    position: float | None = UNSET


@strawberry.input
class CreateChecklistItemInput:
    checklist_id: str
    title: str
    position: float | None = UNSET


@strawberry.input
class EditChecklistItemInput:
    checklist_item_id: str
    title: str | None = UNSET
    done: bool | None = UNSET
    position: float | None = UNSET


@strawberry.input
class UpdateChecklistItemDueDateInput:
    checklist_item_id: str
    started_at: datetime | None = UNSET
    dued_at: datetime | None = UNSET


@strawberry.input
class SetChecklistItemAssigneesInput:
    checklist_item_id: str
    assignee_ids: list[str]


@strawberry.input
class CreateCommentInput:
    html: str
    text: str
    category_id: str
    category: CommentCategory | None = UNSET


@strawberry.input
class EditCommentInput:
    id: str
    html: str
    text: str
