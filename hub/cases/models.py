from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from hub.policy.facts import RowFacts
from hub.policy.states import CaseStatus as CaseStatus  # the one vocabulary


class Outcome(StrEnum):
    RETURNED = "RETURNED"
    FOUND_ELSEWHERE = "FOUND_ELSEWHERE"
    LEFT_SWEDEN = "LEFT_SWEDEN"
    TURNED_18 = "TURNED_18"
    UNRESOLVED = "UNRESOLVED"


@dataclass(frozen=True, slots=True)
class Case:
    id: uuid.UUID
    child_id: uuid.UUID
    status: CaseStatus
    opened_at: datetime
    opened_by: str
    last_seen_at: datetime | None
    last_seen_place: str | None
    circumstances: str | None
    police_report_number: str | None
    reported_missing_at: datetime | None
    registered_avviken_at: datetime | None
    found_at: datetime | None
    found_place: str | None
    return_interview: str | None
    closed_at: datetime | None
    outcome: Outcome | None
    version: int
    # what the sharing policy conditions on, read with the case (no second query)
    facts: RowFacts


@dataclass(frozen=True, slots=True)
class Sighting:
    id: uuid.UUID
    case_id: uuid.UUID
    seen_at: datetime
    place: str
    note: str | None
    reported_by: str


@dataclass(frozen=True, slots=True)
class CaseFilter:
    statuses: tuple[CaseStatus, ...] = ()
    municipality_id: str | None = None
    child_id: uuid.UUID | None = None
