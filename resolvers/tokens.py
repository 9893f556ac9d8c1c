"""Personal access tokens, as GitHub and Stripe users expect: create (the secret shown once),
list (never the secret), revoke — effective on the caller's next request in this process, and
in every other as soon as it hears the announcement or finds the stored count moved."""

from datetime import UTC, datetime

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
    @strawberry.field(description="The caller's tokens, newest first (expired ones included)")
    async def api_tokens(self, info: Info) -> list[ApiToken]:
        rows = await ApiTokenRow.filter(user_id=user_id(info)).order_by("-created_at", "-id")
        return [ApiToken.from_model(r) for r in rows]


@strawberry.type
class TokenMutation:
    @strawberry.mutation(description="A new token for the caller; its secret is shown only here")
    async def create_api_token(self, info: Info, input: CreateApiTokenInput) -> ApiToken:
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
        description="Revokes one of the caller's tokens: every request and every open "
        "connection using it is refused from its next operation or event"
    )
    async def revoke_api_token(self, info: Info, input: RevokeApiTokenInput) -> MutationResult:
        if not await tokens.revoke(input.token_id, user_id=user_id(info)):
            raise NotFound("ApiToken", input.token_id)  # someone else's: as if missing
        await routing_changed(info, Announcement.TOKENS)
        return MutationResult(success=True, operation_id=input.token_id)
