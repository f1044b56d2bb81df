from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class OrganisationKind(StrEnum):
    MUNICIPALITY = "MUNICIPALITY"
    RESIDENCE = "RESIDENCE"
    POLICE = "POLICE"
    MIGRATION_AGENCY = "MIGRATION_AGENCY"
    GUARDIANSHIP = "GUARDIANSHIP"
    NGO = "NGO"
    COUNTY_BOARD = "COUNTY_BOARD"


@dataclass(frozen=True, slots=True)
class Organisation:
    id: str
    kind: OrganisationKind
    name: str
    municipality_id: str | None = None


@dataclass(frozen=True, slots=True)
class ContactPoint:
    """Whom to call at an organisation, e.g. a municipality's socialjour. Organisational
    data, visible to every member of the network."""

    label: str
    phone: str | None
    email: str | None
    hours: str | None
    on_call: bool
