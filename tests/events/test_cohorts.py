"""Subscribers who would receive the same answer share its working out (a cohort): one
of them reads and executes, the others take its answer, and every one of them has its own
audit record (a row per recipient as auditors read the trail, though records that meet in
one group commit share an entry naming them all). Different organisations, and a person
whose emergency access holds a category open, get answers of their own."""

from __future__ import annotations

import json
import uuid

import asyncpg

from hub.demo.seed import _id
from tests.conftest import RunningHub, until
from tests.events.reports import sight
from tests.events.wsclient import subscribe

MISSING_CASE = str(_id("case", 17))
EMERGENCY = """mutation($input: RequestEmergencyAccessInput!) {
    requestEmergencyAccess(input: $input) { case { id } } }"""


async def test_officers_of_one_organisation_get_the_same_bytes_each_with_its_own_record(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    officers = [hub.token("polisen-stockholm", "officer", sub=f"officer-{n}") for n in range(5)]
    cohorts = hub.runtime.cohorts
    before = cohorts.shared
    async with (
        subscribe(hub, officers[0], case_id=MISSING_CASE) as a,
        subscribe(hub, officers[1], case_id=MISSING_CASE) as b,
        subscribe(hub, officers[2], case_id=MISSING_CASE) as c,
        subscribe(hub, officers[3], case_id=MISSING_CASE) as d,
        subscribe(hub, officers[4], case_id=MISSING_CASE) as e,
    ):
        await sight(hub, "Medborgarplatsen")
        frames = [await sub.next_frame() for sub in (a, b, c, d, e)]
    # the leader's message, sent by strawberry, and the members' (hub.graphql.frames),
    # written by the hub from the answer encoded once: the very same bytes
    assert len(set(frames)) == 1
    assert json.loads(frames[0])["payload"]["data"]["caseEvents"]["case"]["child"]["description"]
    # one worked each event out and four took it (the scheduler's events count too)
    assert cohorts.shared - before >= 4
    rows = await db.fetch(
        """SELECT sub, disclosed, action, operation FROM audit_by_child
            WHERE kind = 'DELIVERY' AND details->>'event' = 'SIGHTING_ADDED'
              AND case_ids @> ARRAY[$1::uuid] AND sub LIKE 'officer-%'""",
        uuid.UUID(MISSING_CASE),
    )
    assert sorted(r["sub"] for r in rows) == [f"officer-{n}" for n in range(5)]
    assert len({tuple(r["disclosed"]) for r in rows}) == 1
    # the members' records say what the leader's says: the subscription and its operation
    assert {(r["action"], r["operation"]) for r in rows} == {("caseEvents", None)}


async def test_two_organisations_in_one_event_get_different_answers(hub: RunningHub) -> None:
    police = hub.token("polisen-stockholm", "officer", sub="officer-p")
    agency = hub.token("migrationsverket", "caseworker", sub="mv-1")
    async with (
        subscribe(hub, police, case_id=MISSING_CASE) as p,
        subscribe(hub, agency, case_id=MISSING_CASE) as m,
    ):
        await sight(hub, "Gullmarsplan")
        to_police, to_agency = await p.next(), await m.next()
    assert to_police["cursor"] == to_agency["cursor"]
    assert to_police["case"] != to_agency["case"]


async def test_an_officer_with_emergency_access_gets_an_answer_of_their_own(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    await db.execute(
        "UPDATE children SET health = 'astma' WHERE id = $1", uuid.UUID(str(_id("child", 17)))
    )
    opened = hub.token("polisen-stockholm", "officer", sub="officer-opened")
    colleague = hub.token("polisen-stockholm", "officer", sub="officer-plain")
    await hub.query(
        opened,
        EMERGENCY,
        input={
            "caseId": MISSING_CASE,
            "category": "HEALTH",
            "reasonKind": "LIFE_OR_HEALTH",
            "reason": "found unconscious, needs medication history",
            "reference": "5000-K1-26",
        },
    )
    for order in ((colleague, opened), (opened, colleague)):  # either may lead
        async with (
            subscribe(hub, order[0], case_id=MISSING_CASE) as first,
            subscribe(hub, order[1], case_id=MISSING_CASE) as second,
        ):
            await sight(hub, "Skanstull")
            answers = {order[0]: await first.next(), order[1]: await second.next()}
        assert answers[opened]["case"]["child"]["health"] == "astma"
        assert answers[colleague]["case"]["child"]["health"] is None


GRANT = (
    """mutation($input: GrantConsentInput!) { grantConsent(input: $input) { consent { id } } }"""
)
REVOKE = """mutation($input: RevokeConsentInput!) { revokeConsent(input: $input) {
    consent { id } } }"""


async def test_a_consent_revoked_between_two_events_changes_the_next_delivery_for_the_cohort(
    hub: RunningHub,
) -> None:
    """Two NGO staff share a cohort (one leads, one parked) under the municipality's
    consent; once it is revoked, the next event reaches neither of them, while the police
    still get it: authorization stays at delivery time, for the cohort's shared answer too."""
    granted = await hub.query(
        hub.token("nacka"),
        GRANT,
        input={
            "childId": str(_id("child", 17)),
            "recipientOrganisationId": "stadsmissionen",
            "categories": ["CASE_STATUS", "IDENTITY", "SIGHTINGS"],
        },
    )
    staff = [hub.token("stadsmissionen", "staff", sub=f"ngo-{n}") for n in range(2)]
    police = hub.token("polisen-stockholm", "officer")
    async with (
        subscribe(hub, staff[0], case_id=MISSING_CASE) as leader,
        subscribe(hub, staff[1], case_id=MISSING_CASE) as parked,
        subscribe(hub, police, case_id=MISSING_CASE) as officer,
    ):
        await until(lambda: hub.runtime.parking.member_count == 1, what="one member parked")
        await sight(hub, "Hötorget")
        for sub in (leader, parked, officer):
            event = await sub.next()
            assert event["type"] == "SIGHTING_ADDED"
            assert event["case"]["child"]["givenName"]  # the staff's under the consent
        await hub.query(
            hub.token("nacka"),
            REVOKE,
            input={"consentId": granted["grantConsent"]["consent"]["id"]},
        )
        await sight(hub, "Slussen")
        assert (await officer.next())["type"] == "SIGHTING_ADDED"  # it went out
        await leader.nothing_for(0.5)
        await parked.nothing_for(0.5)
