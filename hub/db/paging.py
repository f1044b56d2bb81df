"""A page of rows in keyset order: what repositories need to know of pagination."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PageRequest:
    """`first` rows after the row with id `after` (exclusive)."""

    first: int
    after: uuid.UUID | None

    @property
    def limit(self) -> int:
        # one extra row tells whether there is a next page
        return self.first + 1
