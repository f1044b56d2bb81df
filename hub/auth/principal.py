from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from hub.organisations.models import Organisation


class Role(StrEnum):
    CASEWORKER = "caseworker"
    OFFICER = "officer"
    STAFF = "staff"
    GUARDIAN = "guardian"
    COORDINATOR = "coordinator"
    AUDITOR = "auditor"
    ADMIN = "admin"


class Purpose(StrEnum):
    PROTECTION = "protection"
    ENFORCEMENT = "enforcement"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: a person or system of one organisation, with roles and a purpose."""

    sub: str
    organisation: Organisation
    roles: frozenset[Role]
    purpose: Purpose
    expires_at: datetime
    name: str | None = None

    @property
    def organisation_id(self) -> str:
        return self.organisation.id
