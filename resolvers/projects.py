"""Companies and projects (their members: resolvers.members)."""

import strawberry
from strawberry.types import Info
from tortoise.transactions import in_transaction

from models import snapshots
from models.accounts import User as UserRow
from models.slugs import unique_slug
from models.tracker import Project as ProjectRow
from resolvers import validate
from resolvers.authz import (
    member_project_ids,
    require_company,
    require_project,
    user_id,
)
from resolvers.members import user_view
from schema.domain import Company, Project, User
from schema.inputs import CreateProjectInput


@strawberry.type
class ProjectQuery:
    @strawberry.field
    async def current_user(self, info: Info) -> User:
        return await user_view(info, await UserRow.get(id=user_id(info)))

    @strawberry.field
    async def company(self, info: Info, id: str) -> Company:
        found = await require_company(info, id)
        return Company.from_row(snapshots.rows.company_row(found))

    @strawberry.field
    async def project(self, info: Info, id: str) -> Project:
        await require_project(info, id, "read")
        return Project.from_row(await snapshots.project(id))

    @strawberry.field
    async def project_list(self, info: Info) -> list[Project]:
        return [
            Project.from_row(await snapshots.project(i)) for i in await member_project_ids(info)
        ]


@strawberry.type
class ProjectMutation:
    @strawberry.mutation
    async def create_project(self, info: Info, input: CreateProjectInput) -> Project:
        company = await require_company(info, input.company_id, admin=True)
        name = validate.title(input.name, "name", 255)
        async with in_transaction():
            taken = set(
                await ProjectRow.filter(company_id=company.id).values_list("slug", flat=True)
            )
            created = await ProjectRow.create(
                company_id=company.id, name=name, slug=unique_slug(name, taken)
            )
        # Nothing to announce: a new project changes no one's roles (see models.access).
        return Project.from_row(await snapshots.project(created.id))
