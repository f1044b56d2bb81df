from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from hub.auth.principal import Principal


class EventType(StrEnum):
    CHILD_REGISTERED = "CHILD_REGISTERED"
    DESCRIPTION_UPDATED = "DESCRIPTION_UPDATED"
    RISK_ASSESSED = "RISK_ASSESSED"
    CASE_OPENED = "CASE_OPENED"
    STATUS_CHANGED = "STATUS_CHANGED"
    AVVIKEN_REGISTERED = "AVVIKEN_REGISTERED"
    SIGHTING_ADDED = "SIGHTING_ADDED"
    TASK_CREATED = "TASK_CREATED"
    TASK_DUE = "TASK_DUE"
    TASK_OVERDUE = "TASK_OVERDUE"
    TASK_COMPLETED = "TASK_COMPLETED"
    CONSENT_CHANGED = "CONSENT_CHANGED"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    EMERGENCY_ACCESS = "EMERGENCY_ACCESS"


@dataclass(frozen=True, slots=True)
class NewEvent:
    """A change to record. The payload holds ids and states only, never personal data."""

    type: EventType
    child_id: uuid.UUID
    case_id: uuid.UUID | None
    actor_organisation_id: str | None
    actor_sub: str | None
    payload: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def by(
        cls,
        actor: Principal | None,
        kind: EventType,
        *,
        child_id: uuid.UUID,
        case_id: uuid.UUID | None,
        **payload: Any,
    ) -> NewEvent:
        """An event done by `actor` (None: the hub itself, e.g. the scheduler)."""
        return cls(
            type=kind,
            child_id=child_id,
            case_id=case_id,
            actor_organisation_id=actor.organisation_id if actor else None,
            actor_sub=actor.sub if actor else None,
            payload=payload,
        )


@dataclass(frozen=True, slots=True)
class CaseEvent:
    id: int
    type: EventType
    child_id: uuid.UUID
    case_id: uuid.UUID | None
    actor_organisation_id: str | None
    occurred_at: datetime
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    event_id: int
    organisation_id: str
    acknowledged_at: datetime
