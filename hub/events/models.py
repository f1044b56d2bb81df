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
    TASK_ESCALATED = "TASK_ESCALATED"
    TASK_COMPLETED = "TASK_COMPLETED"
    CONSENT_CHANGED = "CONSENT_CHANGED"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    EMERGENCY_ACCESS = "EMERGENCY_ACCESS"
    POLICE_ASSESSED = "POLICE_ASSESSED"
    ALERT_ISSUED = "ALERT_ISSUED"
    ALERT_CANCELLED = "ALERT_CANCELLED"
    RETURN_REGISTERED = "RETURN_REGISTERED"
    TASK_NOT_NEEDED = "TASK_NOT_NEEDED"
    CHILD_MOVED = "CHILD_MOVED"
    TRANSFER_REQUESTED = "TRANSFER_REQUESTED"
    TRANSFER_ACCEPTED = "TRANSFER_ACCEPTED"
    TRANSFER_DECLINED = "TRANSFER_DECLINED"
    GUARDIAN_APPOINTED = "GUARDIAN_APPOINTED"
    TURNED_18 = "TURNED_18"
    CONTACT_REPORTED = "CONTACT_REPORTED"


@dataclass(frozen=True, slots=True)
class Person:
    """Who acted: a staff member's name (from the token) and role, and the organisation."""

    name: str | None
    role: str | None
    organisation_id: str | None

    @classmethod
    def of(cls, principal: Principal | None) -> Person:
        if principal is None:
            return cls(None, None, None)
        role = min(r.value for r in principal.roles) if principal.roles else None
        return cls(principal.name, role, principal.organisation_id)


@dataclass(frozen=True, slots=True)
class NewEvent:
    """A change to record. The payload holds ids and states only, never personal data."""

    type: EventType
    child_id: uuid.UUID
    case_id: uuid.UUID | None
    actor_organisation_id: str | None
    actor_sub: str | None
    payload: dict[str, Any] = field(default_factory=dict)
    actor_name: str | None = None
    actor_role: str | None = None
    reason: str | None = None

    @classmethod
    def by(
        cls,
        actor: Principal | None,
        kind: EventType,
        *,
        child_id: uuid.UUID,
        case_id: uuid.UUID | None,
        reason: str | None = None,
        **payload: Any,
    ) -> NewEvent:
        """An event done by `actor` (None: the hub itself, e.g. the scheduler)."""
        person = Person.of(actor)
        return cls(
            type=kind,
            child_id=child_id,
            case_id=case_id,
            actor_organisation_id=person.organisation_id,
            actor_sub=actor.sub if actor else None,
            payload=payload,
            actor_name=person.name,
            actor_role=person.role,
            reason=reason,
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
    actor_name: str | None = None
    actor_role: str | None = None
    reason: str | None = None

    @property
    def by(self) -> Person:
        return Person(self.actor_name, self.actor_role, self.actor_organisation_id)


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    event_id: int
    organisation_id: str
    acknowledged_at: datetime
