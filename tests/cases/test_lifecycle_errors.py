"""Bad input, illegal moves and races: each a coded error, and nothing half-written."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from hub.demo.seed import _id
from tests.conftest import RunningHub

ABSENT_CASE = str(_id("case", 5))  # seeded ABSENT
QUIET_CHILD = str(_id("child", 1))  # no case; responsible: see seed (n % 5)
FOUND_CASE = str(_id("case", 60))


async def _responsible(db: asyncpg.Connection, child: str) -> str:
    return str(
        await db.fetchval(
            "SELECT responsible_municipality_id FROM children WHERE id = $1", uuid.UUID(child)
        )
    )


async def _error(
    hub: RunningHub, token: str, mutation: str, input: dict[str, Any]
) -> dict[str, Any]:
    name = mutation[0].lower() + mutation[1:]
    response = await hub.graphql(
        token,
        f"mutation($input: {mutation}Input!) {{ {name}(input: $input) {{ __typename }} }}",
        {"input": input},
    )
    body = response.json()
    assert "errors" in body, body
    error: dict[str, Any] = body["errors"][0]
    return error


def _in(minutes: int) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).isoformat()


async def test_an_illegal_transition_names_from_to_and_the_allowed_moves(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    child = await db.fetchval("SELECT child_id FROM cases WHERE id = $1", uuid.UUID(ABSENT_CASE))
    token = hub.token(await _responsible(db, str(child)))
    error = await _error(hub, token, "CloseCase", {"caseId": ABSENT_CASE, "outcome": "RETURNED"})
    assert error["extensions"] == {
        "code": "INVALID_TRANSITION",
        "from": "ABSENT",
        "to": "CLOSED",
        "allowed": ["FOUND", "REPORTED_MISSING"],
    }
    assert "ABSENT cannot move to CLOSED" in error["message"]


async def test_a_second_open_case_for_a_child_is_a_conflict(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    child = str(
        await db.fetchval("SELECT child_id FROM cases WHERE id = $1", uuid.UUID(ABSENT_CASE))
    )
    token = hub.token(await _responsible(db, child))
    error = await _error(
        hub,
        token,
        "ReportAbsent",
        {"childId": child, "lastSeenAt": _in(-30), "lastSeenPlace": "Slussen"},
    )
    assert error["extensions"]["code"] == "CONFLICT"


@pytest.mark.parametrize(
    ("input", "field"),
    [
        ({"lastSeenAt": _in(60), "lastSeenPlace": "Slussen"}, "lastSeenAt"),
        ({"lastSeenAt": _in(-60), "lastSeenPlace": "   "}, "lastSeenPlace"),
        ({"lastSeenAt": _in(-60), "lastSeenPlace": "x" * 501}, "lastSeenPlace"),
        (
            {"lastSeenAt": _in(-60), "lastSeenPlace": "Slussen", "circumstances": "y" * 4001},
            "circumstances",
        ),
    ],
)
async def test_bad_input_names_the_field_and_writes_nothing(
    hub: RunningHub, db: asyncpg.Connection, input: dict[str, Any], field: str
) -> None:
    token = hub.token(await _responsible(db, QUIET_CHILD))
    error = await _error(hub, token, "ReportAbsent", {"childId": QUIET_CHILD, **input})
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": field}
    assert (
        await db.fetchval("SELECT count(*) FROM cases WHERE child_id = $1", uuid.UUID(QUIET_CHILD))
        == 0
    )


async def test_an_unknown_or_hidden_case_is_not_found(hub: RunningHub) -> None:
    for case_id in (str(uuid.uuid4()), ABSENT_CASE, "garbage"):
        error = await _error(
            hub,
            hub.token("stadsmissionen", "staff"),
            "ReportFound",
            {"caseId": case_id, "foundAt": _in(-1), "place": "Slussen"},
        )
        assert error["extensions"]["code"] == "NOT_FOUND"
        assert error["message"] == "no case with this id"


async def test_an_action_the_policy_does_not_grant_is_forbidden(hub: RunningHub) -> None:
    error = await _error(
        hub,
        hub.token("polisen-stockholm", "officer"),
        "RecordReturnInterview",
        {"caseId": FOUND_CASE, "summary": "not theirs to hold"},
    )
    assert error["extensions"]["code"] == "FORBIDDEN"


async def test_concurrent_transitions_cannot_both_win(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    police = hub.token("polisen-stockholm", "officer")
    query = """mutation($input: ReportFoundInput!) { reportFound(input: $input) {
        case { status } } }"""
    variables = {"input": {"caseId": ABSENT_CASE, "foundAt": _in(-1), "place": "Slussen"}}
    # hold the row lock from outside, as a concurrent transaction would
    async with db.transaction():
        await db.execute("SELECT 1 FROM cases WHERE id = $1 FOR UPDATE", uuid.UUID(ABSENT_CASE))
        blocked = await hub.graphql(police, query, variables)
    assert blocked.json()["errors"][0]["extensions"]["code"] == "CONFLICT"
    results = await asyncio.gather(*(hub.graphql(police, query, variables) for _ in range(4)))
    bodies = [r.json() for r in results]
    winners = [b for b in bodies if "errors" not in b]
    assert len(winners) == 1
    assert {b["errors"][0]["extensions"]["code"] for b in bodies if "errors" in b} <= {
        "CONFLICT",
        "INVALID_TRANSITION",
    }
    assert (
        await db.fetchval(
            "SELECT count(*) FROM case_events WHERE case_id = $1 AND type = 'STATUS_CHANGED' "
            "AND payload->>'to' = 'FOUND'",
            uuid.UUID(ABSENT_CASE),
        )
        == 1
    )


async def test_a_stale_expected_version_is_a_conflict(hub: RunningHub) -> None:
    error = await _error(
        hub,
        hub.token("polisen-stockholm", "officer"),
        "ReportMissingToPolice",
        {"caseId": ABSENT_CASE, "policeReportNumber": "5000-K9-26", "expectedVersion": 99},
    )
    assert error["extensions"]["code"] == "CONFLICT"


async def test_registering_a_child_validates_every_field(hub: RunningHub) -> None:
    base = {
        "givenName": "A",
        "familyName": "B",
        "birthDate": "2011-01-01",
        "sex": "FEMALE",
        "nationality": "SO",
        "responsibleMunicipalityId": "nacka",
    }
    nacka = hub.token("nacka")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"givenName": " "}, "givenName"),
        ({"birthDate": (datetime.now(UTC) + timedelta(days=2)).date().isoformat()}, "birthDate"),
        ({"responsibleMunicipalityId": "hvb-linden"}, "responsibleMunicipalityId"),
        ({"residenceId": "nacka"}, "residenceId"),
        ({"languages": ["x" * 41]}, "languages"),
    ]
    for change, field in cases:
        error = await _error(hub, nacka, "RegisterChild", {**base, **change})
        assert error["extensions"] == {"code": "INVALID_INPUT", "field": field}, change
    other = await _error(hub, hub.token("sigtuna"), "RegisterChild", base)
    assert other["extensions"]["code"] == "FORBIDDEN"


async def test_a_wrong_or_oversized_photo_is_invalid_input(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    import base64

    token = hub.token(await _responsible(db, QUIET_CHILD))
    cases = [
        ({"contentType": "image/gif", "data": "R0lGODlh"}, "photo.contentType"),
        ({"contentType": "image/png", "data": "not base64!"}, "photo.data"),
        (
            {"contentType": "image/png", "data": base64.b64encode(b"GIF89a....").decode()},
            "photo.data",
        ),
        (
            {
                "contentType": "image/jpeg",
                "data": base64.b64encode(b"\xff\xd8\xff" + b"0" * (2 * 1024 * 1024)).decode(),
            },
            "photo.data",
        ),
    ]
    for photo, field in cases:
        error = await _error(
            hub, token, "UpdateDescription", {"childId": QUIET_CHILD, "photo": photo}
        )
        assert error["extensions"] == {"code": "INVALID_INPUT", "field": field}
    assert await db.fetchval("SELECT count(*) FROM photos") == 0


async def test_a_closed_case_accepts_no_sighting(hub: RunningHub) -> None:
    closed = str(_id("case", 71))
    error = await _error(
        hub,
        hub.token("polisen-stockholm", "officer"),
        "AddSighting",
        {"caseId": closed, "seenAt": _in(-5), "place": "Slussen"},
    )
    assert error["extensions"]["code"] == "INVALID_TRANSITION"


async def test_a_transition_is_not_blocked_by_an_event_being_written_for_the_case(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    # an uncommitted event (or task) for the case holds a KEY SHARE lock on its row, as the
    # deadline scheduler's sweep does; that is no reason to refuse a transition
    police = hub.token("polisen-stockholm", "officer")
    async with db.transaction():
        await db.execute("SELECT 1 FROM cases WHERE id = $1 FOR KEY SHARE", uuid.UUID(ABSENT_CASE))
        response = await hub.graphql(
            police,
            """mutation($input: ReportFoundInput!) {
                reportFound(input: $input) { case { status } } }""",
            {"input": {"caseId": ABSENT_CASE, "foundAt": _in(-1), "place": "Slussen"}},
        )
    assert response.json() == {"data": {"reportFound": {"case": {"status": "FOUND"}}}}
