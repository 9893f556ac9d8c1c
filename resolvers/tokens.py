"""Personal access tokens, as GitHub and Stripe users expect: create (the secret shown once),
list (never the secret), revoke — effective on the caller's next request in this process, and
in every other as soon as it hears the announcement or finds the stored count moved."""

from datetime import UTC, datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from events.announcement import Announcement
from models import tokens
from models.accounts import ApiToken as ApiTokenRow
from resolvers import validate
from resolvers.authz import user_id
from resolvers.emit import routing_changed
from schema.domain import MutationResult
from schema.errors import BadUserInput, NotFound, PlanLimitReached
from schema.inputs import CreateApiTokenInput, RevokeApiTokenInput
from schema.tokens import ApiToken

MAX_TOKENS_PER_USER = 100


def _expiry(value: datetime | None) -> datetime | None:
    if not validate.given(value) or value is None:
        return None
    expires_at = value if value.tzinfo else value.replace(tzinfo=UTC)
    if expires_at <= datetime.now(UTC):
        raise BadUserInput("expiresAt must be in the future", field="expiresAt")
    return expires_at


@strawberry.type
class TokenQuery:
    @strawberry.field(
        description="Your tokens, newest first, expired ones included; never their secrets."
    )
    async def api_tokens(self, info: Info) -> list[ApiToken]:
        rows = await ApiTokenRow.filter(user_id=user_id(info)).order_by("-created_at", "-id")
        return [ApiToken.from_model(r) for r in rows]


@strawberry.type
class TokenMutation:
    @strawberry.mutation(description="A new token for you; its secret is shown this once.")
    async def create_api_token(
        self,
        info: Info,
        input: Annotated[
            CreateApiTokenInput, strawberry.argument(description="Its name and expiry.")
        ],
    ) -> ApiToken:
        owner = user_id(info)
        name = validate.title(input.name, "name", 255)
        expires_at = _expiry(input.expires_at)
        if await ApiTokenRow.filter(user_id=owner).count() >= MAX_TOKENS_PER_USER:
            raise PlanLimitReached(
                f"You already have {MAX_TOKENS_PER_USER} tokens; revoke one first"
            )
        issued = await tokens.issue_token(owner, name=name, expires_at=expires_at)
        return ApiToken.from_model(issued.row, secret=issued.token_secret)

    @strawberry.mutation(
        description=(
            "Revoke one of your tokens: every request, and every open connection from its "
            "next operation or streamed event, is refused, in every process."
        )
    )
    async def revoke_api_token(
        self,
        info: Info,
        input: Annotated[RevokeApiTokenInput, strawberry.argument(description="The token.")],
    ) -> MutationResult:
        if not await tokens.revoke(input.token_id, user_id=user_id(info)):
            raise NotFound("ApiToken", input.token_id)  # someone else's: as if missing
        await routing_changed(info, Announcement.TOKENS)
        return MutationResult(success=True, operation_id=input.token_id)
