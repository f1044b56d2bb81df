from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from hub.errors import InvalidTransition
from hub.events.models import Person
from hub.policy.actions import Action
from hub.policy.facts import RowFacts
from hub.policy.states import MISSING
from hub.policy.states import CaseStatus as CaseStatus  # the one vocabulary


class PoliceGrade(StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"


class SightingKind(StrEnum):
    SEEN = "SEEN"
    SPOKE_WITH = "SPOKE_WITH"
    REPORTED_BY_OTHERS = "REPORTED_BY_OTHERS"


@dataclass(frozen=True, slots=True)
class PoliceAssessment:
    grade: PoliceGrade
    rationale: str
    assessed_at: datetime
    assessed_by: Person


@dataclass(frozen=True, slots=True)
class Alert:
    """The police's efterlysning."""

    reference: str
    issued_at: datetime
    cancelled_at: datetime | None
    cancel_reason: str | None


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
    police_assessment: PoliceAssessment | None = None
    alert: Alert | None = None
    registered_returned_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Sighting:
    id: uuid.UUID
    case_id: uuid.UUID
    seen_at: datetime
    place: str
    note: str | None
    reported_by: str
    kind: SightingKind = SightingKind.SEEN
    callback_phone: str | None = None
    reported_by_name: str | None = None
    reported_by_role: str | None = None

    @property
    def reporter(self) -> Person:
        return Person(self.reported_by_name, self.reported_by_role, self.reported_by)


@dataclass(frozen=True, slots=True)
class CaseFilter:
    statuses: tuple[CaseStatus, ...] = ()
    municipality_id: str | None = None
    child_id: uuid.UUID | None = None


# The case state machine of the county plan.
#
# ABSENT ──► REPORTED_MISSING ──► FOUND ──► FOLLOW_UP ──► CLOSED
#    └──────────────────────────► FOUND
# REPORTED_MISSING ──► CLOSED (unresolved after review / turned 18 / left Sweden)

MOVES: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.ABSENT: frozenset({CaseStatus.REPORTED_MISSING, CaseStatus.FOUND}),
    CaseStatus.REPORTED_MISSING: frozenset({CaseStatus.FOUND, CaseStatus.CLOSED}),
    CaseStatus.FOUND: frozenset({CaseStatus.FOLLOW_UP}),
    CaseStatus.FOLLOW_UP: frozenset({CaseStatus.CLOSED}),
    CaseStatus.CLOSED: frozenset(),
}

# Migrationsverket's avviken is a fact, not a state: it can be recorded while missing.
AVVIKEN_STATES = MISSING
SIGHTING_STATES = MISSING
# Migrationsverket re-registers a child once found
RETURN_STATES = frozenset({CaseStatus.FOUND, CaseStatus.FOLLOW_UP, CaseStatus.CLOSED})


def check_move(current: CaseStatus, wanted: CaseStatus) -> None:
    if wanted not in MOVES[current]:
        allowed = ", ".join(sorted(m.value for m in MOVES[current])) or "none (the case is closed)"
        raise InvalidTransition(
            f"a case in {current.value} cannot move to {wanted.value}; allowed: {allowed}",
            **{
                "from": current.value,
                "to": wanted.value,
                "allowed": sorted(m.value for m in MOVES[current]),
            },
        )


# each lifecycle action and the state it moves the case to (None: a fact, no move)
_ACTIONS: dict[Action, CaseStatus | None] = {
    Action.REPORT_MISSING_TO_POLICE: CaseStatus.REPORTED_MISSING,
    Action.REGISTER_AVVIKEN: None,
    Action.ADD_SIGHTING: None,
    Action.REPORT_FOUND: CaseStatus.FOUND,
    Action.RECORD_RETURN_INTERVIEW: CaseStatus.FOLLOW_UP,
    Action.CLOSE_CASE: CaseStatus.CLOSED,
    Action.RECORD_POLICE_ASSESSMENT: None,
    Action.RECORD_ALERT: None,
    Action.REGISTER_RETURN: None,
}
_FACT_STATES = {
    Action.REGISTER_AVVIKEN: AVVIKEN_STATES,
    Action.ADD_SIGHTING: SIGHTING_STATES,
    Action.RECORD_POLICE_ASSESSMENT: frozenset(CaseStatus) - {CaseStatus.CLOSED},
    Action.RECORD_ALERT: SIGHTING_STATES,
    Action.REGISTER_RETURN: RETURN_STATES,
}


def possible_actions(current: CaseStatus) -> list[Action]:
    """The lifecycle actions a case in `current` admits, whoever asks."""
    return [
        action
        for action, to in _ACTIONS.items()
        if (current in _FACT_STATES[action] if to is None else to in MOVES[current])
    ]
