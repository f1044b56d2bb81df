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


class TaskStatus(StrEnum):
    OPEN = "OPEN"
    DONE = "DONE"
    CANCELLED = "CANCELLED"


@dataclass(frozen=True, slots=True)
class TaskTemplate:
    key: str
    title: str
    responsible: str  # a relation (responsible_municipality, residence) or an organisation id
    deadline: timedelta
    done_when: str | None = None

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

    def overdue(self, now: datetime) -> bool:
        return self.status is TaskStatus.OPEN and self.due_at < now


@dataclass(frozen=True, slots=True)
class NewTask:
    child_id: uuid.UUID
    case_id: uuid.UUID | None
    template: TaskTemplate
    responsible_organisation_id: str
    created_at: datetime
