"""Row scope: which children and cases a principal may see at all.

Only this package makes a `RowScope`; repository list and get methods require one, so
the type checker refuses a query that forgot to ask the policy. The scope is a set of
bound parameters for one SQL predicate (see the repositories): for each relation the
principal's organisation can have to a child, the case states in which rows show.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NewType

# `NONE` is the state of a child without an open case.
STATES = ("NONE", "ABSENT", "REPORTED_MISSING", "FOUND", "FOLLOW_UP", "CLOSED")


@dataclass(frozen=True, slots=True)
class ScopeParams:
    organisation_id: str
    sub: str
    responsible_states: tuple[str, ...]
    residence_states: tuple[str, ...]
    guardian_states: tuple[str, ...]
    other_states: tuple[str, ...]
    consent_states: tuple[str, ...]

    def sql_args(self) -> tuple[object, ...]:
        """Arguments $1..$7 of the scope predicate, in order."""
        return (
            self.organisation_id,
            self.sub,
            list(self.responsible_states),
            list(self.residence_states),
            list(self.guardian_states),
            list(self.other_states),
            list(self.consent_states),
        )


RowScope = NewType("RowScope", ScopeParams)
