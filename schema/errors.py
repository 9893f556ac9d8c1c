"""Errors clients may see. Each carries extensions.code; anything else is masked.

ApiError and its subclasses are raised by resolvers for expected failures (bad input, no access,
missing rows). The MaskErrors extension lets them through unchanged and replaces every other
exception with INTERNAL_SERVER_ERROR, so no stack trace or SQL reaches a client.
"""

import logging
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import MaskErrors

logger = logging.getLogger("hookline.errors")


class ApiError(GraphQLError):
    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, code: str | None = None, **extra: Any) -> None:
        super().__init__(message, extensions={"code": code or self.code, **extra})


class Unauthenticated(ApiError):
    code = "UNAUTHENTICATED"


class Forbidden(ApiError):
    code = "FORBIDDEN"


class BadUserInput(ApiError):
    code = "BAD_USER_INPUT"


class PlanLimitReached(ApiError):
    code = "PLAN_LIMIT_REACHED"


class RateLimited(ApiError):
    """A rate or quota is spent. retry_after: seconds until the rate allows one more, when
    waiting helps (a quota of things held open frees only when one is closed)."""

    code = "RATE_LIMITED"

    def __init__(self, message: str, retry_after: int | None = None, **extra: Any) -> None:
        if retry_after is not None:
            extra["retryAfter"] = retry_after
        super().__init__(message, **extra)
        self.retry_after = retry_after


class SubscriberTooSlow(ApiError):
    """A subscriber fell further behind the live stream than its queue holds."""

    code = "SUBSCRIBER_TOO_SLOW"


class CursorExpired(ApiError):
    """A resume cursor older than the event retention: events after it may be gone."""

    code = "CURSOR_EXPIRED"

    def __init__(self, cursor: int, horizon: int) -> None:
        super().__init__(
            f"events after {cursor} are past the retention period and were purged; "
            f'subscribe without after (from now on), or with after >= "{horizon}"'
        )


class NotFound(ApiError):
    """`<ENTITY>_NOT_FOUND`, e.g. NotFound("Todo", id) → TODO_NOT_FOUND."""

    def __init__(self, entity: str, entity_id: str) -> None:
        code = "".join("_" + c if c.isupper() else c.upper() for c in entity).lstrip("_")
        super().__init__(f"{entity} {entity_id!r} was not found", code=f"{code}_NOT_FOUND")


def should_mask_error(error: GraphQLError) -> bool:
    """Mask errors raised by our code unless they are ApiErrors; keep GraphQL validation errors."""
    original = error.original_error
    return original is not None and not isinstance(original, ApiError)


class MaskInternalErrors(MaskErrors):
    """MaskErrors that logs what it hides and still gives the client a code."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=should_mask_error, error_message="Internal server error")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        logger.error("resolver failed at %s", error.path, exc_info=error.original_error)
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "INTERNAL_SERVER_ERROR"}
        return masked
