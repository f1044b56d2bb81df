from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

MAX_DIMENSIONS = 2


class Dimension(StrEnum):
    MUNICIPALITY = "MUNICIPALITY"
    SEX = "SEX"
    AGE_BAND = "AGE_BAND"
    NATIONALITY = "NATIONALITY"
    OUTCOME = "OUTCOME"
    DURATION_BAND = "DURATION_BAND"


@dataclass(frozen=True, slots=True)
class Cell:
    """One published cell: episodes opened in one calendar month with these values,
    counted and perturbed (see `hub.statistics.perturbation`)."""

    period: str  # YYYY-MM
    values: tuple[tuple[Dimension, str], ...]
    count: int
