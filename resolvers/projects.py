"""Companies and projects (their members: resolvers.members)."""

from typing import Annotated

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
from schema.paging import MAX_TAKE, page, skipping, taking


@strawberry.type
class ProjectQuery:
    @strawberry.field(description="The user the token belongs to.")
    async def current_user(self, info: Info) -> User:
        return await user_view(info, await UserRow.get(id=user_id(info)))

    @strawberry.field(description="A company you belong to.")
    async def company(
        self,
        info: Info,
        id: Annotated[str, strawberry.argument(description="The company's id or slug.")],
    ) -> Company:
        found = await require_company(info, id)
        return Company.from_row(snapshots.rows.company_row(found))

    @strawberry.field(description="A project you can read.")
    async def project(
        self, info: Info, id: Annotated[str, strawberry.argument(description="The project's id.")]
    ) -> Project:
        await require_project(info, id, "read")
        return Project.from_row(await snapshots.project(id))

    @strawberry.field(
        description=(
            "Every project you can read: those you are a member of, and all "
            "projects of companies you own or administer."
        )
    )
    async def project_list(
        self, info: Info, skip: skipping("projects") = 0, take: taking("projects") = MAX_TAKE
    ) -> list[Project]:
        asked = page(skip, take)
        ids = asked.of(await member_project_ids(info))
        return [Project.from_row(row) for row in await snapshots.projects(ids)]


@strawberry.type
class ProjectMutation:
    @strawberry.mutation(description="Create a project in a company (company OWNER or ADMIN).")
    async def create_project(
        self,
        info: Info,
        input: Annotated[
            CreateProjectInput,
            strawberry.argument(description="The company and the project's name."),
        ],
    ) -> Project:
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
