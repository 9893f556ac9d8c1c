"""Output types of the work-tracker domain, built from the row-shaped snapshots."""

from datetime import datetime
from typing import Any, Self

import strawberry

from schema.enums import CommentCategory, CustomFieldType

Row = dict[str, Any]


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@strawberry.type
class MutationResult:
    success: bool
    operation_id: str | None = None


@strawberry.type
class Company:
    id: strawberry.ID
    name: str
    slug: str
    created_at: datetime

    @classmethod
    def from_row(cls, row: Row) -> Self:
        return cls(
            id=row["id"], name=row["name"], slug=row["slug"], created_at=_dt(row["createdAt"])
        )


@strawberry.type
class CompanyMembership:
    """A company a user belongs to, with their role there: OWNER | ADMIN | MEMBER."""

    id: strawberry.ID
    name: str
    slug: str
    role: str


@strawberry.type
class User:
    id: strawberry.ID
    email: str
    name: str
    companies: list[CompanyMembership] = strawberry.field(
        description="The companies this user belongs to that the caller belongs to as well "
        "(all of them on currentUser)"
    )


@strawberry.type
class Project:
    id: strawberry.ID
    name: str
    slug: str
    company_id: str
    created_at: datetime
    updated_at: datetime

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


@strawberry.type
class TodoList:
    id: strawberry.ID
    title: str
    position: float
    project_id: str
    created_at: datetime
    updated_at: datetime

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


@strawberry.type
class TodoCustomFieldValue:
    id: strawberry.ID
    custom_field_id: str
    text: str | None
    number: float | None
    checked: bool | None
    custom_field_option_id: str | None


@strawberry.type
class Todo:
    id: strawberry.ID
    title: str
    text: str
    html: str
    position: float
    done: bool
    started_at: datetime | None
    dued_at: datetime | None
    todo_list_id: str
    created_by_id: str | None
    created_at: datetime
    updated_at: datetime
    assignee_ids: list[str]
    tag_ids: list[str]
    custom_field_values: list[TodoCustomFieldValue]
    todo_list: TodoList

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


@strawberry.type
class Tag:
    id: strawberry.ID
    title: str
    color: str
    project_id: str

    @classmethod
    def from_row(cls, row: Row) -> Self:
        return cls(
            id=row["id"], title=row["title"], color=row["color"], project_id=row["projectId"]
        )


@strawberry.type
class CustomFieldOption:
    id: strawberry.ID
    title: str
    color: str
    position: float


@strawberry.type
class CustomField:
    id: strawberry.ID
    name: str
    type: CustomFieldType
    description: str
    project_id: str
    options: list[CustomFieldOption]

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


@strawberry.type
class ChecklistItem:
    id: strawberry.ID
    title: str
    position: float
    done: bool
    started_at: datetime | None
    dued_at: datetime | None
    checklist_id: str
    assignee_ids: list[str]

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


@strawberry.type
class Checklist:
    id: strawberry.ID
    title: str
    position: float
    todo_id: str
    checklist_items: list[ChecklistItem]

    @classmethod
    def from_row(cls, row: Row, items: list[Row]) -> Self:
        return cls(
            id=row["id"],
            title=row["title"],
            position=row["position"],
            todo_id=row["todoId"],
            checklist_items=[ChecklistItem.from_row(i) for i in items],
        )


@strawberry.type
class Comment:
    id: strawberry.ID
    html: str
    text: str
    category: CommentCategory
    category_id: str
    user_id: str | None
    created_at: datetime
    updated_at: datetime

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
