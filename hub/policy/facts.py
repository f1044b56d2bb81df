from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RowFacts:
    """What the policy needs to know of one child or case row, read with the row itself.

    `consented` and `emergency` are for the asking principal: the categories a valid
    consent opens to its organisation, and those its emergency access opens to it.
    """

    responsible_municipality_id: str
    residence_id: str | None
    guardian_sub: str | None
    state: str
    consented: frozenset[str] = frozenset()
    emergency: frozenset[str] = frozenset()
