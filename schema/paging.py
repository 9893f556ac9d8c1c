"""Paging of list fields: one rule for every list a client can ask for. Each takes `skip` and
`take`, and `take` is at most MAX_TAKE, so no single list answers with more rows than that;
the query cost estimate (schema.cost) counts each list at its `take`."""

from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

import strawberry

from schema.errors import BadUserInput

MAX_TAKE = 100

T = TypeVar("T")


@dataclass(frozen=True)
class Page:
    skip: int
    take: int

    def of(self, items: list[T]) -> list[T]:
        """This page of a list already in memory."""
        return items[self.skip : self.skip + self.take]


def page(skip: int, take: int) -> Page:
    """The page asked for, or BAD_USER_INPUT naming the rule."""
    if skip < 0:
        raise BadUserInput("skip must be 0 or more", field="skip")
    if not 0 < take <= MAX_TAKE:
        raise BadUserInput(f"take must be between 1 and {MAX_TAKE}", field="take")
    return Page(skip, take)


def skipping(things: str) -> Any:
    """The `skip` argument of a list of `things`, described."""
    return Annotated[int, strawberry.argument(description=f"How many {things} to skip.")]


def taking(things: str) -> Any:
    """The `take` argument of a list of `things`, described with its maximum."""
    description = f"How many {things} to return, 1 to {MAX_TAKE}."
    return Annotated[int, strawberry.argument(description=description)]
