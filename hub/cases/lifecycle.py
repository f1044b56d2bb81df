"""The case state machine of the county plan.

ABSENT ──► REPORTED_MISSING ──► FOUND ──► FOLLOW_UP ──► CLOSED
   └──────────────────────────► FOUND
REPORTED_MISSING ──► CLOSED (unresolved after review / turned 18 / left Sweden)
"""

from __future__ import annotations

from hub.cases.models import CaseStatus as S
from hub.errors import InvalidTransition
from hub.policy.actions import Action
from hub.policy.states import MISSING

MOVES: dict[S, frozenset[S]] = {
    S.ABSENT: frozenset({S.REPORTED_MISSING, S.FOUND}),
    S.REPORTED_MISSING: frozenset({S.FOUND, S.CLOSED}),
    S.FOUND: frozenset({S.FOLLOW_UP}),
    S.FOLLOW_UP: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
}

# Migrationsverket's avviken is a fact, not a state: it can be recorded while missing.
AVVIKEN_STATES = MISSING
SIGHTING_STATES = MISSING


def check(current: S, wanted: S) -> None:
    if wanted not in MOVES[current]:
        allowed = ", ".join(sorted(m.value for m in MOVES[current])) or "none (the case is closed)"
        raise InvalidTransition(
            f"a case in {current.value} cannot move to {wanted.value}; allowed: {allowed}",
            **{
                "from": current.value,
                "to": wanted.value,
                "allowed": sorted(m.value for m in MOVES[current]),
            },
        )


# each lifecycle action and the state it moves the case to (None: a fact, no move)
_ACTIONS: dict[Action, S | None] = {
    Action.REPORT_MISSING_TO_POLICE: S.REPORTED_MISSING,
    Action.REGISTER_AVVIKEN: None,
    Action.ADD_SIGHTING: None,
    Action.REPORT_FOUND: S.FOUND,
    Action.RECORD_RETURN_INTERVIEW: S.FOLLOW_UP,
    Action.CLOSE_CASE: S.CLOSED,
}
_FACT_STATES = {Action.REGISTER_AVVIKEN: AVVIKEN_STATES, Action.ADD_SIGHTING: SIGHTING_STATES}


def possible_actions(current: S) -> list[Action]:
    """The lifecycle actions a case in `current` admits, whoever asks."""
    return [
        action
        for action, to in _ACTIONS.items()
        if (current in _FACT_STATES[action] if to is None else to in MOVES[current])
    ]
