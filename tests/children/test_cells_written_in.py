"""The compiled reads write a policy key's cells into their statements (`with_cells`).

That the predicate so written shows the same rows as the one with parameters, for every
principal and category, is proven in tests/policy/test_scope.py; here, how it is written.
"""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta

import pytest

from hub.auth.principal import Principal, Purpose, Role
from hub.cases import compiled_repository as cases
from hub.children import compiled_repository as children
from hub.children.repository import scope_predicate, with_cells
from hub.db.pool import MAX_CACHED_STATEMENT
from hub.organisations.models import Organisation, OrganisationKind
from hub.policy.categories import DataCategory
from hub.policy.engine import Policy

CONSENTS = "cs.categories"


def test_the_other_parameters_are_numbered_on_in_their_order() -> None:
    sql = f"SELECT $1, $2 WHERE {scope_predicate('$3')} AND id = $4 AND {scope_predicate('$5')}"
    written = with_cells(sql, {3: ("none:ABSENT",), 5: ()}, consents=CONSENTS)
    assert set(re.findall(r"\$\d+", written)) == {"$1", "$2", "$3"}
    assert written.endswith("AND id = $3 AND (\n       false\n)")


def test_each_comparison_holds_only_the_cells_it_can_match() -> None:
    cells = ("guardian", "guardian:ABSENT", "none+:FOUND:IDENTITY")
    written = with_cells(scope_predicate("$3"), {3: cells}, consents=CONSENTS)
    assert "$2 AND true THEN 'guardian'" in written
    assert "st = ANY(ARRAY['guardian:ABSENT'])" in written
    assert "FROM unnest(cs.categories) cc" in written
    assert "cc = ANY(ARRAY['none+:FOUND:IDENTITY'])" in written
    assert "valid_consents" not in written


def test_without_cells_opened_by_consent_no_consent_is_looked_at() -> None:
    written = with_cells(scope_predicate("$3"), {3: ("residence:ABSENT",)}, consents=CONSENTS)
    assert "valid_consents" not in written
    assert CONSENTS not in written
    assert "AND false THEN 'guardian'" in written


@pytest.mark.parametrize("cell", ["none:ABSENT'; DROP TABLE cases; --", "x:Y) OR (true", ""])
def test_anything_but_a_cell_is_refused(cell: str) -> None:
    with pytest.raises(ValueError, match="not a cell"):
        with_cells(scope_predicate("$3"), {3: ("none:ABSENT", cell)}, consents=CONSENTS)


def test_a_cells_parameter_used_outside_a_scope_predicate_is_refused() -> None:
    sql = f"SELECT $3::text[] WHERE {scope_predicate('$3')}"
    with pytest.raises(ValueError, match="outside a scope predicate"):
        with_cells(sql, {3: ()}, consents=CONSENTS)


def test_every_compiled_statement_of_every_policy_key_stays_prepared() -> None:
    """asyncpg parses and plans again at every use a statement longer than it caches."""
    policy = Policy()
    expires = datetime.now(UTC) + timedelta(minutes=5)
    leading = ("id", "child_id", "opened_at")
    case = cases.Layout.of(
        (*leading, *(c for c in cases.CASE_COLUMNS if c not in leading)),
        cases.CHILD_COLUMNS,
        page=True,
        sightings=True,
        tasks=True,
    )
    ordered = ("id", "created_at")
    every = (*ordered, *(c for c in cases.CHILD_COLUMNS if c not in ordered))
    child = cases.Layout.of((), every, page=True, sightings=False, root="Child")
    longest = 0
    for kind, purpose, role in itertools.product(OrganisationKind, Purpose, Role):
        organisation = Organisation(f"some-{kind.value.lower()}", kind, "Some")
        principal = Principal("someone", organisation, frozenset({role}), purpose, expires)
        scope = policy.scope(principal)
        status, placement = (
            scope.by_category[c] for c in (DataCategory.CASE_STATUS, DataCategory.PLACEMENT)
        )
        statements = [
            cases._one(case, status, scope.cells),
            children._child(child, scope.cells),
            *(cases._page(case, after, status, scope.cells) for after in (False, True)),
            *(
                children._children(child, after, scope.cells, status, placement)
                for after in (False, True)
            ),
        ]
        longest = max(longest, *(len(s.encode()) for s in statements))
    assert 10_000 < longest <= MAX_CACHED_STATEMENT
