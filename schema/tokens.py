"""The personal access token as its owner sees it: never its secret, except once at creation."""

from datetime import datetime
from typing import Self

import strawberry

from models.accounts import ApiToken as ApiTokenRow


@strawberry.type(
    description=(
        "A personal access token: `Authorization: Bearer <id>.<secret>` (or X-Bloo-Token-ID "
        "and X-Bloo-Token-Secret). Only a hash of the secret is stored."
    )
)
class ApiToken:
    id: strawberry.ID = strawberry.field(description="The token's id (X-Bloo-Token-ID).")
    name: str = strawberry.field(description="What the token is for.")
    created_at: datetime = strawberry.field(description="When it was created.")
    last_used_at: datetime | None = strawberry.field(
        description="When it was last used; written at most once a minute, so it may lag."
    )
    expires_at: datetime | None = strawberry.field(
        description="When it stops working; null: never."
    )
    secret: str | None = strawberry.field(
        description="The token's secret (X-Bloo-Token-Secret): only in createApiToken's answer."
    )
    token: str | None = strawberry.field(
        description="`<id>.<secret>`, for Authorization: Bearer: only in createApiToken's answer."
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
