"""Input rules shared by the mutations: clear BAD_USER_INPUT messages, checked before writing."""

import math

from strawberry import UNSET

from schema.errors import BadUserInput

MAX_TITLE = 500
MAX_TEXT = 100_000
MAX_IDS = 200


def title(value: str, field: str = "title", max_length: int = MAX_TITLE) -> str:
    cleaned = value.strip()
    if not cleaned:
        raise BadUserInput(f"{field} must not be empty", field=field)
    if len(cleaned) > max_length:
        raise BadUserInput(f"{field} must be at most {max_length} characters", field=field)
    return cleaned


def text(value: str, field: str, max_length: int = MAX_TEXT) -> str:
    if len(value) > max_length:
        raise BadUserInput(f"{field} must be at most {max_length} characters", field=field)
    return value


def position(value: float | None, default: float = 0.0) -> float:
    if value is UNSET or value is None:
        return default
    return finite(value, "position")


def finite(value: float, field: str) -> float:
    """GraphQL lets a literal like 1e999 through as infinity."""
    if not math.isfinite(value):
        raise BadUserInput(f"{field} must be a finite number", field=field)
    return value


def id_list(values: list[str], field: str) -> list[str]:
    if len(values) > MAX_IDS:
        raise BadUserInput(f"{field} may hold at most {MAX_IDS} ids", field=field)
    return list(dict.fromkeys(values))


def given(value: object) -> bool:
    return value is not UNSET
