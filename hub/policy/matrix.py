"""The whole decision matrix, written out: the expectations table beside the policy.

Every combination of kind, relation, category, purpose, consent and emergency, with
the case states in which it is allowed. `hub policy matrix --write` regenerates
`policies/expectations.csv`; a test fails when the policy and the table disagree, and
its diff shows exactly which decisions a policy edit changed.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from hub.organisations.models import OrganisationKind
from hub.policy.categories import DataCategory
from hub.policy.enforcer import DecisionKey, Enforcer
from hub.policy.rules import POLICY_DIR, Relation
from hub.policy.scope import STATES

EXPECTATIONS = POLICY_DIR / "expectations.csv"
HEADER = "kind,relation,category,purpose,consent,emergency,allowed_in_states"


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


def write(enforcer: Enforcer, path: Path = EXPECTATIONS) -> int:
    lines = matrix_lines(enforcer)
    path.write_text("\n".join(lines) + "\n")
    return len(lines) - 1
