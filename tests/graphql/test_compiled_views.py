"""The masks the compiled path applies equal the enforcer's decision at every point of the
decision space: for every policy key (kind of organisation, purpose, god man or not), every
relation the key can have to a row, every state, every category, with and without a
consent covering it and an emergency grant opening it, the view made from a statement's
row (`row_view`: its facts as the statement hands them over, consents and grants as
comma-separated text, NULL or empty for none) discloses exactly what the enforcer allows,
on its basis, withholds the rest with its reason, and flags what only the emergency grant
opened."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from hub.auth.principal import Principal, Purpose, Role
from hub.graphql.compiled.request import row_view
from hub.organisations.models import Organisation, OrganisationKind
from hub.policy.categories import DataCategory
from hub.policy.enforcer import DecisionKey
from hub.policy.engine import Policy
from hub.policy.rules import Relation
from hub.policy.states import POLICY_STATES

ORG = "org-1"
SUB = "person-1"


def _principal(kind: OrganisationKind, purpose: Purpose, guardian: bool) -> Principal:
    roles = frozenset({Role.GUARDIAN if guardian else Role.CASEWORKER})
    return Principal(SUB, Organisation(ORG, kind, "Org"), roles, purpose, datetime.now(UTC))


def _relations(kind: OrganisationKind, guardian: bool) -> dict[Relation, tuple[Any, ...]]:
    """The relations this key can have to a row, each with row facts that make it."""
    found: dict[Relation, tuple[Any, ...]] = {Relation.NONE: ("elsewhere", None, "someone-else")}
    if kind is OrganisationKind.MUNICIPALITY:
        found[Relation.RESPONSIBLE_MUNICIPALITY] = (ORG, None, None)
    if kind is OrganisationKind.RESIDENCE:
        found[Relation.RESIDENCE] = ("elsewhere", ORG, None)
    if kind is OrganisationKind.GUARDIANSHIP and guardian:
        found[Relation.GUARDIAN] = ("elsewhere", None, SUB)
    return found


def test_compiled_views_equal_the_enforcer_at_every_point_of_the_decision_space() -> None:
    policy = Policy()
    checked = 0
    for kind, purpose, guardian in itertools.product(OrganisationKind, Purpose, (False, True)):
        principal = _principal(kind, purpose, guardian)
        memo: dict[tuple[Any, ...], Any] = {}
        for relation, facts in _relations(kind, guardian).items():
            points = itertools.product(POLICY_STATES, DataCategory, (False, True), (False, True))
            for n, (state, category, consent, emergency) in enumerate(points):
                none = None if n % 2 else ""  # NULL, or an empty array's text
                # with another category beside it, as a consent of several lists them
                consented = ",".join(sorted({category.value, "CASE_STATUS"})) if consent else none
                granted = category.value if emergency else none
                view = row_view(policy, principal, (*facts, state, consented, granted), 0, memo)
                key = DecisionKey(
                    kind.value,
                    relation.value,
                    category.value,
                    state,
                    consent,
                    emergency,
                    purpose.value,
                )
                decision = policy.enforcer.decide(key)
                assert view.allows(category) is decision.allowed, key
                if decision.allowed:
                    assert view.bases[category] == (decision.basis or ""), key
                    without = policy.enforcer.decide(replace(key, emergency=False))
                    assert (category in view.emergency) is (emergency and not without.allowed)
                else:
                    reasons = {w.category: w.reason for w in view.withheld}
                    assert reasons[category] == decision.reason, key
                checked += 1
    assert checked > 5_000  # every key, relation, state, category, consent, grant


def test_an_auditors_compiled_view_discloses_nothing() -> None:
    policy = Policy()
    auditor = Principal(
        SUB,
        Organisation(ORG, OrganisationKind.MUNICIPALITY, "Org"),
        frozenset({Role.AUDITOR}),
        Purpose.PROTECTION,
        datetime.now(UTC),
    )
    row = (ORG, None, None, "ABSENT", ",".join(c.value for c in DataCategory), None)
    view = row_view(policy, auditor, row, 0, {})
    assert not view.allowed
    assert {w.category for w in view.withheld} == set(DataCategory)
