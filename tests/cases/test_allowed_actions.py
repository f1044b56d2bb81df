"""`Case.allowedActions`: what the caller may do now, by the case's state and the policy."""

from __future__ import annotations

from hub.demo.seed import _id
from tests.conftest import RunningHub

ACTIONS = """query($id: ID!) { case(id: $id) { status allowedActions } }"""


async def _allowed(hub: RunningHub, org: str, role: str, case: int) -> list[str]:
    data = await hub.query(hub.token(org, role), ACTIONS, id=str(_id("case", case)))
    actions: list[str] = data["case"]["allowedActions"]
    return actions


async def test_the_police_may_grade_alert_report_sightings_and_find_a_missing_child(
    hub: RunningHub,
) -> None:
    assert sorted(await _allowed(hub, "polisen-stockholm", "officer", 17)) == [
        "addSighting",
        "recordAlert",
        "recordPoliceAssessment",
        "reportFound",
    ]


async def test_migrationsverket_may_re_register_a_found_child_it_registered_avviken(
    hub: RunningHub,
) -> None:
    assert await _allowed(hub, "migrationsverket", "caseworker", 60) == ["registerReturn"]


async def test_migrationsverket_may_register_avviken_and_nothing_else(hub: RunningHub) -> None:
    assert await _allowed(hub, "migrationsverket", "caseworker", 17) == ["registerAvviken"]


async def test_a_closed_case_admits_no_action_for_anyone(hub: RunningHub) -> None:
    assert await _allowed(hub, "polisen-stockholm", "officer", 71) == []
