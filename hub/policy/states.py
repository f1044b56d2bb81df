"""The case states of the county plan, once: the lifecycle, the sharing conditions, the
row scope and the routines all name them from here.

ABSENT ──► REPORTED_MISSING ──► FOUND ──► FOLLOW_UP ──► CLOSED
"""

from __future__ import annotations

from enum import StrEnum


class CaseStatus(StrEnum):
    ABSENT = "ABSENT"
    REPORTED_MISSING = "REPORTED_MISSING"
    FOUND = "FOUND"
    FOLLOW_UP = "FOLLOW_UP"
    CLOSED = "CLOSED"


# The state a child's rows are judged in when it has no open case.
NO_CASE = "NONE"
# the child is away: the police and other municipalities act ("while_missing")
MISSING = frozenset({CaseStatus.ABSENT, CaseStatus.REPORTED_MISSING})
OPEN = MISSING | {CaseStatus.FOUND, CaseStatus.FOLLOW_UP}
ANY_CASE = frozenset(CaseStatus)
# every state a sharing rule may be asked about, in the plan's order
POLICY_STATES: tuple[str, ...] = (NO_CASE, *(s.value for s in CaseStatus))
