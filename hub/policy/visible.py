from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from hub.policy.view import RowView

M = TypeVar("M")


@dataclass(frozen=True, slots=True)
class Visible(Generic[M]):
    """A row together with what the principal may see of it."""

    row: M
    view: RowView
