from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ReasonKind(StrEnum):
    LIFE_OR_HEALTH = "LIFE_OR_HEALTH"
    SEARCH = "SEARCH"
    OTHER = "OTHER"


class Verdict(StrEnum):
    JUSTIFIED = "JUSTIFIED"
    NOT_JUSTIFIED = "NOT_JUSTIFIED"


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a person opened a category: a kind, words, and (for the police) a report number."""

    kind: ReasonKind
    text: str
    reference: str | None


@dataclass(frozen=True, slots=True)
class Grant:
    id: uuid.UUID
    case_id: uuid.UUID
    child_id: uuid.UUID
    organisation_id: str
    sub: str
    category: str
    reason: Reason
    granted_at: datetime
    expires_at: datetime
    reviewed_at: datetime | None
    verdict: Verdict | None
    review_note: str | None
    reviewed_by_sub: str | None
    reviewed_by_org: str | None
