"""Resolvers that answer at once when their data is already in hand.

An `async def` resolver costs a coroutine per object, and a list of such objects makes
graphql-core gather one task per row. A list whose rows' relations were prefetched (one
batched DataLoader call in the list's own resolver) can answer them synchronously
instead: `settled` gives the value now when the future is done, and an awaitable of it
only when it is not (graphql-core awaits whatever a resolver returns that is awaitable).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Iterator
from typing import Any, TypeVar

from strawberry.types.nodes import SelectedField, Selection

from hub.graphql.context import Info

V = TypeVar("V")
R = TypeVar("R")


def settled(future: Awaitable[V], then: Callable[[V], R]) -> Any:
    """`then(result)` now if `future` has finished, else an awaitable of it.

    Returns Any because a resolver declares its GraphQL type, not the awaitable."""
    if isinstance(future, asyncio.Future) and future.done():
        return then(future.result())

    async def later() -> R:
        return then(await future)

    return later()


def _fields(selections: Iterable[Selection]) -> Iterator[SelectedField]:
    for s in selections:
        if isinstance(s, SelectedField):
            yield s
        else:  # a fragment spread or inline fragment: its fields count as the parent's
            yield from _fields(s.selections)


def selects(info: Info, *path: str) -> bool:
    """Whether the operation asks for the field at `path` below the one resolving now
    (fragments followed; @skip/@include ignored, so the answer may be a harmless yes)."""
    level: list[SelectedField] = list(_fields(info.selected_fields))
    for name in path:
        level = [f for f in _fields(s for node in level for s in node.selections) if f.name == name]
        if not level:
            return False
    return True
