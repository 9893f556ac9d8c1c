"""Who belongs where: project members, company members, and the users the caller may see.

Every membership change is an access change: counted and announced (emit.routing_changed) so
open streams and the bridge read roles again, and followed by the leaver rule
(webhook_rules.retire_orphans) in the same transaction.
"""

from typing import Annotated

import strawberry
from strawberry.types import Info
from tortoise.transactions import in_transaction

from events.announcement import Announcement
from models import ids
from models.accounts import Company as CompanyRow
from models.accounts import CompanyLevel, CompanyUser, ProjectLevel
from models.accounts import User as UserRow
from models.tracker import Project as ProjectRow
from models.tracker import ProjectUser
from resolvers.authz import coverage, require_company, require_project, user_id
from resolvers.emit import routing_changed
from resolvers.webhook_rules import retire_orphans
from schema.domain import CompanyMembership, MutationResult, User
from schema.errors import BadUserInput, Forbidden
from schema.inputs import AddProjectMemberInput, RemoveCompanyMemberInput, RemoveProjectMemberInput

MAX_EMAIL = 320


def _email(value: str) -> str:
    email = value.strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or len(email) > MAX_EMAIL or " " in email:
        raise BadUserInput(f"{value!r} is not an email address", field="email")
    return email


async def user_view(info: Info, row: UserRow) -> User:
    """A user as the caller sees them: their memberships in the companies the caller belongs
    to as well (every one of them when it is the caller), so adding someone to a project
    tells nothing about their other employers."""
    memberships = await CompanyUser.filter(user_id=row.id).values_list("company_id", "level")
    if row.id != user_id(info):
        shared = (await coverage(info)).companies
        memberships = [(c, level) for c, level in memberships if c in shared]
    companies = {c.id: c for c in await CompanyRow.filter(id__in=[c for c, _ in memberships])}
    return User(
        id=row.id,
        email=row.email,
        name=row.name,
        companies=sorted(
            (
                CompanyMembership(
                    id=c, name=companies[c].name, slug=companies[c].slug, role=str(level)
                )
                for c, level in memberships
            ),
            key=lambda m: (m.name, m.id),
        ),
    )


async def _changed(info: Info, retired: list[str]) -> None:
    """Access changed; the webhooks the leaver rule disabled are named, or an index that only
    reads coverage again would keep sending to them."""
    kinds = [Announcement.ACCESS] + ([Announcement.WEBHOOKS] if retired else [])
    await routing_changed(info, *kinds, webhook_ids=retired)


@strawberry.type
class MemberMutation:
    @strawberry.mutation(
        description=(
            "Add a person to a project, or change their role (project ADMIN). A "
            "new email creates the user and makes them a company MEMBER. A role too low for "
            "their webhooks disables those (see disabledReason)."
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
            retired = await retire_orphans(project.company_id, [user.id])  # a demotion
        await _changed(info, retired)
        return await user_view(info, user)

    @strawberry.mutation(
        description=(
            "Remove a member from a project (project ADMIN). Their webhooks stop "
            "receiving its events; those that needed this project are disabled."
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
        async with in_transaction():
            deleted = (
                ids.could_exist(input.user_id)
                and await ProjectUser.filter(project_id=project.id, user_id=input.user_id).delete()
            )
            if not deleted:
                raise BadUserInput("That user is not a member of this project", field="userId")
            retired = await retire_orphans(project.company_id, [input.user_id])
        await _changed(info, retired)
        return MutationResult(success=True, operation_id=input.user_id)

    @strawberry.mutation(
        description=(
            "Remove a person from a company and from every project of it (company OWNER or "
            "ADMIN; only an OWNER removes an OWNER, and never the last one). Their webhooks "
            "there are disabled (see disabledReason); owners and admins may take them over."
        )
    )
    async def remove_company_member(
        self,
        info: Info,
        input: Annotated[
            RemoveCompanyMemberInput,
            strawberry.argument(description="The company (id or slug) and the member."),
        ],
    ) -> MutationResult:
        company = await require_company(info, input.company_id, admin=True)
        caller_level = (await coverage(info)).companies[company.id]
        async with in_transaction():
            # Locked (PostgreSQL) so two removals cannot leave the company without an owner.
            await CompanyRow.filter(id=company.id).select_for_update().first()
            membership = None
            if ids.could_exist(input.user_id):
                membership = await CompanyUser.get_or_none(
                    company_id=company.id, user_id=input.user_id
                )
            if membership is None:
                raise BadUserInput("That user is not a member of this company", field="userId")
            if membership.level == CompanyLevel.OWNER:
                if caller_level != CompanyLevel.OWNER:
                    raise Forbidden("Only an owner may remove an owner")
                owners = await CompanyUser.filter(
                    company_id=company.id, level=CompanyLevel.OWNER
                ).count()
                if owners == 1:
                    raise BadUserInput(
                        "The last owner cannot leave the company; make someone else owner first",
                        field="userId",
                    )
            projects = await ProjectRow.filter(company_id=company.id).values_list("id", flat=True)
            await ProjectUser.filter(user_id=input.user_id, project_id__in=projects).delete()
            await membership.delete()
            retired = await retire_orphans(company.id, [input.user_id])
        await _changed(info, retired)
        return MutationResult(success=True, operation_id=input.user_id)
