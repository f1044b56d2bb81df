"""The whole decision matrix, written out: the expectations table beside the policy.

Every combination of kind, relation, category, purpose, consent and emergency, with
the case states in which it is allowed. `hub policy matrix --write` regenerates
`policies/expectations.csv` and, for actions.csv, `policies/action_expectations.csv`; a
test fails when the policy and a table disagree, and its diff shows exactly which
decisions a policy edit changed.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from hub.organisations.models import OrganisationKind
from hub.policy.actions import Action
from hub.policy.categories import DataCategory
from hub.policy.enforcer import DecisionKey, Enforcer
from hub.policy.rules import POLICY_DIR, Relation
from hub.policy.scope import STATES

EXPECTATIONS = POLICY_DIR / "expectations.csv"
HEADER = "kind,relation,category,purpose,consent,emergency,allowed_in_states"
ACTION_EXPECTATIONS = POLICY_DIR / "action_expectations.csv"
ACTION_HEADER = "action,kind,allowed_for_relations"


def matrix_lines(enforcer: Enforcer) -> list[str]:
    lines = [HEADER]
    for kind, relation, category, purpose, consent, emergency in itertools.product(
        OrganisationKind,
        Relation,
        DataCategory,
        ("protection", "enforcement"),
        (False, True),
        (False, True),
    ):
        allowed = [
            state
            for state in STATES
            if enforcer.decide(
                DecisionKey(
                    kind.value, relation.value, category.value, state, consent, emergency, purpose
                )
            ).allowed
        ]
        lines.append(
            ",".join(
                [
                    kind.value,
                    relation.value,
                    category.value,
                    purpose,
                    "consent" if consent else "-",
                    "emergency" if emergency else "-",
                    " ".join(allowed) or "never",
                ]
            )
        )
    return lines


def action_lines(enforcer: Enforcer) -> list[str]:
    """Every action and organisation kind, with the relations to the child it is allowed
    for (actions.csv); a new action or a changed rule shows as a changed line."""
    lines = [ACTION_HEADER]
    for action, kind in itertools.product(Action, OrganisationKind):
        allowed = [r.value for r in Relation if enforcer.may(kind.value, r.value, action.value)]
        lines.append(f"{action.value},{kind.value},{' '.join(allowed) or 'never'}")
    return lines


TABLES = ((EXPECTATIONS, matrix_lines), (ACTION_EXPECTATIONS, action_lines))


def differing(enforcer: Enforcer) -> list[Path]:
    """The expectation tables that no longer match the policy."""
    return [path for path, lines in TABLES if path.read_text().splitlines() != lines(enforcer)]


def write(enforcer: Enforcer) -> int:
    """Both tables anew; how many decisions they hold."""
    written = 0
    for path, lines in TABLES:
        table = lines(enforcer)
        path.write_text("\n".join(table) + "\n")
        written += len(table) - 1
    return written
