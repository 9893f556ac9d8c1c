"""Companies, projects and their members."""

from typing import Annotated

import strawberry
from strawberry.types import Info
from tortoise.transactions import in_transaction

from events.announcement import Announcement
from models import ids, snapshots
from models.accounts import CompanyLevel, CompanyUser, ProjectLevel
from models.accounts import User as UserRow
from models.slugs import unique_slug
from models.tracker import Project as ProjectRow
from models.tracker import ProjectUser
from resolvers import validate
from resolvers.authz import (
    member_project_ids,
    require_company,
    require_project,
    user_id,
)
from resolvers.emit import routing_changed
from schema.domain import Company, MutationResult, Project, User
from schema.errors import BadUserInput
from schema.inputs import AddProjectMemberInput, CreateProjectInput, RemoveProjectMemberInput
from schema.paging import MAX_TAKE, page, skipping, taking

MAX_EMAIL = 320


def _email(value: str) -> str:
    email = value.strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or len(email) > MAX_EMAIL or " " in email:
        raise BadUserInput(f"{value!r} is not an email address", field="email")
    return email


def _user(row: UserRow) -> User:
    return User(id=row.id, email=row.email, name=row.name)


@strawberry.type
class ProjectQuery:
    @strawberry.field(description="The user the token belongs to.")
    async def current_user(self, info: Info) -> User:
        return _user(await UserRow.get(id=user_id(info)))

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

    @strawberry.mutation(
        description=(
            "Add a person to a project, or change their role (project ADMIN). A "
            "new email creates the user and makes them a company MEMBER."
        )
    )
    async def add_project_member(
        self,
        info: Info,
        input: Annotated[
            AddProjectMemberInput,
            strawberry.argument(description="The project, the person's email and their role."),
        ],
    ) -> User:
        project = await require_project(info, input.project_id, "admin")
        email = _email(input.email)
        async with in_transaction():
            user, _ = await UserRow.get_or_create(email=email)
            await CompanyUser.get_or_create(
                company_id=project.company_id,
                user_id=user.id,
                defaults={"level": CompanyLevel.MEMBER},
            )
            await ProjectUser.update_or_create(
                defaults={"level": ProjectLevel(input.level)},
                project_id=project.id,
                user_id=user.id,
            )
        await routing_changed(info, Announcement.ACCESS)
        return _user(user)

    @strawberry.mutation(
        description=(
            "Remove a member from a project (project ADMIN). Their webhooks stop "
            "receiving its events."
        )
    )
    async def remove_project_member(
        self,
        info: Info,
        input: Annotated[
            RemoveProjectMemberInput, strawberry.argument(description="The project and the member.")
        ],
    ) -> MutationResult:
        project = await require_project(info, input.project_id, "admin")
        deleted = (
            ids.could_exist(input.user_id)
            and await ProjectUser.filter(project_id=project.id, user_id=input.user_id).delete()
        )
        if not deleted:
            raise BadUserInput("That user is not a member of this project", field="userId")
        await routing_changed(info, Announcement.ACCESS)
        return MutationResult(success=True, operation_id=input.user_id)
