"""The personal access token as its owner sees it: never its secret, except once at creation."""

from datetime import datetime
from typing import Self

import strawberry

from models.accounts import ApiToken as ApiTokenRow


@strawberry.type
class ApiToken:
    id: strawberry.ID
    name: str
    created_at: datetime
    last_used_at: datetime | None = strawberry.field(
        description="Updated at most once a minute, so it may lag behind by that much"
    )
    expires_at: datetime | None
    secret: str | None = strawberry.field(
        description="The token's secret: only in createApiToken's answer, never again"
    )
    token: str | None = strawberry.field(
        description="<id>.<secret>, to send as Authorization: Bearer; only in createApiToken"
    )

    @classmethod
    def from_model(cls, row: ApiTokenRow, secret: str | None = None) -> Self:
        return cls(
            id=row.id,
            name=row.name,
            created_at=row.created_at,
            last_used_at=row.last_used_at,
            expires_at=row.expires_at,
            secret=secret,
            token=f"{row.id}.{secret}" if secret else None,
        )
