"""Types of portal sessions (API.md §8): links to the webhook portal for someone else."""

from datetime import datetime

import strawberry
from strawberry import UNSET

from schema.domain import Company, Project


@strawberry.type(
    description=(
        "A link to the webhook portal (/portal) for one company, or some of its projects, "
        "that works until it expires or is revoked. Its token is shown only here."
    )
)
class PortalSession:
    id: strawberry.ID = strawberry.field(description="The session's id (for revokePortalSession).")
    url: str = strawberry.field(
        description=(
            "The portal's address with the token in its fragment (#token=…), which browsers "
            "never send to a server: hand it to the customer, or load it in an iframe."
        )
    )
    token: str = strawberry.field(
        description=(
            "The session's token, `hlp_<id>.<secret>`, usable as a Bearer token for the "
            "webhook operations of its scope only; shown once."
        )
    )
    expires_at: datetime = strawberry.field(description="When the link stops working.")
    company_id: str = strawberry.field(description="The company whose webhooks it manages.")
    project_ids: list[str] = strawberry.field(
        description="The projects it is limited to; empty means every project of the company."
    )


@strawberry.type(
    description=(
        "A portal session as its company's owners and admins, and the session itself, see it "
        "(never its token)."
    )
)
class PortalSessionInfo:
    id: strawberry.ID = strawberry.field(description="The session's id.")
    company: Company = strawberry.field(description="The company whose webhooks it manages.")
    project_ids: list[str] = strawberry.field(
        description="The projects it is limited to; empty means every project of the company."
    )
    projects: list[Project] = strawberry.field(
        description="The projects its webhooks may cover (all of the company's when unlimited)."
    )
    created_by_id: str = strawberry.field(
        description="The owner or admin who created it; it acts with their rights, narrowed."
    )
    created_at: datetime = strawberry.field(description="When it was created.")
    expires_at: datetime = strawberry.field(description="When it stops working.")
    revoked_at: datetime | None = strawberry.field(
        description="When it was revoked; null while it has not been."
    )
    active: bool = strawberry.field(description="Neither expired nor revoked.")


@strawberry.input(description="A portal link to create.")
class CreatePortalSessionInput:
    company_id: str = strawberry.field(
        description="The company (id or slug) you own or administer."
    )
    project_ids: list[str] | None = strawberry.field(
        default=UNSET,
        description=(
            "Limit the portal to webhooks of these projects of the company; omit or leave "
            "empty for every project (and webhooks of all projects)."
        ),
    )
    expires_in_minutes: int = strawberry.field(
        default=60, description="How long the link works, 1 to 1440 minutes."
    )


@strawberry.input(description="The portal session to end.")
class RevokePortalSessionInput:
    session_id: str = strawberry.field(description="The session's id.")
