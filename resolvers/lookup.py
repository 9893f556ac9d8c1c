"""Find the entity an operation names and authorise the caller on its project in one step.

Each entity is loaded with its project in one query. One the caller cannot read answers as if
it did not exist (authz.authorise): `<ENTITY>_NOT_FOUND` with the same message either way.
"""

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
from resolvers.authz import Need, authorise, principal
from schema.errors import BadUserInput, NotFound

M = TypeVar("M", bound=Model)


async def _find(
    info: Info, model: type[M], entity_id: str, project_path: str, need: Need
) -> tuple[M, Project]:
    """The entity and its project (reached through `project_path`, loaded with its company),
    authorised for `need`."""
    principal(info)  # authentication before any lookup
    missing = NotFound(model.__name__, entity_id)
    found = None
    if ids.could_exist(entity_id):  # an id no row could have is simply not found
        found = await model.get_or_none(id=entity_id).select_related(f"{project_path}__company")
    if found is None:
        raise missing
    project: Project = found
    for step in project_path.split("__"):
        project = getattr(project, step)
    return found, await authorise(info, project, need, asked=missing)


async def todo_list(info: Info, todo_list_id: str, need: Need) -> tuple[TodoList, Project]:
    return await _find(info, TodoList, todo_list_id, "project", need)


async def todo(info: Info, todo_id: str, need: Need) -> tuple[Todo, Project]:
    return await _find(info, Todo, todo_id, "todo_list__project", need)


async def checklist(info: Info, checklist_id: str, need: Need) -> tuple[Checklist, Project]:
    return await _find(info, Checklist, checklist_id, "todo__todo_list__project", need)


async def checklist_item(info: Info, item_id: str, need: Need) -> tuple[ChecklistItem, Project]:
    path = "checklist__todo__todo_list__project"
    return await _find(info, ChecklistItem, item_id, path, need)


async def comment(info: Info, comment_id: str, need: Need) -> tuple[Comment, Project]:
    return await _find(info, Comment, comment_id, "todo__todo_list__project", need)


async def tag(info: Info, tag_id: str, need: Need) -> tuple[Tag, Project]:
    return await _find(info, Tag, tag_id, "project", need)


async def custom_field(info: Info, field_id: str, need: Need) -> tuple[CustomField, Project]:
    return await _find(info, CustomField, field_id, "project", need)


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
