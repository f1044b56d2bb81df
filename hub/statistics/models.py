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
    # time from the report of absence to the police report: the plan's first hour
    POLICE_REPORT_DELAY_BAND = "POLICE_REPORT_DELAY_BAND"
    # whether the episode's done tasks were all done by their deadline
    TASKS_ON_TIME = "TASKS_ON_TIME"


@dataclass(frozen=True, slots=True)
class Cell:
    """One published cell: episodes opened in one calendar month with these values,
    counted and perturbed (see `hub.statistics.perturbation`)."""

    period: str  # YYYY-MM
    values: tuple[tuple[Dimension, str], ...]
    count: int
