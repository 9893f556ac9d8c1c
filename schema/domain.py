"""Output types of the work-tracker domain, built from the row-shaped snapshots."""

from datetime import datetime
from typing import Any, Self

import strawberry

from schema.enums import CommentCategory, CustomFieldType

Row = dict[str, Any]


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@strawberry.type(
    description="The outcome of a mutation that returns no object (a delete, a removal)."
)
class MutationResult:
    success: bool = strawberry.field(description="True when the change was made.")
    operation_id: str | None = strawberry.field(
        default=None, description="The id of the thing the operation acted on, when there is one."
    )


@strawberry.type(
    description="An organisation (Blue's Company): it owns projects, members and their webhooks."
)
class Company:
    id: strawberry.ID = strawberry.field(
        description="The company's id; `X-Bloo-Company-ID` also accepts its slug."
    )
    name: str = strawberry.field(description="The name given at creation.")
    slug: str = strawberry.field(
        description="A URL-safe unique name made from the name; usable wherever a company id is."
    )
    created_at: datetime = strawberry.field(description="When the company was created.")

    @classmethod
    def from_row(cls, row: Row) -> Self:
        return cls(
            id=row["id"], name=row["name"], slug=row["slug"], created_at=_dt(row["createdAt"])
        )


@strawberry.type(description="A company a user belongs to, and their role there.")
class CompanyMembership:
    id: strawberry.ID = strawberry.field(description="The company's id.")
    name: str = strawberry.field(description="The company's name.")
    slug: str = strawberry.field(description="The company's slug (usable as its id).")
    role: str = strawberry.field(description="The user's role there: OWNER, ADMIN or MEMBER.")


@strawberry.type(
    description="A person: a member of companies and projects who acts through API tokens."
)
class User:
    id: strawberry.ID = strawberry.field(
        description="The user's id (the `userId` of the events they cause)."
    )
    email: str = strawberry.field(description="The email address, lower-cased; unique.")
    name: str = strawberry.field(description="The display name; empty when never set.")
    companies: list[CompanyMembership] = strawberry.field(
        description=(
            "The companies this user belongs to that you belong to as well (all of them on "
            "currentUser)."
        )
    )


@strawberry.type(
    description=(
        "A workspace of a company (Blue's Project). Lists, todos, tags and "
        "custom fields belong to one project; its members see its events."
    )
)
class Project:
    id: strawberry.ID = strawberry.field(
        description="The project's id, as used in `projectIds` of webhooks and subscriptions."
    )
    name: str = strawberry.field(description="The project's name.")
    slug: str = strawberry.field(description="A URL-safe name, unique within the company.")
    company_id: str = strawberry.field(description="The company the project belongs to.")
    created_at: datetime = strawberry.field(description="When the project was created.")
    updated_at: datetime = strawberry.field(description="When the project was last changed.")

    @classmethod
    def from_row(cls, row: Row) -> Self:
        return cls(
            id=row["id"],
            name=row["name"],
            slug=row["slug"],
            company_id=row["companyId"],
            created_at=_dt(row["createdAt"]),
            updated_at=_dt(row["updatedAt"]),
        )


@strawberry.type(description="A list of todos in a project (a column of a board).")
class TodoList:
    id: strawberry.ID = strawberry.field(description="The list's id.")
    title: str = strawberry.field(description="The list's title.")
    position: float = strawberry.field(
        description="Sort key among the project's lists; lower comes first."
    )
    project_id: str = strawberry.field(description="The project the list belongs to.")
    created_at: datetime = strawberry.field(description="When the list was created.")
    updated_at: datetime = strawberry.field(description="When the list was last changed.")

    @classmethod
    def from_row(cls, row: Row) -> Self:
        return cls(
            id=row["id"],
            title=row["title"],
            position=row["position"],
            project_id=row["projectId"],
            created_at=_dt(row["createdAt"]),
            updated_at=_dt(row["updatedAt"]),
        )


@strawberry.type(
    description=(
        "The value a todo holds for one custom field; which member is set "
        "depends on the field's type."
    )
)
class TodoCustomFieldValue:
    id: strawberry.ID = strawberry.field(description="The value's id.")
    custom_field_id: str = strawberry.field(description="The custom field this is a value of.")
    text: str | None = strawberry.field(
        description="The value of a text, URL, date or other textual field."
    )
    number: float | None = strawberry.field(description="The value of a NUMBER field.")
    checked: bool | None = strawberry.field(description="The value of a CHECKBOX field.")
    custom_field_option_id: str | None = strawberry.field(
        description="The chosen option of a SELECT_SINGLE field."
    )


@strawberry.type(
    description=(
        "A record (Blue's Todo): one piece of work in a todo list, with "
        "dates, assignees, tags and custom field values."
    )
)
class Todo:
    id: strawberry.ID = strawberry.field(description="The todo's id.")
    title: str = strawberry.field(description="The todo's title.")
    text: str = strawberry.field(description="The description as plain text.")
    html: str = strawberry.field(description="The description as HTML.")
    position: float = strawberry.field(description="Sort key within its list; lower comes first.")
    done: bool = strawberry.field(
        description="Whether the todo is done (`updateTodoDoneStatus` toggles it)."
    )
    started_at: datetime | None = strawberry.field(
        description="When work is planned to start, if set."
    )
    dued_at: datetime | None = strawberry.field(description="When the todo is due, if set.")
    todo_list_id: str = strawberry.field(description="The list the todo is in.")
    created_by_id: str | None = strawberry.field(
        description="The user who created it; null if that user is gone."
    )
    created_at: datetime = strawberry.field(description="When the todo was created.")
    updated_at: datetime = strawberry.field(description="When the todo was last changed.")
    assignee_ids: list[str] = strawberry.field(description="The ids of the users assigned to it.")
    tag_ids: list[str] = strawberry.field(description="The ids of the tags on it.")
    custom_field_values: list[TodoCustomFieldValue] = strawberry.field(
        description="Its values for the project's custom fields (only those that are set)."
    )
    todo_list: TodoList = strawberry.field(description="The list the todo is in.")

    @classmethod
    def from_row(cls, row: Row) -> Self:
        return cls(
            id=row["id"],
            title=row["title"],
            text=row["text"],
            html=row["html"],
            position=row["position"],
            done=row["done"],
            started_at=_dt(row["startedAt"]),
            dued_at=_dt(row["duedAt"]),
            todo_list_id=row["todoListId"],
            created_by_id=row["createdById"],
            created_at=_dt(row["createdAt"]),
            updated_at=_dt(row["updatedAt"]),
            assignee_ids=[link["userId"] for link in row["todoUsers"]],
            tag_ids=[link["tagId"] for link in row["todoTags"]],
            custom_field_values=[
                TodoCustomFieldValue(
                    id=v["id"],
                    custom_field_id=v["customFieldId"],
                    text=v["text"],
                    number=v["number"],
                    checked=v["checked"],
                    custom_field_option_id=v["customFieldOptionId"],
                )
                for v in row["todoCustomFields"]
            ],
            todo_list=TodoList.from_row(row["todoList"]),
        )


@strawberry.type(description="A coloured label of a project that todos can carry.")
class Tag:
    id: strawberry.ID = strawberry.field(description="The tag's id.")
    title: str = strawberry.field(description="The tag's title.")
    color: str = strawberry.field(
        description="The tag's colour, as given (e.g. `#ff0000` or `red`)."
    )
    project_id: str = strawberry.field(description="The project the tag belongs to.")

    @classmethod
    def from_row(cls, row: Row) -> Self:
        return cls(
            id=row["id"], title=row["title"], color=row["color"], project_id=row["projectId"]
        )


@strawberry.type(description="One choice of a select custom field.")
class CustomFieldOption:
    id: strawberry.ID = strawberry.field(
        description="The option's id (a todo's `customFieldOptionId`)."
    )
    title: str = strawberry.field(description="The option's title.")
    color: str = strawberry.field(description="The option's colour.")
    position: float = strawberry.field(description="Sort key among the field's options.")


@strawberry.type(
    description=(
        "A field that a project adds to each of its todos, holding one CustomFieldType of value."
    )
)
class CustomField:
    id: strawberry.ID = strawberry.field(description="The custom field's id.")
    name: str = strawberry.field(description="The field's name.")
    type: CustomFieldType = strawberry.field(description="What kind of value the field holds.")
    description: str = strawberry.field(description="A description of the field for its users.")
    project_id: str = strawberry.field(description="The project the field belongs to.")
    options: list[CustomFieldOption] = strawberry.field(
        description="The choices of a select field, in order; empty for other types."
    )

    @classmethod
    def from_row(cls, row: Row) -> Self:
        return cls(
            id=row["id"],
            name=row["name"],
            type=CustomFieldType(row["type"]),
            description=row["description"],
            project_id=row["projectId"],
            options=[
                CustomFieldOption(
                    id=o["id"], title=o["title"], color=o["color"], position=o["position"]
                )
                for o in row["customFieldOptions"]
            ],
        )


@strawberry.type(description="One line of a checklist, which can be done, dated and assigned.")
class ChecklistItem:
    id: strawberry.ID = strawberry.field(description="The item's id.")
    title: str = strawberry.field(description="The item's title.")
    position: float = strawberry.field(description="Sort key within its checklist.")
    done: bool = strawberry.field(description="Whether the item is done.")
    started_at: datetime | None = strawberry.field(
        description="When work on the item is planned to start, if set."
    )
    dued_at: datetime | None = strawberry.field(description="When the item is due, if set.")
    checklist_id: str = strawberry.field(description="The checklist the item is in.")
    assignee_ids: list[str] = strawberry.field(
        description="The ids of the users assigned to the item."
    )

    @classmethod
    def from_row(cls, row: Row) -> Self:
        return cls(
            id=row["id"],
            title=row["title"],
            position=row["position"],
            done=row["done"],
            started_at=_dt(row["startedAt"]),
            dued_at=_dt(row["duedAt"]),
            checklist_id=row["checklistId"],
            assignee_ids=[link["userId"] for link in row["checklistItemUsers"]],
        )


@strawberry.type(description="A named list of items inside a todo.")
class Checklist:
    id: strawberry.ID = strawberry.field(description="The checklist's id.")
    title: str = strawberry.field(description="The checklist's title.")
    position: float = strawberry.field(description="Sort key among the todo's checklists.")
    todo_id: str = strawberry.field(description="The todo the checklist belongs to.")
    checklist_items: list[ChecklistItem] = strawberry.field(description="Its items, in order.")

    @classmethod
    def from_row(cls, row: Row, items: list[Row]) -> Self:
        return cls(
            id=row["id"],
            title=row["title"],
            position=row["position"],
            todo_id=row["todoId"],
            checklist_items=[ChecklistItem.from_row(i) for i in items],
        )


@strawberry.type(description="A comment on a todo.")
class Comment:
    id: strawberry.ID = strawberry.field(description="The comment's id.")
    html: str = strawberry.field(description="The comment as HTML.")
    text: str = strawberry.field(description="The comment as plain text.")
    category: CommentCategory = strawberry.field(
        description="What the comment is attached to (always TODO)."
    )
    category_id: str = strawberry.field(description="The id of the todo the comment is on.")
    user_id: str | None = strawberry.field(description="The author; null if that user is gone.")
    created_at: datetime = strawberry.field(description="When the comment was written.")
    updated_at: datetime = strawberry.field(description="When the comment was last edited.")

    @classmethod
    def from_row(cls, row: Row) -> Self:
        return cls(
            id=row["id"],
            html=row["html"],
            text=row["text"],
            category=CommentCategory.TODO,
            category_id=row["categoryId"],
            user_id=row["userId"],
            created_at=_dt(row["createdAt"]),
            updated_at=_dt(row["updatedAt"]),
        )
