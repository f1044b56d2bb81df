"""Emergency access: a structured reason in the chained audit row, and a review."""

from __future__ import annotations

from typing import Any

import asyncpg

from tests.conftest import RunningHub
from tests.policy.test_sharing_over_http import MISSING_CASE, MISSING_CHILD, _responsible

ASK = """mutation($input: RequestEmergencyAccessInput!) {
    requestEmergencyAccess(input: $input) { case { id } } }"""
GRANTS = """query($unreviewed: Boolean!, $first: Int, $after: String) {
    emergencyAccessGrants(first: $first, after: $after, unreviewedOnly: $unreviewed) {
    totalCount pageInfo { endCursor }
    edges { node { id caseId sub organisationId category reasonKind reason reference
                   grantedAt expiresAt reviewedAt verdict reviewNote reviewedBy } } } }"""
REVIEW = """mutation($input: ReviewEmergencyAccessInput!) { reviewEmergencyAccess(input: $input) {
    grant { id verdict reviewNote reviewedAt reviewedBy } } }"""
REASON = "found unconscious at Slussen, needs medication history"


async def _open(hub: RunningHub, sub: str = "officer-7") -> None:
    police = hub.token("polisen-stockholm", "officer", sub=sub)
    await hub.query(
        police,
        ASK,
        input={
            "caseId": MISSING_CASE,
            "category": "HEALTH",
            "reasonKind": "LIFE_OR_HEALTH",
            "reason": REASON,
            "reference": "5000-K123456-26",
        },
    )


async def _grants(hub: RunningHub, token: str, **variables: Any) -> dict[str, Any]:
    found: dict[str, Any] = (await hub.query(token, GRANTS, unreviewed=True, **variables))[
        "emergencyAccessGrants"
    ]
    return found


async def test_the_reason_is_in_the_grants_chained_audit_row_and_not_in_its_event(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    await _open(hub)
    row = await db.fetchrow(
        "SELECT details, hash FROM audit_log WHERE kind = 'EMERGENCY' AND sub = 'officer-7'"
    )
    assert row is not None
    assert row["details"]["reason"] == REASON
    assert row["details"]["reasonKind"] == "LIFE_OR_HEALTH"
    assert row["details"]["reference"] == "5000-K123456-26"
    event = await db.fetchval(
        "SELECT payload FROM case_events WHERE type = 'EMERGENCY_ACCESS' ORDER BY id DESC LIMIT 1"
    )
    assert REASON not in str(event)


async def test_an_auditor_reviews_each_grant_once_and_the_review_is_recorded(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    await _open(hub)
    auditor = hub.token("lansstyrelsen-stockholm", "auditor", sub="granskare")
    [grant] = [e["node"] for e in (await _grants(hub, auditor))["edges"]]
    assert (grant["sub"], grant["reason"], grant["verdict"]) == ("officer-7", REASON, None)

    not_justified = await hub.graphql(
        auditor, REVIEW, {"input": {"grantId": grant["id"], "verdict": "NOT_JUSTIFIED"}}
    )
    assert not_justified.json()["errors"][0]["extensions"]["field"] == "note"
    reviewed = await hub.query(
        auditor, REVIEW, input={"grantId": grant["id"], "verdict": "JUSTIFIED", "note": "ok"}
    )
    assert reviewed["reviewEmergencyAccess"]["grant"]["verdict"] == "JUSTIFIED"
    assert reviewed["reviewEmergencyAccess"]["grant"]["reviewedBy"] == "granskare"
    again = await hub.graphql(
        auditor, REVIEW, {"input": {"grantId": grant["id"], "verdict": "JUSTIFIED"}}
    )
    assert again.json()["errors"][0]["extensions"]["code"] == "CONFLICT"
    assert (await _grants(hub, auditor))["totalCount"] == 0
    recorded = await db.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'reviewEmergencyAccess' AND sub = $1",
        "granskare",
    )
    assert recorded == 1


async def test_grants_show_only_within_an_auditors_scope(hub: RunningHub) -> None:
    await _open(hub)
    responsible = await _responsible(hub, MISSING_CHILD)
    for org, seen in (
        ("polisen-stockholm", 1),  # its own officer's
        (responsible, 1),  # on its child
        ("stadsmissionen", 0),
    ):
        auditor = hub.token(org, "auditor")
        assert (await _grants(hub, auditor))["totalCount"] == seen, org
    caseworker = hub.token(responsible)
    refused = await hub.graphql(caseworker, GRANTS, {"unreviewed": True})
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_nobody_reviews_their_own_emergency_access(hub: RunningHub) -> None:
    await _open(hub, sub="dual-role")
    both = hub.issuer.issue(
        sub="dual-role", org="polisen-stockholm", roles=["officer", "auditor"], ttl=600
    )
    [grant] = [e["node"] for e in (await _grants(hub, both))["edges"]]
    own = await hub.graphql(
        both, REVIEW, {"input": {"grantId": grant["id"], "verdict": "JUSTIFIED"}}
    )
    assert own.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_cursor_from_outside_the_scope_is_invalid_and_recorded(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    await _open(hub)
    board = hub.token("lansstyrelsen-stockholm", "auditor")
    cursor = (await _grants(hub, board, first=1))["pageInfo"]["endCursor"]
    outsider = hub.token("stadsmissionen", "auditor", sub="ngo-auditor")
    response = await hub.graphql(outsider, GRANTS, {"unreviewed": True, "after": cursor})
    assert response.json()["errors"][0]["extensions"] == {"code": "INVALID_INPUT", "field": "after"}
    denied = await db.fetchval(
        "SELECT count(*) FROM audit_log WHERE kind = 'DENIED' AND sub = 'ngo-auditor'"
    )
    assert denied >= 1
