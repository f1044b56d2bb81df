from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Trigger(StrEnum):
    CHILD_REGISTERED = "CHILD_REGISTERED"
    RISK_SIGNS = "RISK_SIGNS"
    ABSENT = "ABSENT"
    REPORTED_MISSING = "REPORTED_MISSING"
    FOUND = "FOUND"
    FOLLOW_UP = "FOLLOW_UP"
    CONTACT_REPORTED = "CONTACT_REPORTED"


class TaskStatus(StrEnum):
    OPEN = "OPEN"
    DONE = "DONE"
    CANCELLED = "CANCELLED"  # before migration 0012: closed with the case, no reason kept
    NOT_NEEDED = "NOT_NEEDED"  # the case no longer needs it; closed_reason says why


@dataclass(frozen=True, slots=True)
class EscalationStep:
    """After `after` past the deadline, an open task is put before `to`: responsible (its
    holder), on_call (the holder's on-call contact points, by e-mail),
    responsible_municipality (the child's social services), or an organisation id."""

    after: timedelta
    to: str

    def as_json(self) -> dict[str, object]:
        return {"afterMinutes": int(self.after.total_seconds() // 60), "to": self.to}


@dataclass(frozen=True, slots=True)
class TaskTemplate:
    key: str
    title: str
    responsible: str  # a relation (responsible_municipality, residence, guardian) or an org id
    deadline: timedelta
    done_when: str | None = None  # the fact that completes it
    not_needed_when: tuple[str, ...] = ()  # facts that make it moot (closed NOT_NEEDED)
    escalation: tuple[EscalationStep, ...] = ()

    @property
    def due_soon(self) -> timedelta:
        """How long before the deadline a task counts as due: half its time, at most 1 h."""
        return min(timedelta(hours=1), self.deadline / 2)


@dataclass(frozen=True, slots=True)
class Task:
    id: uuid.UUID
    child_id: uuid.UUID
    case_id: uuid.UUID | None
    routine: str
    title: str
    responsible_organisation_id: str
    created_at: datetime
    due_at: datetime
    status: TaskStatus
    completed_at: datetime | None
    closed_reason: str | None = None
    responsible_sub: str | None = None  # one person's task (the god man's), else None

    def overdue(self, now: datetime) -> bool:
        return self.status is TaskStatus.OPEN and self.due_at < now


@dataclass(frozen=True, slots=True)
class NewTask:
    child_id: uuid.UUID
    case_id: uuid.UUID | None
    template: TaskTemplate
    responsible_organisation_id: str
    responsible_sub: str | None
    created_at: datetime
