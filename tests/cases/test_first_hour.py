"""The plan's first hour, played through the API by the seven organisations, each as a
named person: a boy leaves HVB Solbacken at night; his god man reports him to the police;
the police grade the risk and put out an alert; Migrationsverket registers avviken;
Stadsmissionen meets him at Sergels torg; the police find him and call the alert back;
Migrationsverket re-registers him; social services hold the return interview and close.
Then the handovers: a new placement, responsibility passing to Nacka, a new god man, and
his 18th birthday. At each step: what each organisation sees, and which tasks it holds."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg

from hub.demo.seed import _id
from tests.conftest import RunningHub

CHILD = str(_id("child", 10))  # Stockholm's, placed at HVB Solbacken, god man godman-1

CASE = """query($id: ID!) { case(id: $id) { id status version lastSeenPlace
    registeredAvvikenAt registeredReturnedAt withheld { category }
    policeAssessment { grade rationale assessedBy { name role organisation { id } } }
    alert { reference issuedAt cancelledAt cancelReason }
    whomToCall { role organisation { id } person contactPoints { label phone onCall } }
    sightings { place kind callbackPhone reportedBy { name role organisation { id } } }
    tasks { routine status closedReason responsible { id } child { id } }
    events { cursor type reason needsAcknowledgement by { name role organisation { id } } }
} }"""
CHILD_Q = """query($id: ID!) { child(id: $id) { id givenName guardian { name }
    residence { id } responsibleMunicipality { id }
    placements { residence { id } from to }
    transfers { id status from { id } to { id } } } }"""
MY_TASKS = """{ myTasks(first: 100) { edges { node { routine status personal
    child { id } case { id } } } } }"""


def ago(minutes: float) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat()


class Network:
    """One named person per organisation, as their own tokens would carry them."""

    def __init__(self, hub: RunningHub) -> None:
        self.hub = hub

        def person(org: str, role: str, sub: str, name: str) -> str:
            return hub.token(org, role, sub=sub, name=name)

        self.residence = person("hvb-solbacken", "staff", "natt-1@solbacken", "Amina Yusuf")
        self.godman = person("overformyndare-stockholm", "guardian", "godman-1", "Eva Lindqvist")
        self.other_godman = person(
            "overformyndare-stockholm", "guardian", "godman-2", "Karim Haddad"
        )
        self.police = person("polisen-stockholm", "officer", "p-4711", "Insp. Lena Öberg")
        self.migration = person("migrationsverket", "caseworker", "mv-22", "Jonas Berg")
        self.ngo = person("stadsmissionen", "staff", "uppsok-3", "Lina Sundén")
        self.social = person("stockholm", "caseworker", "soc-9", "Sara Ahmadi")
        self.nacka = person("nacka", "caseworker", "nacka-1", "Per Lund")
        self.linden = person("hvb-linden", "staff", "dag-1@linden", "Omar Said")

    async def do(self, token: str, name: str, input_type: str, **fields: Any) -> Any:
        data = await self.hub.query(
            token,
            f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ __typename }} }}",
            input=fields,
        )
        return data[name]

    async def refused(self, token: str, name: str, input_type: str, **fields: Any) -> Any:
        response = await self.hub.graphql(
            token,
            f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ __typename }} }}",
            {"input": fields},
        )
        return response.json()["errors"][0]

    async def case(self, token: str, case_id: str) -> Any:
        return (await self.hub.query(token, CASE, id=case_id))["case"]

    async def child(self, token: str) -> Any:
        return (await self.hub.query(token, CHILD_Q, id=CHILD))["child"]

    async def tasks(self, token: str) -> dict[str, str]:
        """The caller's open tasks for this child: routine -> status."""
        edges = (await self.hub.query(token, MY_TASKS))["myTasks"]["edges"]
        mine = [e["node"] for e in edges if (e["node"]["child"] or {}).get("id") == CHILD]
        return {t["routine"]: t["status"] for t in mine}


def tasks_of(case: Any, status: str) -> dict[str, str | None]:
    """routine -> closedReason of the case's tasks in `status`."""
    return {t["routine"]: t["closedReason"] for t in case["tasks"] if t["status"] == status}


async def test_the_first_hour_and_the_handovers_play_through_the_api(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    net = Network(hub)
    await hub.swept()  # the seeded cases' deadlines are behind us

    # 23:10 the night staff at Solbacken report him absent
    opened = await hub.query(
        net.residence,
        """mutation($input: ReportAbsentInput!) { reportAbsent(input: $input) {
        case { id } } }""",
        input={
            "childId": CHILD,
            "lastSeenAt": ago(50),
            "lastSeenPlace": "HVB Solbacken",
            "circumstances": "gick ut efter kvällsmat",
        },
    )
    case_id = opened["reportAbsent"]["case"]["id"]
    assert set(await net.tasks(net.residence)) == {
        "search",
        "inform-social-services",
        "report-to-police",
        "notify-migration-agency",
    }
    assert set(await net.tasks(net.godman)) == {"guardian-informed"}, "the god man's own task"
    assert await net.tasks(net.other_godman) == {}, "another god man holds none of it"
    assert await net.child(net.other_godman) is None
    assert await net.case(net.ngo, case_id) is None, "no consent yet: the NGO sees nothing"

    case = await net.case(net.residence, case_id)
    call = {c["role"]: c for c in case["whomToCall"]}
    assert call["RESPONSIBLE_MUNICIPALITY"]["organisation"]["id"] == "stockholm"
    assert call["RESPONSIBLE_MUNICIPALITY"]["contactPoints"][0] == {
        "label": "Socialjouren",
        "phone": "08-508 400 00",
        "onCall": True,
    }
    assert call["GUARDIAN"]["person"] == "Eva Lindqvist"
    assert call["POLICE"]["contactPoints"][0]["phone"] == "114 14"
    opened_by = case["events"][0]["by"]
    assert opened_by == {
        "name": "Amina Yusuf",
        "role": "staff",
        "organisation": {"id": "hvb-solbacken"},
    }
    assert not any(e["needsAcknowledgement"] for e in case["events"] if "TASK" in e["type"])

    # 23:25 the god man reports him to the police
    await net.do(
        net.godman,
        "reportMissingToPolice",
        "ReportMissingToPoliceInput",
        caseId=case_id,
        policeReportNumber="5000-K4711-26",
        reason="ingen kontakt på telefon",
    )
    case = await net.case(net.social, case_id)
    assert "report-to-police" in tasks_of(case, "DONE")
    assert {"risk-grading", "alert"} <= set(await net.tasks(net.police))
    assert "register-avviken" in await net.tasks(net.migration)
    assert "guardian-consent" in await net.tasks(net.godman)
    moved = next(e for e in case["events"] if e["type"] == "STATUS_CHANGED")
    assert (moved["reason"], moved["by"]["name"], moved["needsAcknowledgement"]) == (
        "ingen kontakt på telefon",
        "Eva Lindqvist",
        True,
    )

    # the police grade the risk and put out an alert: their tasks complete themselves
    await net.do(
        net.police,
        "recordPoliceAssessment",
        "RecordPoliceAssessmentInput",
        caseId=case_id,
        grade="HIGH",
        rationale="15 år, inget nätverk, tidigare kontakt med äldre män",
    )
    await net.do(
        net.police,
        "recordAlert",
        "RecordAlertInput",
        caseId=case_id,
        reference="EFT-2611",
        issuedAt=ago(1),
    )
    assert not {"risk-grading", "alert"} & set(await net.tasks(net.police))
    seen_by_police = await net.case(net.police, case_id)
    assert seen_by_police["policeAssessment"]["grade"] == "HIGH"
    assert seen_by_police["policeAssessment"]["assessedBy"]["name"] == "Insp. Lena Öberg"
    assert seen_by_police["alert"]["reference"] == "EFT-2611"
    seen_by_migration = await net.case(net.migration, case_id)
    assert seen_by_migration["policeAssessment"] is None, "the grade is RISK"
    assert "RISK" in {w["category"] for w in seen_by_migration["withheld"]}

    # Migrationsverket registers avviken; the god man consents to Stadsmissionen seeing him
    await net.do(net.migration, "registerAvviken", "RegisterAvvikenInput", caseId=case_id)
    assert "register-avviken" not in await net.tasks(net.migration)
    await net.do(
        net.godman,
        "grantConsent",
        "GrantConsentInput",
        childId=CHILD,
        recipientOrganisationId="stadsmissionen",
        categories=["CASE_STATUS", "IDENTITY", "DESCRIPTION", "SIGHTINGS"],
    )

    # 00:05 Stadsmissionen's outreach worker speaks with him at Sergels torg
    await net.do(
        net.ngo,
        "addSighting",
        "AddSightingInput",
        caseId=case_id,
        seenAt=ago(0.5),
        place="Sergels torg",
        kind="SPOKE_WITH",
        callbackPhone="070-123 45 67",
        note="trött, vill inte säga var han sover",
    )
    case = await net.case(net.police, case_id)
    assert case["lastSeenPlace"] == "Sergels torg", "a newer sighting moves last seen"
    assert case["sightings"][-1] == {
        "place": "Sergels torg",
        "kind": "SPOKE_WITH",
        "callbackPhone": "070-123 45 67",
        "reportedBy": {
            "name": "Lina Sundén",
            "role": "staff",
            "organisation": {"id": "stadsmissionen"},
        },
    }
    assert (await net.case(net.ngo, case_id))["alert"] is not None

    # 00:20 the police find him: what the search no longer needs closes, saying why
    await net.do(
        net.police,
        "reportFound",
        "ReportFoundInput",
        caseId=case_id,
        foundAt=ago(0.2),
        place="T-Centralen",
    )
    case = await net.case(net.social, case_id)
    moot = tasks_of(case, "NOT_NEEDED")
    assert {"search", "inform-social-services", "notify-migration-agency"} <= set(moot)
    assert moot["search"] == "not needed once FOUND"
    assert await net.tasks(net.residence) == {}
    assert "cancel-alerts" in await net.tasks(net.police), "an alert is out: call it back"
    assert "re-register" in await net.tasks(net.migration)

    await net.do(
        net.police, "cancelAlert", "CancelAlertInput", caseId=case_id, cancelledAt=ago(0.1)
    )
    await net.do(net.migration, "registerReturn", "RegisterReturnInput", caseId=case_id)
    case = await net.case(net.social, case_id)
    assert {"cancel-alerts", "re-register"} <= set(tasks_of(case, "DONE"))
    assert case["registeredReturnedAt"] is not None
    assert case["alert"]["cancelledAt"] is not None

    # only entitled organisations other than the actor are pending on an event
    acks = await hub.query(
        net.social,
        """query($id: ID!) { case(id: $id) { acknowledgements {
        event { type by { organisation { id } } } pending { id } } } }""",
        id=case_id,
    )
    for status in acks["case"]["acknowledgements"]:
        actor = (status["event"]["by"] or {}).get("organisation", {}).get("id")
        assert actor not in {o["id"] for o in status["pending"]}
        assert not status["event"]["type"].startswith("TASK_")

    # social services hold the return interview; closing over the god man's open task
    # needs a reason, and the god man is told
    await net.do(
        net.social,
        "recordReturnInterview",
        "RecordReturnInterviewInput",
        caseId=case_id,
        summary="barnet berättar om press; ny skyddsplan",
    )
    error = await net.refused(
        net.social, "closeCase", "CloseCaseInput", caseId=case_id, outcome="RETURNED"
    )
    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert error["extensions"]["organisations"] == ["overformyndare-stockholm"]
    await net.do(
        net.social,
        "closeCase",
        "CloseCaseInput",
        caseId=case_id,
        outcome="RETURNED",
        reason="tillbaka på boendet med ny skyddsplan",
    )
    case = await net.case(net.godman, case_id)
    assert case["status"] == "CLOSED"
    assert tasks_of(case, "NOT_NEEDED")["guardian-informed"] == (
        "tillbaka på boendet med ny skyddsplan"
    )
    assert await net.tasks(net.godman) == {}
    assert tasks_of(case, "OPEN") == {}

    # a new placement: HVB Linden sees him from now, Solbacken no longer
    await net.do(
        net.social,
        "moveChild",
        "MoveChildInput",
        childId=CHILD,
        residenceId="hvb-linden",
        movedAt=ago(0.05),
    )
    assert await net.child(net.residence) is None
    at_linden = await net.child(net.linden)
    assert at_linden["residence"] == {"id": "hvb-linden"}
    placements = (await net.child(net.social))["placements"]
    assert [p["residence"]["id"] for p in placements] == ["hvb-linden", "hvb-solbacken"]
    assert placements[0]["to"] is None
    assert placements[1]["to"] is not None

    # responsibility passes to Nacka: asked, seen by both, accepted; the sharing follows
    transfer = (
        await hub.query(
            net.social,
            """mutation($input: RequestTransferInput!) { requestTransfer(input: $input) {
            transfer { id status } } }""",
            input={"childId": CHILD, "toMunicipalityId": "nacka", "reason": "flyttar till Nacka"},
        )
    )["requestTransfer"]["transfer"]
    assert transfer["status"] == "REQUESTED"
    assert await net.child(net.nacka) is None, "not Nacka's until it accepts"
    waiting = await hub.query(
        net.nacka, "{ transfers(pendingOnly: true) { id reason from { id } to { id } } }"
    )
    assert waiting["transfers"] == [
        {
            "id": transfer["id"],
            "reason": "flyttar till Nacka",
            "from": {"id": "stockholm"},
            "to": {"id": "nacka"},
        }
    ]
    await net.do(net.nacka, "acceptTransfer", "AcceptTransferInput", transferId=transfer["id"])
    in_nacka = await net.child(net.nacka)
    assert in_nacka["responsibleMunicipality"] == {"id": "nacka"}
    assert in_nacka["transfers"][0]["status"] == "ACCEPTED"
    assert await net.child(net.social) is None, "Stockholm no longer holds him"
    done = await hub.query(net.social, "{ transfers { id status } }")
    assert done["transfers"] == [{"id": transfer["id"], "status": "ACCEPTED"}]

    # a new god man: Karim Haddad sees him from now, Eva Lindqvist no longer
    await net.do(
        net.nacka,
        "appointGuardian",
        "AppointGuardianInput",
        childId=CHILD,
        guardianSub="godman-2",
        guardianName="Karim Haddad",
    )
    assert await net.child(net.godman) is None
    assert (await net.child(net.other_godman))["guardian"] == {"name": "Karim Haddad"}

    # he leaves Linden again; then his 18th birthday comes while he is away
    again = await hub.query(
        net.linden,
        """mutation($input: ReportAbsentInput!) { reportAbsent(input: $input) {
        case { id } } }""",
        input={"childId": CHILD, "lastSeenAt": ago(20), "lastSeenPlace": "Märsta station"},
    )
    second = again["reportAbsent"]["case"]["id"]
    assert "guardian-informed" in await net.tasks(net.other_godman)
    today = datetime.now(UTC).date()
    eighteen = date(today.year - 18, today.month, min(today.day, 28))
    await db.execute(
        "UPDATE children SET birth_date = $2 WHERE id = $1", _id("child", 10), eighteen
    )
    scheduler = hub.runtime.scheduler
    assert scheduler is not None
    await scheduler.tick()
    case = await net.case(net.nacka, second)
    assert (case["status"], case["events"][-1]["type"]) == ("CLOSED", "TASK_NOT_NEEDED")
    assert await db.fetchval("SELECT outcome FROM cases WHERE id = $1", uuid.UUID(second)) == (
        "TURNED_18"
    )
    assert tasks_of(case, "OPEN") == {}
    assert set(tasks_of(case, "NOT_NEEDED").values()) == {
        "the child turned 18 and has left the plan"
    }
    assert await net.tasks(net.linden) == {}
    assert await net.tasks(net.other_godman) == {}
    adult = await net.child(net.nacka)
    assert adult["guardian"] is None
    assert adult["residence"] is None
    assert adult["placements"][0]["to"] is not None
    left = await db.fetchval(
        "SELECT count(*) FROM case_events WHERE child_id = $1 AND type = 'TURNED_18'",
        _id("child", 10),
    )
    assert left == 1
    await scheduler.tick()  # the next day's sweep finds nobody new
    assert (
        await db.fetchval(
            "SELECT count(*) FROM case_events WHERE child_id = $1 AND type = 'TURNED_18'",
            _id("child", 10),
        )
        == 1
    )
