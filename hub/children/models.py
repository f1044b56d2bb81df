from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from hub.events.models import Person
from hub.policy.facts import RowFacts


class Sex(StrEnum):
    FEMALE = "FEMALE"
    MALE = "MALE"
    OTHER = "OTHER"
    UNKNOWN = "UNKNOWN"


class RiskLevel(StrEnum):
    LOW = "LOW"
    ELEVATED = "ELEVATED"
    HIGH = "HIGH"


@dataclass(frozen=True, slots=True)
class Description:
    """The signalement: what searchers need to recognise the child."""

    height_cm: int | None
    build: str | None
    hair: str | None
    eyes: str | None
    marks: str | None
    clothing: str | None
    photo_url: str | None


@dataclass(frozen=True, slots=True)
class Contact:
    kind: str
    value: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Child:
    id: uuid.UUID
    given_name: str
    family_name: str
    birth_date: date
    sex: Sex
    nationality: str
    languages: tuple[str, ...]
    dossier_number: str | None
    responsible_municipality_id: str
    residence_id: str | None
    placement_address: str | None
    guardian_sub: str | None
    description: Description
    contacts: tuple[Contact, ...]
    asylum_status: str | None
    health: str | None
    risk_level: RiskLevel | None
    risk_indicators: tuple[str, ...]
    risk_assessment: str | None
    created_at: datetime
    # what the sharing policy conditions on; the state is the open case's status or NONE
    facts: RowFacts
    guardian_name: str | None = None
    left_plan_at: datetime | None = None  # turned 18


@dataclass(frozen=True, slots=True)
class ChildFilter:
    responsible_municipality_id: str | None = None
    residence_id: str | None = None
    has_open_case: bool | None = None


@dataclass(frozen=True, slots=True)
class NewChild:
    """A child to register, as asked for (and, once validated, as stored)."""

    given_name: str
    family_name: str
    birth_date: date
    sex: Sex
    nationality: str
    languages: list[str]
    dossier_number: str | None
    responsible_municipality_id: str
    residence_id: str | None
    placement_address: str | None
    guardian_sub: str | None


@dataclass(frozen=True, slots=True)
class RiskAssessment:
    level: RiskLevel
    indicators: tuple[str, ...]
    assessment: str | None
    assessed_at: datetime
    assessed_by: Person


@dataclass(frozen=True, slots=True)
class Placement:
    residence_id: str | None
    placement_address: str | None
    from_at: datetime
    to_at: datetime | None


class TransferStatus(StrEnum):
    REQUESTED = "REQUESTED"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"


@dataclass(frozen=True, slots=True)
class Transfer:
    """A handover of responsibility for a child from one municipality to another."""

    id: uuid.UUID
    child_id: uuid.UUID
    from_municipality_id: str
    to_municipality_id: str
    reason: str
    status: TransferStatus
    requested_at: datetime
    decided_at: datetime | None
    decline_reason: str | None


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A search, parsed (hub.children.search): name words in search form, a birth date or
    year, a dossier number."""

    words: tuple[str, ...] = ()
    birth_date: date | None = None
    birth_year: int | None = None
    dossier_number: str | None = None
