"""Filters, counts, cases and events act only on what the caller may read of each row.

The scope is SQL (cells enumerated from the enforcer); the view is the enforcer itself.
The first test proves them equal on every seeded child and case, for a principal of
every kind; the others play the leaks that were found, over HTTP.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from hub.auth.principal import Principal, Purpose, Role
from hub.cases import compiled_repository as case_rows
from hub.cases import repository as cases
from hub.cases.compiled_repository import Layout
from hub.children import compiled_repository as child_rows
from hub.children import repository as children
from hub.policy.categories import DataCategory
from hub.policy.engine import Policy
from hub.policy.scope import RowScope
from tests.conftest import RunningHub
from tests.events.wsclient import subscribe
from tests.policy.test_sharing_over_http import MISSING_CASE, MISSING_CHILD, _responsible

GRANT = """mutation($input: GrantConsentInput!) { grantConsent(input: $input) {
    consent { id } } }"""
SIGHTING = """mutation($input: AddSightingInput!) { addSighting(input: $input) { case { id } } }"""

PRINCIPALS = [
    ("polisen-stockholm", Role.OFFICER, Purpose.PROTECTION),
    ("polisen-stockholm", Role.OFFICER, Purpose.ENFORCEMENT),
    ("migrationsverket", Role.CASEWORKER, Purpose.ENFORCEMENT),
    ("nacka", Role.CASEWORKER, Purpose.PROTECTION),
    ("stockholm", Role.CASEWORKER, Purpose.PROTECTION),
    ("hvb-solbacken", Role.STAFF, Purpose.PROTECTION),
    ("overformyndare-stockholm", Role.GUARDIAN, Purpose.PROTECTION),
    ("stadsmissionen", Role.STAFF, Purpose.PROTECTION),
    ("radda-barnen", Role.STAFF, Purpose.PROTECTION),
    ("lansstyrelsen-stockholm", Role.COORDINATOR, Purpose.PROTECTION),
]


async def _consents(db: asyncpg.Connection, child_ids: list[uuid.UUID]) -> None:
    """Consents of every shape to both NGOs, so the consent cells are exercised."""
    subsets = [["DESCRIPTION"], ["CASE_STATUS"], ["IDENTITY", "SIGHTINGS"], ["PLACEMENT"]]
    for n, child_id in enumerate(child_ids[::3]):
        recipient = ("stadsmissionen", "radda-barnen")[n % 2]
        await db.execute(
            "INSERT INTO consents (child_id, recipient_organisation_id, categories,"
            " granted_by_sub, granted_by_organisation_id) VALUES ($1, $2, $3, 'test', 'nacka')",
            child_id,
            recipient,
            subsets[n % len(subsets)],
        )


async def test_the_sql_scope_shows_a_row_exactly_where_the_enforcer_allows_a_category(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    runtime = hub.runtime
    policy: Policy = runtime.policy
    unscoped = Policy(policy.enforcer, bypass=True)  # every row, with the asker's facts
    child_ids = [r["id"] for r in await db.fetch("SELECT id FROM children ORDER BY id")]
    case_ids = [r["id"] for r in await db.fetch("SELECT id FROM cases ORDER BY id")]
    await _consents(db, child_ids)
    god_man = await db.fetchval("SELECT min(guardian_sub) FROM children")
    expires = datetime.now(UTC) + timedelta(minutes=5)
    checked = 0
    for org_id, role, purpose in PRINCIPALS:
        sub = god_man if role is Role.GUARDIAN else f"{role}@{org_id}"
        organisation = await runtime.registry.get(org_id)
        assert organisation is not None
        principal = Principal(sub, organisation, frozenset({role}), purpose, expires)
        scope = policy.scope(principal)
        all_children = await children.by_ids(db, unscoped.scope(principal), child_ids)
        views = {i: _readable(policy, principal, c.facts) for i, c in all_children.items()}
        shown = set(await children.by_ids(db, scope, child_ids))
        assert shown == {i for i, v in views.items() if v}, (org_id, purpose)
        assert await _compiled_children(db, scope) == shown
        for category in DataCategory:
            one = scope.for_category(category)
            in_scope = set(await children.by_ids(db, one, child_ids))
            assert in_scope == {i for i, v in views.items() if category in v}, (org_id, category)
            assert await _compiled_children(db, one) == in_scope
            checked += len(child_ids)
        all_cases = await cases.by_ids(db, unscoped.scope(principal), case_ids)
        status = scope.for_category(DataCategory.CASE_STATUS)
        shown_cases = set(await cases.by_ids(db, status, case_ids))
        assert shown_cases == {
            i
            for i, k in all_cases.items()
            if DataCategory.CASE_STATUS in _readable(policy, principal, k.facts)
        }, (org_id, purpose)
        assert await _compiled_cases(db, status) == shown_cases
        checked += len(case_ids)
    assert checked > 10_000


async def _compiled_children(db: asyncpg.Connection, scope: RowScope) -> set[uuid.UUID]:
    """The children in `scope` by the compiled reads' statement, with its cells written in
    (`children.with_cells`)."""
    layout = Layout.of((), ("id", "created_at"), page=True, sightings=False, root="Child")
    by = scope.by_category
    sql = child_rows._children(
        layout, False, scope.cells, by[DataCategory.CASE_STATUS], by[DataCategory.PLACEMENT]
    )
    rows = await db.fetch(sql, scope.organisation_id, scope.sub, None, None, None, None, 10_000)
    return {r["id"] for r in rows}


async def _compiled_cases(db: asyncpg.Connection, scope: RowScope) -> set[uuid.UUID]:
    """The cases in `scope` by the compiled reads' statement, as `_compiled_children`."""
    layout = Layout.of(("id", "child_id", "opened_at"), None, page=True, sightings=False)
    sql = case_rows._page(layout, False, scope.cells, ())
    rows = await db.fetch(sql, scope.organisation_id, scope.sub, [], None, None, None, 10_000)
    return {r["id"] for r in rows}


def _readable(policy: Policy, principal: Principal, facts: Any) -> set[DataCategory]:
    """What the enforcer lets the principal read of a row, emergency access aside."""
    view = policy.view(principal, facts)
    return set(view.allowed - view.emergency)


async def _grant(hub: RunningHub, child_id: str, to: str, categories: list[str]) -> None:
    municipality = hub.token(await _responsible(hub, child_id))
    await hub.query(
        municipality,
        GRANT,
        input={"childId": child_id, "recipientOrganisationId": to, "categories": categories},
    )


async def _residence(db: asyncpg.Connection, child_id: str) -> str:
    return str(
        await db.fetchval("SELECT residence_id FROM children WHERE id = $1", uuid.UUID(child_id))
    )


COUNTS = """query($residence: ID, $municipality: ID) {
    all: children { totalCount }
    placed: children(filter: {residenceId: $residence}) { totalCount }
    owned: children(filter: {responsibleMunicipalityId: $municipality}) { totalCount }
    open: children(filter: {hasOpenCase: true}) { totalCount }
    cases { totalCount }
    missing: cases(filter: {status: [REPORTED_MISSING]}) { totalCount }
}"""


async def test_an_ngo_with_a_description_consent_learns_no_residence_status_or_case(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    await _grant(hub, MISSING_CHILD, "stadsmissionen", ["DESCRIPTION"])
    ngo = hub.token("stadsmissionen", "staff")
    residence = await _residence(db, MISSING_CHILD)
    municipality = await _responsible(hub, MISSING_CHILD)
    counts = await hub.query(ngo, COUNTS, residence=residence, municipality=municipality)
    assert {k: v["totalCount"] for k, v in counts.items()} == {
        "all": 1,  # the child, for its description
        "placed": 0,
        "owned": 0,
        "open": 0,
        "cases": 0,
        "missing": 0,
    }
    case = await hub.query(ngo, "query($id: ID!) { case(id: $id) { id version } }", id=MISSING_CASE)
    assert case["case"] is None

    await _grant(hub, MISSING_CHILD, "stadsmissionen", ["CASE_STATUS"])
    counts = await hub.query(ngo, COUNTS, residence=residence, municipality=municipality)
    assert {k: v["totalCount"] for k, v in counts.items()} == {
        "all": 1,
        "placed": 0,  # PLACEMENT is never an NGO's, whatever the consent
        "owned": 1,
        "open": 1,
        "cases": 1,
        "missing": 1,
    }


async def test_another_municipality_cannot_find_where_a_missing_child_lives(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    residence = await _residence(db, MISSING_CHILD)
    responsible = await _responsible(hub, MISSING_CHILD)
    other = next(m for m in ("stockholm", "sigtuna", "nacka") if m != responsible)
    query = """query($r: ID) { children(first: 500, filter: {residenceId: $r}) {
        edges { node { id } } } }"""

    async def placed_there(token: str) -> set[str]:
        found = await hub.query(token, query, r=residence)
        return {e["node"]["id"] for e in found["children"]["edges"]}

    assert MISSING_CHILD in await placed_there(hub.token(responsible))
    assert MISSING_CHILD not in await placed_there(hub.token(other))
    seen = await hub.query(
        hub.token(other), "query($id: ID!) { child(id: $id) { id } }", id=MISSING_CHILD
    )
    assert seen["child"] is not None  # they do see the child while missing, not its home


async def test_an_ngo_hears_no_event_of_a_case_whose_status_it_may_not_read(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    other = await db.fetchrow(
        "SELECT k.id, k.child_id FROM cases k WHERE k.status = 'REPORTED_MISSING' AND k.id <> $1"
        " LIMIT 1",
        uuid.UUID(MISSING_CASE),
    )
    assert other is not None
    sentinel_case, sentinel_child = str(other["id"]), str(other["child_id"])
    await _grant(hub, MISSING_CHILD, "stadsmissionen", ["DESCRIPTION", "IDENTITY"])
    await _grant(hub, sentinel_child, "stadsmissionen", ["CASE_STATUS"])
    ngo = hub.token("stadsmissionen", "staff")
    police = hub.token("polisen-stockholm", "officer")
    async with subscribe(hub, ngo, after="1") as events:
        for case_id in (MISSING_CASE, sentinel_case):
            now = datetime.now(UTC).isoformat()
            sighting = {"caseId": case_id, "seenAt": now, "place": "Sergels torg"}
            await hub.query(police, SIGHTING, input=sighting)
        while True:  # every event up to the sentinel's sighting, in order
            event = await events.next()
            assert event["case"]["id"] == sentinel_case, event
            if event["type"] == "SIGHTING_ADDED":
                break
