"""The DateTime scalar: ISO 8601 in and out, and only instants that both databases can store.

Strawberry's own DateTime accepts `0001-01-01T00:00:00+14:00`, which is before year 1 in UTC:
the ORM's conversion to UTC then raised OverflowError inside a resolver. Here every value is
converted to UTC while it is parsed, so such a value is a client's mistake (BAD_USER_INPUT).
"""

from datetime import UTC, datetime

import strawberry


def parse_datetime(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError("DateTime must be an ISO 8601 string")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value} is not an ISO 8601 date-time") from None
    if parsed.tzinfo is None:  # no offset given: the instant is read as UTC
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{value} is outside the years 1 to 9999 in UTC") from None


def serialize_datetime(value: datetime) -> str:
    return value.isoformat()


DateTime = strawberry.scalar(
    name="DateTime",
    description="Date with time (ISO 8601); an instant without an offset is read as UTC",
    serialize=serialize_datetime,
    parse_value=parse_datetime,
)

SCALAR_OVERRIDES = {datetime: DateTime}
