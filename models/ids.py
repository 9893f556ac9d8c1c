"""Opaque string ids, as Blue uses (cuid-like): sortable by creation time, unguessable."""

import os
import time
from collections.abc import Iterable
from typing import TypeVar

from tortoise.models import Model

from models.text import unstorable

M = TypeVar("M", bound=Model)

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, rem = divmod(number, 36)
        digits.append(_ALPHABET[rem])
    return "".join(reversed(digits))


def new_id() -> str:
    """A 25-character id: 'c', 8 chars of milliseconds, 16 random chars."""
    millis = int(time.time() * 1000)
    return "c" + _base36(millis, 8) + _base36(int.from_bytes(os.urandom(11)), 16)


# Every primary key column is CharField(max_length=ID_LENGTH); tests/test_bad_input.py holds
# the models to it.
ID_LENGTH = 32


def could_exist(value: str) -> bool:
    """Whether a row could have this id. A longer string, or one the database cannot hold, is
    not an id of ours: looking it up would make the ORM or the database raise, so it is simply
    not found."""
    return len(value) <= ID_LENGTH and unstorable(value) is None


def possible(values: Iterable[str]) -> list[str]:
    """The values that could be ids, for `id__in` look-ups; callers report the rest unknown."""
    return [v for v in values if could_exist(v)]


async def find(model: type[M], entity_id: str) -> M | None:
    """The row with this id, or None, also when no row could have it."""
    if not could_exist(entity_id):
        return None
    return await model.get_or_none(id=entity_id)
