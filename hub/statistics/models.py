from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

SUPPRESS_BELOW = 5


class Dimension(StrEnum):
    MUNICIPALITY = "MUNICIPALITY"
    SEX = "SEX"
    AGE_BAND = "AGE_BAND"
    NATIONALITY = "NATIONALITY"
    OUTCOME = "OUTCOME"
    DURATION_BAND = "DURATION_BAND"


@dataclass(frozen=True, slots=True)
class Cell:
    values: tuple[tuple[Dimension, str], ...]
    count: int | None  # None when suppressed

    @property
    def suppressed(self) -> bool:
        return self.count is None
