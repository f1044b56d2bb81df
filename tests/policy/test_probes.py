"""Cursors and duplicate checks reveal nothing outside the caller's scope; probes are
recorded."""

from __future__ import annotations

import uuid

import asyncpg

from hub.graphql.pagination import encode_cursor
from tests.conftest import RunningHub

REGISTER = """mutation($input: RegisterChildInput!) { registerChild(input: $input) {
    child { id } } }"""


def _child_input(municipality: str, dossier: str) -> dict[str, object]:
    return {
        "givenName": "Test",
        "familyName": "Probe",
        "birthDate": "2010-01-01",
        "sex": "MALE",
        "nationality": "SO",
        "dossierNumber": dossier,
        "responsibleMunicipalityId": municipality,
    }


async def _quiet_child_of(db: asyncpg.Connection, municipality: str) -> asyncpg.Record:
    """A child of `municipality` without an open case (no one else may see it)."""
    row = await db.fetchrow(
        """SELECT id, dossier_number FROM children ch WHERE responsible_municipality_id = $1
           AND NOT EXISTS (SELECT 1 FROM cases k WHERE k.child_id = ch.id
                           AND k.status <> 'CLOSED') ORDER BY id LIMIT 1""",
        municipality,
    )
    assert row is not None
    return row


async def test_a_cursor_outside_the_callers_scope_reads_as_a_bad_cursor_and_is_recorded(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    foreign = (await _quiet_child_of(db, "nacka"))["id"]
    token = hub.token("sigtuna", sub="prober@sigtuna")
    for cursor in (encode_cursor(foreign), encode_cursor(uuid.uuid4())):
        for query in (
            "query($a: String) { children(after: $a) { totalCount } }",
            "query($a: String) { cases(after: $a) { totalCount } }",
            "query($a: String) { myTasks(after: $a) { totalCount } }",
        ):
            response = await hub.graphql(token, query, {"a": cursor})
            error = response.json()["errors"][0]
            assert error["extensions"] == {"code": "INVALID_INPUT", "field": "after"}, query
            assert error["message"] == "after is not a cursor of this list"
    probes = await db.fetchval(
        "SELECT count(*) FROM audit_log WHERE kind = 'DENIED' AND sub = 'prober@sigtuna'"
    )
    assert probes >= 6
    own = await hub.query(hub.token("sigtuna"), "{ children(first: 1) { pageInfo { endCursor } } }")
    cursor = own["children"]["pageInfo"]["endCursor"]
    assert await hub.query(
        token, "query($a: String) { children(after: $a) { totalCount } }", a=cursor
    )


async def test_a_taken_dossier_number_of_a_child_you_may_not_see_names_nobody(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    foreign = await _quiet_child_of(db, "nacka")
    token = hub.token("sigtuna", sub="registrar@sigtuna")
    taken = await hub.graphql(
        token, REGISTER, {"input": _child_input("sigtuna", foreign["dossier_number"])}
    )
    error = taken.json()["errors"][0]
    assert error["extensions"] == {"code": "CONFLICT"}
    assert str(foreign["id"]) not in taken.text
    assert "nacka" not in taken.text.lower()
    probe = await db.fetchrow(
        "SELECT child_id, details FROM audit_log WHERE kind = 'DENIED' AND sub = $1",
        "registrar@sigtuna",
    )
    assert probe is not None
    assert probe["child_id"] == foreign["id"]
    assert probe["details"]["code"] == "DOSSIER_NUMBER_TAKEN"


async def test_a_taken_dossier_number_of_your_own_child_names_it(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    own = await _quiet_child_of(db, "sigtuna")
    taken = await hub.graphql(
        hub.token("sigtuna"), REGISTER, {"input": _child_input("sigtuna", own["dossier_number"])}
    )
    assert taken.json()["errors"][0]["extensions"] == {
        "code": "CONFLICT",
        "childId": str(own["id"]),
    }
