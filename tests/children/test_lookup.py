"""The outreach lookup and contact reports, through the API: what each kind learns, what
a caller with one fact learns (nothing), the enumeration guard, refs that are not yours,
and a report reaching the responsible municipality live and as a task."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from hub.demo.seed import _id
from tests.conftest import RunningHub
from tests.events.wsclient import subscribe

MISSING_CHILD, MISSING_CASE = _id("child", 17), _id("case", 17)  # Nacka's, reported missing
REASON = "mötte pojken vid Sergels torg, han säger att han bor på ett boende"
LOOKUP = """mutation($input: LookupChildInput!) { lookupChild(input: $input) {
    ref matchedOn reportedMissing responsibleMunicipality { id }
    onCall { label phone onCall } } }"""
REPORT = """mutation($input: ReportContactInput!) { reportContact(input: $input) {
    received responsibleMunicipality { id } onCall { phone } } }"""


async def _names(db: asyncpg.Connection) -> dict[str, Any]:
    row = await db.fetchrow(
        "SELECT given_name, family_name, birth_date, dossier_number FROM children WHERE id = $1",
        MISSING_CHILD,
    )
    assert row is not None
    return dict(row)


async def _lookup(hub: RunningHub, token: str, **facts: Any) -> Any:
    response = await hub.graphql(token, LOOKUP, {"input": {"reason": REASON, **facts}})
    return response.json()


def _by_name(child: dict[str, Any]) -> dict[str, Any]:
    return {
        "givenName": child["given_name"],
        "familyName": child["family_name"],
        "birthYear": child["birth_date"].year,
    }


async def test_each_kind_learns_whom_to_call_and_only_what_the_policy_allows(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    child = await _names(db)
    answers = {}
    for org, role in (
        ("stadsmissionen", "staff"),
        ("polisen-stockholm", "officer"),
        ("stockholm", "caseworker"),
    ):
        body = await _lookup(hub, hub.token(org, role), **_by_name(child))
        assert "errors" not in body, body
        answers[org] = body["data"]["lookupChild"]
    for org, matches in answers.items():
        mine = [m for m in matches if m["responsibleMunicipality"]["id"] == "nacka"]
        assert mine, org
        match = mine[0]
        assert match["matchedOn"] == ["givenName", "familyName", "birthYear"]
        assert match["onCall"] == [
            {"label": "Socialjouren", "phone": "08-718 80 00", "onCall": True}
        ]
        assert str(MISSING_CHILD) not in match["ref"]
        text = str(matches)
        assert child["given_name"] not in text
        assert child["family_name"] not in text
        assert str(MISSING_CHILD) not in text
        assert str(MISSING_CASE) not in text
    assert {m["reportedMissing"] for m in answers["stadsmissionen"]} == {None}
    assert True in {m["reportedMissing"] for m in answers["polisen-stockholm"]}
    assert True in {m["reportedMissing"] for m in answers["stockholm"]}
    rows = await db.fetch(
        "SELECT organisation_id, child_id, details FROM audit_log WHERE kind = 'LOOKUP'"
    )
    assert {r["organisation_id"] for r in rows} == set(answers)
    assert all(r["details"]["reason"] == REASON for r in rows)
    assert MISSING_CHILD in {r["child_id"] for r in rows}


async def test_the_dossier_number_alone_is_enough(hub: RunningHub, db: asyncpg.Connection) -> None:
    child = await _names(db)
    body = await _lookup(hub, hub.token("migrationsverket"), dossierNumber=child["dossier_number"])
    [match] = body["data"]["lookupChild"]
    assert match["matchedOn"] == ["dossierNumber"]
    assert match["reportedMissing"] is True


@pytest.mark.parametrize(
    ("facts", "field"),
    [
        ({"givenName": "Mohammed"}, "input"),  # one fact points at too many children
        ({"givenName": "M", "familyName": "Ahmadi"}, "givenName"),
        ({"givenName": "Moh%", "familyName": "Ahmadi"}, "givenName"),
        ({"givenName": "Ali", "birthDate": "2010-01-01", "birthYear": 2010}, "birthYear"),
        ({"givenName": "Ali", "familyName": "Ahmadi", "reason": "     "}, "reason"),
    ],
)
async def test_too_few_facts_wildcards_or_no_reason_are_refused_and_disclose_nothing(
    hub: RunningHub, db: asyncpg.Connection, facts: dict[str, Any], field: str
) -> None:
    body = await _lookup(hub, hub.token("stadsmissionen", "staff"), **facts)
    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": "INVALID_INPUT", "field": field}
    assert await db.fetchval("SELECT count(*) FROM lookup_refs") == 0
    denied = await db.fetchval(
        "SELECT count(*) FROM audit_log WHERE kind = 'DENIED' AND organisation_id = $1",
        "stadsmissionen",
    )
    assert denied == 1


async def test_a_run_of_misses_trips_the_enumeration_guard_and_is_flagged(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    token = hub.token("stadsmissionen", "staff", sub="gissaren")
    for n in range(5):
        body = await _lookup(hub, token, givenName=f"Zzyx{n}qq", familyName="Nobody")
        assert body["data"]["lookupChild"] == []
    refused = await _lookup(hub, token, givenName="Zzyxqq", familyName="Nobody")
    assert refused["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    flagged = await db.fetchval(
        "SELECT count(*) FROM audit_log WHERE 'ENUMERATION' = ANY(flags) AND sub = 'gissaren'"
    )
    assert flagged == 1
    other = hub.token("stadsmissionen", "staff", sub="kollegan")
    assert "errors" not in await _lookup(hub, other, givenName="Zzyx", familyName="Nobody")


async def test_a_burst_of_lookups_is_refused(hub: RunningHub, db: asyncpg.Connection) -> None:
    child = await _names(db)
    token = hub.token("polisen-stockholm", "officer", sub="p-burst")
    answers = [await _lookup(hub, token, **_by_name(child)) for _ in range(11)]
    assert all("errors" not in a for a in answers[:10])
    assert answers[10]["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_the_county_board_may_not_look_up_children(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    body = await _lookup(
        hub, hub.token("lansstyrelsen-stockholm", "coordinator"), **_by_name(await _names(db))
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def _ago(minutes: float) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat()


async def _ref(hub: RunningHub, token: str, db: asyncpg.Connection) -> str:
    body = await _lookup(hub, token, **_by_name(await _names(db)))
    [ref] = [
        m["ref"]
        for m in body["data"]["lookupChild"]
        if m["reportedMissing"] is not False and m["responsibleMunicipality"]["id"] == "nacka"
    ]
    return str(ref)


async def test_a_contact_report_reaches_social_services_live_and_as_a_task(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    ngo = hub.token("stadsmissionen", "staff", sub="uppsok-1", name="Lina Sundén")
    nacka = hub.token("nacka", "caseworker")
    ref = await _ref(hub, ngo, db)
    async with subscribe(hub, nacka, case_id=str(MISSING_CASE)) as live:
        sent = await hub.query(
            ngo,
            REPORT,
            input={
                "ref": ref,
                "seenAt": _ago(5),
                "place": "Sergels torg",
                "kind": "SPOKE_WITH",
                "callbackPhone": "070-111 22 33",
                "willingToTalk": True,
                "note": "hungrig, vill prata med någon",
            },
        )
        assert sent["reportContact"]["responsibleMunicipality"] == {"id": "nacka"}
        event = await live.next()
        while event["type"] != "CONTACT_REPORTED":
            event = await live.next()
        assert event["actor"] == {"id": "stadsmissionen"}
    tasks = await hub.query(
        nacka, "{ myTasks(first: 100) { edges { node { routine case { id } } } } }"
    )
    follow = [
        e["node"] for e in tasks["myTasks"]["edges"] if e["node"]["routine"] == "follow-up-contact"
    ]
    assert follow == [{"routine": "follow-up-contact", "case": {"id": str(MISSING_CASE)}}]
    police = hub.token("polisen-stockholm", "officer")
    seen = await hub.query(
        police,
        """query($id: ID!) { case(id: $id) { lastSeenPlace
        sightings { place callbackPhone reportedBy { name } } } }""",
        id=str(MISSING_CASE),
    )
    assert seen["case"]["lastSeenPlace"] == "Sergels torg"
    assert {
        "place": "Sergels torg",
        "callbackPhone": "070-111 22 33",
        "reportedBy": {"name": "Lina Sundén"},
    } in seen["case"]["sightings"]
    reports = await hub.query(
        nacka,
        "query($id: ID!) { child(id: $id) { contactReports { place willingToTalk basis } } }",
        id=str(MISSING_CHILD),
    )
    assert reports["child"]["contactReports"] == [
        {"place": "Sergels torg", "willingToTalk": True, "basis": "SoL 14:1c (orosanmälan)"}
    ]
    assert (await hub.query(ngo, "query($id: ID!) { case(id: $id) { id } }", id=str(MISSING_CASE)))[
        "case"
    ] is None


async def test_a_ref_is_its_askers_alone_and_expires(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    ngo = hub.token("stadsmissionen", "staff", sub="uppsok-1")
    ref = await _ref(hub, ngo, db)
    contact = {"seenAt": _ago(5), "place": "Slussen", "kind": "SEEN"}
    colleague = hub.token("stadsmissionen", "staff", sub="uppsok-2")
    for token in (colleague, hub.token("radda-barnen", "staff", sub="uppsok-1")):
        body = (await hub.graphql(token, REPORT, {"input": {"ref": ref, **contact}})).json()
        assert body["errors"][0]["extensions"] == {"code": "INVALID_INPUT", "field": "ref"}
    await db.execute("UPDATE lookup_refs SET expires_at = now() - interval '1 second'")
    body = (await hub.graphql(ngo, REPORT, {"input": {"ref": ref, **contact}})).json()
    assert body["errors"][0]["extensions"] == {"code": "INVALID_INPUT", "field": "ref"}
    assert await db.fetchval("SELECT count(*) FROM contact_reports") == 0
    forged = (
        await hub.graphql(ngo, REPORT, {"input": {"ref": str(uuid.uuid4()), **contact}})
    ).json()
    assert forged["errors"][0]["extensions"]["field"] == "ref"
