"""A bounded memo keyed by the identity of objects that are costly to hash.

graphql-core documents hash (and compare) their whole syntax tree; the parser cache
hands out one document object per query text, so identity is the cheap key. Each entry
keeps its key objects alive, so their ids cannot be reused while the entry exists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

V = TypeVar("V")


class IdentityMemo(Generic[V]):
    def __init__(self, maxsize: int) -> None:
        self._maxsize = maxsize
        self._entries: dict[tuple[int, ...], tuple[tuple[object, ...], V]] = {}

    def get(self, keys: tuple[object, ...], compute: Callable[[], V]) -> V:
        ids = tuple(map(id, keys))
        found = self._entries.get(ids)
        if found is not None:
            return found[1]
        value = compute()
        if len(self._entries) >= self._maxsize:
            self._entries.pop(next(iter(self._entries)))  # the oldest
        self._entries[ids] = (keys, value)
        return value
