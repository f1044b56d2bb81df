"""The data categories of DOMAIN.md: every shared field belongs to exactly one."""

from __future__ import annotations

from enum import StrEnum


class DataCategory(StrEnum):
    CASE_STATUS = "CASE_STATUS"
    IDENTITY = "IDENTITY"
    DESCRIPTION = "DESCRIPTION"
    CONTACTS = "CONTACTS"
    PLACEMENT = "PLACEMENT"
    ASYLUM = "ASYLUM"
    HEALTH = "HEALTH"
    RISK = "RISK"
    SIGHTINGS = "SIGHTINGS"
    RETURN_INTERVIEW = "RETURN_INTERVIEW"
