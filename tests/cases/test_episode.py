"""A whole episode through the API, as the real actors would play it:
residence → municipality → police → Migrationsverket → NGO sighting → found → return
interview → closed; checking tasks, deadlines, acknowledgements and events at each step."""

from __future__ import annotations

import base64
import io
from datetime import UTC, datetime, timedelta
from typing import Any

from PIL import Image

from tests.conftest import RunningHub


def _png() -> str:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode()


PNG = _png()

CASE_FIELDS = """id status version policeReportNumber registeredAvvikenAt foundAt closedAt outcome
    tasks { id routine status dueAt overdue responsible { id } }
    events { cursor type actor { id } }"""


def ago(minutes: int) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat()


async def my_tasks(hub: RunningHub, token: str) -> dict[str, dict[str, Any]]:
    data = await hub.query(
        token,
        """{ myTasks(first: 100) { totalCount edges { node {
        id routine dueAt overdue case { id } } } } }""",
    )
    return {e["node"]["routine"]: e["node"] for e in data["myTasks"]["edges"]}


def routines_of(case: dict[str, Any], status: str = "OPEN") -> set[str]:
    return {t["routine"] for t in case["tasks"] if t["status"] == status}


async def test_a_whole_episode_plays_through_the_api(hub: RunningHub) -> None:
    municipality = hub.token("stockholm")
    residence = hub.token("hvb-solbacken", "staff")
    police = hub.token("polisen-stockholm", "officer")
    migration = hub.token("migrationsverket")
    ngo = hub.token("stadsmissionen", "staff")

    # the municipality registers the child; the residence owes the signalement in 7 days
    registered = await hub.query(
        municipality,
        """mutation($input: RegisterChildInput!) {
        registerChild(input: $input) { child { id givenName residence { id } } } }""",
        input={
            "givenName": "Samir",
            "familyName": "Testsson",
            "birthDate": "2010-03-04",
            "sex": "MALE",
            "nationality": "MA",
            "languages": ["arabiska"],
            "dossierNumber": "EP-1",
            "responsibleMunicipalityId": "stockholm",
            "residenceId": "hvb-solbacken",
            "guardianSub": "godman-episode",
        },
    )
    child = registered["registerChild"]["child"]
    assert child["givenName"] == "Samir"
    assert child["residence"] == {"id": "hvb-solbacken"}
    tasks = await my_tasks(hub, residence)
    assert "description" in tasks
    assert not tasks["description"]["overdue"]

    # the residence fills in the description with a photo, then reports the child absent
    described = await hub.query(
        residence,
        """mutation($input: UpdateDescriptionInput!) {
        updateDescription(input: $input) { child { description { clothing photoUrl } } } }""",
        input={
            "childId": child["id"],
            "heightCm": 172,
            "clothing": "svart jacka",
            "photo": {"contentType": "image/png", "data": PNG},
        },
    )
    photo_url = described["updateDescription"]["child"]["description"]["photoUrl"]
    assert photo_url.startswith("/photos/")
    photo = await hub.http.get(photo_url, headers={"authorization": f"Bearer {police}"})
    assert photo.status_code == 404, "police see no photo of a child who is not missing"

    opened = await hub.query(
        residence,
        f"""mutation($input: ReportAbsentInput!) {{
        reportAbsent(input: $input) {{ case {{ {CASE_FIELDS} }} }} }}""",
        input={
            "childId": child["id"],
            "lastSeenAt": ago(90),
            "lastSeenPlace": "Fridhemsplan",
            "circumstances": "gick efter middagen",
        },
    )
    case = opened["reportAbsent"]["case"]
    assert case["status"] == "ABSENT"
    assert routines_of(case) == {
        "search",
        "inform-social-services",
        "report-to-police",
        "notify-migration-agency",
        "guardian-informed",
    }
    assert [e["type"] for e in case["events"]][:1] == ["CASE_OPENED"]
    photo = await hub.http.get(photo_url, headers={"authorization": f"Bearer {police}"})
    assert photo.status_code == 200, "while the child is missing, the police see the photo"
    assert photo.headers["content-type"] == "image/png"

    # reported to the police: the report task completes itself; new tasks for others
    reported = await hub.query(
        residence,
        f"""mutation($input: ReportMissingToPoliceInput!) {{
        reportMissingToPolice(input: $input) {{ case {{ {CASE_FIELDS} }} }} }}""",
        input={
            "caseId": case["id"],
            "policeReportNumber": "5000-K1-26",
            "expectedVersion": case["version"],
        },
    )
    case = reported["reportMissingToPolice"]["case"]
    assert case["status"] == "REPORTED_MISSING"
    assert "report-to-police" in routines_of(case, "DONE")
    assert {"register-avviken", "risk-grading", "review-closing"} <= routines_of(case)
    assert "risk-grading" in await my_tasks(hub, police)
    assert "register-avviken" in await my_tasks(hub, migration)

    # Migrationsverket's avviken is its own fact; its task completes itself
    avviken = await hub.query(
        migration,
        f"""mutation($input: RegisterAvvikenInput!) {{
        registerAvviken(input: $input) {{ case {{ {CASE_FIELDS} }} }} }}""",
        input={"caseId": case["id"]},
    )
    case = avviken["registerAvviken"]["case"]
    assert case["status"] == "REPORTED_MISSING"
    assert case["registeredAvvikenAt"] is not None
    assert "register-avviken" in routines_of(case, "DONE")

    # the police grade the risk and acknowledge the status change
    grading = (await my_tasks(hub, police))["risk-grading"]
    done = await hub.query(
        police,
        """mutation($input: CompleteTaskInput!) {
        completeTask(input: $input) { task { status completedAt } } }""",
        input={"taskId": grading["id"]},
    )
    assert done["completeTask"]["task"]["status"] == "DONE"
    changed = next(e for e in case["events"] if e["type"] == "STATUS_CHANGED")
    await hub.query(
        police,
        """mutation($input: AcknowledgeInput!) {
        acknowledge(input: $input) { case { id } } }""",
        input={"caseId": case["id"], "eventCursor": changed["cursor"]},
    )
    acks = await hub.query(
        municipality,
        """query($id: ID!) { case(id: $id) {
        acknowledgements { event { cursor } acknowledged { organisation { id } }
                           pending { id } } } }""",
        id=case["id"],
    )
    status = next(
        a for a in acks["case"]["acknowledgements"] if a["event"]["cursor"] == changed["cursor"]
    )
    assert [a["organisation"]["id"] for a in status["acknowledged"]] == ["polisen-stockholm"]
    assert "migrationsverket" in {o["id"] for o in status["pending"]}
    assert "stadsmissionen" not in {o["id"] for o in status["pending"]}
    police_view = await hub.query(
        police,
        "query($id: ID!) { case(id: $id) { acknowledgements { pending { id } } } }",
        id=case["id"],
    )
    assert police_view["case"]["acknowledgements"] is None
    # each organisation is told which events it has acknowledged itself
    mine = "query($id: ID!) { case(id: $id) { events { cursor acknowledgedByYourOrganisation } } }"
    for caller, acknowledged in ((police, True), (migration, False)):
        events = (await hub.query(caller, mine, id=case["id"]))["case"]["events"]
        [event] = [e for e in events if e["cursor"] == changed["cursor"]]
        assert event["acknowledgedByYourOrganisation"] is acknowledged

    # with the guardian's consent, the NGO sees the case and reports a sighting
    await hub.query(
        municipality,
        """mutation($input: GrantConsentInput!) {
        grantConsent(input: $input) { consent { id } } }""",
        input={
            "childId": child["id"],
            "recipientOrganisationId": "stadsmissionen",
            "categories": ["CASE_STATUS", "IDENTITY", "DESCRIPTION", "SIGHTINGS"],
        },
    )
    sighted = await hub.query(
        ngo,
        """mutation($input: AddSightingInput!) {
        addSighting(input: $input) { case { sightings { place note } } } }""",
        input={
            "caseId": case["id"],
            "seenAt": ago(10),
            "place": "Sergels torg",
            "note": "med två äldre killar",
        },
    )
    assert sighted["addSighting"]["case"]["sightings"] == [
        {"place": "Sergels torg", "note": "med två äldre killar"}
    ]

    # found by the police: alerts to cancel, protection and a return interview to hold
    found = await hub.query(
        police,
        f"""mutation($input: ReportFoundInput!) {{
        reportFound(input: $input) {{ case {{ {CASE_FIELDS} }} }} }}""",
        input={"caseId": case["id"], "foundAt": ago(5), "place": "T-Centralen"},
    )
    case = found["reportFound"]["case"]
    assert case["status"] == "FOUND"
    assert {"protect-and-place", "return-interview", "re-register"} <= routines_of(case)
    assert "cancel-alerts" in routines_of(case, "NOT_NEEDED"), "no alert was out"

    interviewed = await hub.query(
        municipality,
        f"""mutation($input: RecordReturnInterviewInput!) {{
        recordReturnInterview(input: $input) {{ case {{ {CASE_FIELDS} }} }} }}""",
        input={"caseId": case["id"], "summary": "barnet berättar om press; ny skyddsplan"},
    )
    case = interviewed["recordReturnInterview"]["case"]
    assert case["status"] == "FOLLOW_UP"
    assert "return-interview" in routines_of(case, "DONE")
    assert "update-care-plan" in routines_of(case)

    closed = await hub.query(
        municipality,
        f"""mutation($input: CloseCaseInput!) {{
        closeCase(input: $input) {{ case {{ {CASE_FIELDS} }} }} }}""",
        input={"caseId": case["id"], "outcome": "RETURNED", "reason": "barnet är tillbaka"},
    )
    case = closed["closeCase"]["case"]
    assert case["status"] == "CLOSED"
    assert case["outcome"] == "RETURNED"
    assert routines_of(case) == set(), "closing closes whatever is still open, saying why"
    assert "re-register" in routines_of(case, "NOT_NEEDED")
    statuses = [e for e in case["events"] if e["type"] == "STATUS_CHANGED"]
    assert len(statuses) == 4
    assert [e["actor"]["id"] for e in statuses] == [
        "hvb-solbacken",
        "polisen-stockholm",
        "stockholm",
        "stockholm",
    ]
    cursors = [int(e["cursor"]) for e in case["events"]]
    assert cursors == sorted(cursors)
