"""The sharing matrix end to end over HTTP, as each agency would meet it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from hub.demo.seed import _id
from tests.conftest import RunningHub

# child 17: REPORTED_MISSING, responsible nacka... (see hub/demo/seed.py)
MISSING_CHILD, MISSING_CASE = str(_id("child", 17)), str(_id("case", 17))
CLOSED_CASE, CLOSED_CHILD = str(_id("case", 71)), str(_id("child", 71))
QUIET_CHILD = str(_id("child", 1))  # no case at all

CHILD = """query($id: ID!) { child(id: $id) {
    id givenName description { clothing } placementAddress residence { id } riskLevel
    health asylumStatus contacts { value } withheld { category reason } } }"""
CASE = """query($id: ID!) { case(id: $id) {
    id status returnInterview sightings { place } withheld { category reason }
    child { givenName description { clothing } } } }"""


async def _child(hub: RunningHub, token: str, child_id: str) -> dict[str, Any] | None:
    data = await hub.query(token, CHILD, id=child_id)
    return data["child"]  # type: ignore[no-any-return]


def _withheld(row: dict[str, Any]) -> set[str]:
    return {w["category"] for w in row["withheld"]}


async def _responsible(hub: RunningHub, db_child: str) -> str:
    async with hub.runtime.pool.acquire() as conn:
        org = await conn.fetchval(
            "SELECT responsible_municipality_id FROM children WHERE id = $1", _uuid(db_child)
        )
    return str(org)


def _uuid(value: str) -> Any:
    import uuid

    return uuid.UUID(value)


async def test_police_see_the_description_while_missing_and_not_after_close(
    hub: RunningHub,
) -> None:
    police = hub.token("polisen-stockholm", "officer")
    missing = await _child(hub, police, MISSING_CHILD)
    assert missing is not None
    assert missing["description"]["clothing"]
    assert missing["health"] is None
    assert "HEALTH" in _withheld(missing)

    closed = (await hub.query(police, CASE, id=CLOSED_CASE))["case"]
    assert closed["status"] == "CLOSED"
    assert closed["child"] is None or closed["child"]["description"] is None


async def test_an_ngo_without_consent_sees_nothing(hub: RunningHub) -> None:
    ngo = hub.token("stadsmissionen", "staff")
    assert await _child(hub, ngo, MISSING_CHILD) is None
    assert (await hub.query(ngo, CASE, id=MISSING_CASE))["case"] is None
    cases = await hub.query(ngo, "{ cases { totalCount } children { totalCount } }")
    assert cases == {"cases": {"totalCount": 0}, "children": {"totalCount": 0}}


async def test_an_ngo_with_consent_sees_the_description_but_never_health_or_placement(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    municipality = hub.token(await _responsible(hub, MISSING_CHILD))
    grant = """mutation($input: GrantConsentInput!) { grantConsent(input: $input) {
        consent { id active categories recipient { id } } } }"""
    asked = {
        "childId": MISSING_CHILD,
        "recipientOrganisationId": "stadsmissionen",
        "categories": ["CASE_STATUS", "IDENTITY", "DESCRIPTION", "HEALTH", "PLACEMENT"],
    }
    refused = (await hub.graphql(municipality, grant, {"input": asked})).json()
    assert refused["errors"][0]["extensions"]["categories"] == ["HEALTH", "PLACEMENT"]
    granted = await hub.query(
        municipality,
        grant,
        input={**asked, "categories": ["CASE_STATUS", "IDENTITY", "DESCRIPTION"]},
    )
    consent = granted["grantConsent"]["consent"]
    assert consent["active"]
    # a consent naming them anyway (written before grantConsent refused them) opens nothing
    await db.execute(
        """INSERT INTO consents (child_id, recipient_organisation_id, categories,
               granted_by_sub, granted_by_organisation_id)
           SELECT id, 'stadsmissionen', '{HEALTH,PLACEMENT}', 'old', responsible_municipality_id
             FROM children WHERE id = $1""",
        _uuid(MISSING_CHILD),
    )

    ngo = hub.token("stadsmissionen", "staff")
    child = await _child(hub, ngo, MISSING_CHILD)
    assert child is not None
    assert child["description"]["clothing"]
    assert child["givenName"]
    assert child["health"] is None
    assert child["placementAddress"] is None
    assert child["asylumStatus"] is None
    assert child["residence"] is None
    assert {"HEALTH", "PLACEMENT", "ASYLUM"} <= _withheld(child)

    revoke = """mutation($input: RevokeConsentInput!) { revokeConsent(input: $input) {
        consent { active revokedAt } } }"""
    revoked = await hub.query(municipality, revoke, input={"consentId": consent["id"]})
    assert revoked["revokeConsent"]["consent"]["active"] is False
    assert await _child(hub, ngo, MISSING_CHILD) is None, "revocation takes effect at once"


async def test_a_non_responsible_municipality_sees_neither_placement_nor_risk(
    hub: RunningHub,
) -> None:
    responsible = await _responsible(hub, MISSING_CHILD)
    other = next(m for m in ("stockholm", "sigtuna", "nacka") if m != responsible)
    child = await _child(hub, hub.token(other), MISSING_CHILD)
    assert child is not None
    assert child["description"]["clothing"]
    assert child["placementAddress"] is None
    assert child["residence"] is None
    assert child["riskLevel"] is None
    assert {"PLACEMENT", "RISK", "HEALTH", "CONTACTS"} <= _withheld(child)
    mine = await _child(hub, hub.token(responsible), MISSING_CHILD)
    assert mine is not None
    assert mine["withheld"] == []


async def test_the_county_board_sees_no_personal_data(hub: RunningHub) -> None:
    board = hub.token("lansstyrelsen-stockholm", "coordinator")
    data = await hub.query(board, "{ cases { totalCount } children { totalCount } }")
    assert data == {"cases": {"totalCount": 0}, "children": {"totalCount": 0}}
    assert await _child(hub, board, MISSING_CHILD) is None


async def test_the_god_man_sees_everything_of_their_own_child_only(hub: RunningHub) -> None:
    async with hub.runtime.pool.acquire() as conn:
        sub = await conn.fetchval(
            "SELECT guardian_sub FROM children WHERE id = $1", _uuid(QUIET_CHILD)
        )
    guardian = hub.token("overformyndare-stockholm", "guardian", sub=sub)
    own = await _child(hub, guardian, QUIET_CHILD)
    assert own is not None
    assert own["withheld"] == []
    total = (await hub.query(guardian, "{ children { totalCount } }"))["children"]["totalCount"]
    assert total == 15  # 150 demo children, 10 god män
    stranger = hub.token("overformyndare-stockholm", "guardian", sub="godman-nobody")
    assert await _child(hub, stranger, QUIET_CHILD) is None


async def test_a_hidden_case_is_indistinguishable_from_a_missing_one(hub: RunningHub) -> None:
    ngo = hub.token("stadsmissionen", "staff")
    hidden = await hub.graphql(ngo, CASE, {"id": MISSING_CASE})
    absent = await hub.graphql(ngo, CASE, {"id": str(_id("case", 424242))})
    assert hidden.status_code == absent.status_code == 200
    assert hidden.json() == absent.json() == {"data": {"case": None}}


async def test_guessed_ids_aliases_and_nested_paths_never_reach_hidden_data(
    hub: RunningHub,
) -> None:
    responsible = await _responsible(hub, CLOSED_CHILD)
    mine = next(m for m in ("stockholm", "sigtuna") if m != responsible)
    other = hub.token(mine)
    query = """query($a: ID!, $b: ID!) {
        x: case(id: $a) { id child { cases { id returnInterview } } }
        y: child(id: $b) { id cases { id } }
        z: cases(first: 50) { edges { node { child { id cases { returnInterview
            child { id health placementAddress } } } } } } }"""
    data = await hub.query(other, query, a=CLOSED_CASE, b=CLOSED_CHILD)
    assert data["x"] is None
    assert data["y"] is None
    strangers = 0
    for edge in data["z"]["edges"]:
        child = edge["node"]["child"]
        if child is None or await _responsible(hub, child["id"]) == mine:
            continue
        for case in child["cases"] or []:
            strangers += 1
            assert case["returnInterview"] is None
            inner = case["child"]
            assert inner is None or (inner["health"] is None and inner["placementAddress"] is None)
    assert strangers > 0, "the other municipality sees other municipalities' missing children"


async def test_emergency_access_opens_one_category_for_one_person_with_a_reason(
    hub: RunningHub,
) -> None:
    police = hub.token("polisen-stockholm", "officer", sub="officer-1")
    ask = """mutation($input: RequestEmergencyAccessInput!) {
        requestEmergencyAccess(input: $input) {
            case { id child { health } withheld { category } } } }"""
    why = {"caseId": MISSING_CASE, "category": "HEALTH", "reasonKind": "LIFE_OR_HEALTH"}
    short = await hub.graphql(
        police, ask, {"input": {**why, "reason": "urgent", "reference": "K1"}}
    )
    assert short.json()["errors"][0]["extensions"] == {"code": "INVALID_INPUT", "field": "reason"}
    reason = "found unconscious at Slussen, needs medication history"
    unreferenced = await hub.graphql(police, ask, {"input": {**why, "reason": reason}})
    assert unreferenced.json()["errors"][0]["extensions"] == {
        "code": "INVALID_INPUT",
        "field": "reference",
    }

    ok = await hub.query(
        police,
        ask,
        input={**why, "reason": reason, "reference": "5000-K123456-26"},
    )
    assert ok["requestEmergencyAccess"]["case"]["id"] == MISSING_CASE
    child = await _child(hub, police, MISSING_CHILD)
    assert child is not None
    assert "HEALTH" not in _withheld(child)

    colleague = hub.token("polisen-stockholm", "officer", sub="officer-2")
    theirs = await _child(hub, colleague, MISSING_CHILD)
    assert theirs is not None
    assert "HEALTH" in _withheld(theirs)

    opened = "query($id: ID!) { case(id: $id) { emergencyAccess { category expiresAt } } }"
    mine = (await hub.query(police, opened, id=MISSING_CASE))["case"]["emergencyAccess"]
    assert [m["category"] for m in mine] == ["HEALTH"]
    left = datetime.fromisoformat(mine[0]["expiresAt"]) - datetime.now(UTC)
    assert timedelta(0) < left <= timedelta(hours=1)
    colleagues = (await hub.query(colleague, opened, id=MISSING_CASE))["case"]
    assert colleagues["emergencyAccess"] == []  # nobody else's access is shown

    never = await hub.graphql(
        police,
        ask,
        {
            "input": {
                "caseId": MISSING_CASE,
                "category": "RETURN_INTERVIEW",
                "reasonKind": "OTHER",
                "reason": "this category is not openable by police",
                "reference": "5000-K123456-26",
            }
        },
    )
    assert never.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_an_ngo_may_not_grant_consent_and_a_hidden_child_reads_not_found(
    hub: RunningHub,
) -> None:
    grant = """mutation($input: GrantConsentInput!) {
        grantConsent(input: $input) { consent { id } } }"""
    variables = {
        "input": {
            "childId": MISSING_CHILD,
            "recipientOrganisationId": "stadsmissionen",
            "categories": ["DESCRIPTION"],
        }
    }
    ngo = await hub.graphql(hub.token("stadsmissionen", "staff"), grant, variables)
    assert ngo.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    police = await hub.graphql(hub.token("polisen-stockholm", "officer"), grant, variables)
    assert police.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_enforcement_purpose_never_reaches_health(hub: RunningHub) -> None:
    token = hub.token("migrationsverket", purpose="enforcement")
    child = await _child(hub, token, MISSING_CHILD)
    assert child is not None
    assert child["placementAddress"] is not None or "PLACEMENT" not in _withheld(child)
    assert child["health"] is None
