"""Find the entity an operation names and authorise the caller on its project in one step."""

from typing import TypeVar

from strawberry.types import Info
from tortoise.models import Model

from models import access, ids
from models.tracker import (
    Checklist,
    ChecklistItem,
    Comment,
    CustomField,
    Project,
    Tag,
    Todo,
    TodoList,
)
from resolvers.authz import Need, authorise, require_project
from schema.errors import BadUserInput, NotFound

M = TypeVar("M", bound=Model)


async def get(model: type[M], entity_id: str) -> M:
    found = await ids.find(model, entity_id)
    if found is None:
        raise NotFound(model.__name__, entity_id)
    return found


async def todo_list(info: Info, todo_list_id: str, need: Need) -> tuple[TodoList, Project]:
    """The list with its project and company loaded (one query), and the project authorised."""
    found = None
    if ids.could_exist(todo_list_id):
        found = await TodoList.get_or_none(id=todo_list_id).select_related("project__company")
    if found is None:
        raise NotFound("TodoList", todo_list_id)
    return found, await authorise(info, found.project, need)


async def todo(info: Info, todo_id: str, need: Need) -> tuple[Todo, Project]:
    found = await get(Todo, todo_id)
    _, project = await todo_list(info, found.todo_list_id, need)
    return found, project


async def checklist(info: Info, checklist_id: str, need: Need) -> tuple[Checklist, Project]:
    found = await get(Checklist, checklist_id)
    _, project = await todo(info, found.todo_id, need)
    return found, project


async def checklist_item(info: Info, item_id: str, need: Need) -> tuple[ChecklistItem, Project]:
    found = await get(ChecklistItem, item_id)
    _, project = await checklist(info, found.checklist_id, need)
    return found, project


async def comment(info: Info, comment_id: str, need: Need) -> tuple[Comment, Project]:
    found = await get(Comment, comment_id)
    _, project = await todo(info, found.todo_id, need)
    return found, project


async def tag(info: Info, tag_id: str, need: Need) -> tuple[Tag, Project]:
    found = await get(Tag, tag_id)
    return found, await require_project(info, found.project_id, need)


async def custom_field(info: Info, field_id: str, need: Need) -> tuple[CustomField, Project]:
    found = await get(CustomField, field_id)
    return found, await require_project(info, found.project_id, need)


async def project_user_ids(project: Project, user_ids: list[str], field: str) -> list[str]:
    """Check every id names someone who may read the project (models.access)."""
    if not user_ids:
        return user_ids
    members = await access.members_among(project, ids.possible(user_ids))
    unknown = [u for u in user_ids if u not in members]
    if unknown:
        raise BadUserInput(
            f"{field}: {', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not "
            "members of this project",
            field=field,
        )
    return user_ids


async def project_tag_ids(project: Project, tag_ids: list[str]) -> list[str]:
    if not tag_ids:
        return tag_ids
    found = set(
        await Tag.filter(project_id=project.id, id__in=ids.possible(tag_ids)).values_list(
            "id", flat=True
        )
    )
    unknown = [t for t in tag_ids if t not in found]
    if unknown:
        raise BadUserInput(f"tagIds: no tag {', '.join(unknown)} in this project", field="tagIds")
    return tag_ids
