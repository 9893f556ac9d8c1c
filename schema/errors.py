"""Errors clients may see. Each carries extensions.code; anything else is masked.

ApiError and its subclasses are raised by resolvers for expected failures (bad input, no access,
missing rows). Requests that never run get a code from `client_code`: parse failures
GRAPHQL_PARSE_FAILED, validation failures GRAPHQL_VALIDATION_FAILED (set when validated, see
schema.validation), values that do not fit their type BAD_USER_INPUT, inline or as variables.
The ErrorCodes extension puts that code on every error and replaces every other one with
INTERNAL_SERVER_ERROR, so no stack trace or SQL reaches a client.
"""

import logging
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.exceptions import MissingQueryError
from strawberry.extensions import SchemaExtension
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError

logger = logging.getLogger("hookline.errors")

INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
BAD_USER_INPUT = "BAD_USER_INPUT"
GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"

# Strawberry's own refusals of a request (no operation, or one of a type this transport does not
# run), which reach a streaming transport as errors wrapping them.
_REQUEST_REFUSALS = (MissingQueryError, CannotGetOperationTypeError, InvalidOperationTypeError)


class ApiError(GraphQLError):
    code = INTERNAL_SERVER_ERROR

    def __init__(self, message: str, code: str | None = None, **extra: Any) -> None:
        super().__init__(message, extensions={"code": code or self.code, **extra})


class Unauthenticated(ApiError):
    code = "UNAUTHENTICATED"


class Forbidden(ApiError):
    code = "FORBIDDEN"


class BadUserInput(ApiError):
    code = BAD_USER_INPUT


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


def client_code(error: GraphQLError) -> str | None:
    """The code of an error the client caused, or None for a fault of ours."""
    code = (error.extensions or {}).get("code")
    if code is not None:
        return None if code == INTERNAL_SERVER_ERROR else str(code)
    if isinstance(error, GraphQLSyntaxError):
        return GRAPHQL_PARSE_FAILED
    original = error.original_error
    if isinstance(original, ApiError):
        return original.code
    if isinstance(original, _REQUEST_REFUSALS):
        return BAD_USER_INPUT
    if error.path is None and (original is None or isinstance(original, GraphQLError)):
        # A request error from graphql-core: the operation never ran. Validation errors are
        # coded when validated, so what is left are variable values that do not fit their type.
        return BAD_USER_INPUT
    return None


def with_code(error: GraphQLError, code: str, **extra: Any) -> GraphQLError:
    """A copy of `error` carrying `code` (errors may be cached and shared: never mutate one)."""
    return GraphQLError(
        error.message,
        error.nodes,
        error.source,
        error.positions,
        error.path,
        error.original_error,
        {**(error.extensions or {}), **extra, "code": code},
    )


def coded(error: GraphQLError) -> GraphQLError:
    """The error as the client sees it: with its code, or masked when it is a fault of ours."""
    code = client_code(error)
    if code is None:
        return GraphQLError(
            "Internal server error",
            error.nodes,
            error.source,
            error.positions,
            error.path,
            extensions={"code": INTERNAL_SERVER_ERROR},
        )
    if (error.extensions or {}).get("code") == code:
        return error
    return with_code(error, code)


def log_client_errors(errors: list[GraphQLError]) -> list[GraphQLError]:
    """Log refused requests at INFO (answers from resolvers are not logged at all); return the
    errors that are faults of ours, for the caller to log with their traceback."""
    faults = []
    for error in errors:
        code = client_code(error)
        if code is None:
            faults.append(error)
        elif not isinstance(error.original_error or error, ApiError):
            logger.info("request refused (%s): %s", code, error.message)
    return faults


class ErrorCodes(SchemaExtension):
    """Applies `coded` to every error of a result, streamed results included."""

    def __init__(self) -> None:
        self._streamed = False

    def on_operation(self) -> Iterator[None]:
        self._streamed = False
        yield
        if not self._streamed:  # stream results were handled one by one
            _code_errors(self.execution_context.result)

    def on_stream_result(self, result: Any) -> Iterator[None]:
        self._streamed = True
        _code_errors(result)
        yield


def _code_errors(result: object) -> None:
    errors = getattr(result, "errors", None)
    if errors:
        result.errors = [coded(e) for e in errors]  # type: ignore[attr-defined]
