"""Companies, projects and their members."""

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
    @strawberry.field
    async def current_user(self, info: Info) -> User:
        return _user(await UserRow.get(id=user_id(info)))

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

    @strawberry.mutation
    async def add_project_member(self, info: Info, input: AddProjectMemberInput) -> User:
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

    @strawberry.mutation
    async def remove_project_member(
        self, info: Info, input: RemoveProjectMemberInput
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
