"""Opaque string ids, as Blue uses (cuid-like): sortable by creation time, unguessable."""

import os
import time

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
