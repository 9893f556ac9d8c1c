"""Count the SQL statements a piece of work sends, by wrapping the database client's execute
methods (the statements still run on the real database).

Only statements sent from the task that counts (and what it awaits) are counted: the bridge
and the event tail, running in their own tasks meanwhile, are not.
"""

import contextlib
import contextvars
import functools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from tortoise import Tortoise

_counted: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("counted", default=None)
METHODS = (
    "execute_query",
    "execute_query_dict",
    "execute_insert",
    "execute_many",
    "execute_script",
)


def _counting(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    async def wrapper(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        found = _counted.get()
        if found is not None:
            found.append(query)
        return await method(self, query, *args, **kwargs)

    wrapper.counts = True  # type: ignore[attr-defined]
    return wrapper


@contextlib.contextmanager
def counting_queries(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The statements sent inside the block, in order."""
    client = type(Tortoise.get_connection("default"))
    for name in METHODS:
        method = getattr(client, name)
        if not getattr(method, "counts", False):  # wrapped once per test
            monkeypatch.setattr(client, name, _counting(method))
    found: list[str] = []
    token = _counted.set(found)
    try:
        yield found
    finally:
        _counted.reset(token)
