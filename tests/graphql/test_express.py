"""The express lane (`hub.graphql.express`) answers compiled reads as the normal way does,
and sends everything else the normal way.

The generated comparison with the stock executor is `test_compiled_differential.py`
(its compiled hub answers through the lane); these tests hold the envelope (status,
headers, bytes), a record that cannot be written, and each kind of request the lane must
leave alone."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from strawberry.http.parse_content_type import parse_content_type

from hub.graphql.express import PLANS_PER_DOCUMENT, Express, _media_type
from hub.graphql.persisted import digest
from tests.audit.helpers import MISSING_CASE
from tests.conftest import RunningHub, run_hub

DETAIL = """query Detail($id: ID!) { case(id: $id) { id status openedAt lastSeenPlace
    child { id givenName description { clothing heightCm } }
    sightings { seenAt place } tasks { title dueAt status } withheld { category reason } } }"""
_VARYING = {"date", "x-request-id", "x-client-request-id"}


def _lane(hub: RunningHub) -> Express:
    express = hub.runtime.express
    assert express is not None
    return express


def _envelope(response: httpx.Response) -> tuple[int, list[tuple[str, str]], bytes]:
    headers = sorted((k, v) for k, v in response.headers.items() if k not in _VARYING)
    return response.status_code, headers, response.content


async def test_a_compiled_read_gets_the_same_status_headers_and_bytes_by_the_express_lane(
    db_url: str, data_dir: Path
) -> None:
    async with (
        run_hub(db_url, data_dir) as express,
        run_hub(db_url, data_dir, express=False) as normal,
    ):
        assert normal.runtime.express is None
        for org, role in (("polisen-stockholm", "officer"), ("stockholm", "caseworker")):
            token = express.token(org, role)
            sent = {"id": str(MISSING_CASE)}
            before = _lane(express).answered
            one = await express.graphql(token, DETAIL, sent, {"x-request-id": "same"})
            other = await normal.graphql(token, DETAIL, sent, {"x-request-id": "same"})
            assert _lane(express).answered == before + 1
            assert one.json()["data"]["case"]["id"] == str(MISSING_CASE)
            assert _envelope(one) == _envelope(other)


async def test_timestamps_come_back_to_the_microsecond_and_infinity_goes_the_normal_way(
    db_url: str, data_dir: Path, db: asyncpg.Connection
) -> None:
    """The compiled statements hand timestamps over as UTC text."""
    timed = DETAIL.replace("dueAt status", "dueAt status overdue")
    first = "SELECT id FROM {} WHERE case_id = $1 ORDER BY {}, id LIMIT 2"
    sighting = await db.fetchval(first.format("sightings", "seen_at"), MISSING_CASE)
    tasks = [r["id"] for r in await db.fetch(first.format("tasks", "due_at"), MISSING_CASE)]
    opened, seen = "1950-06-01T12:00:00.000001", "2200-01-19T03:14:08.5"
    set_at = "UPDATE {} SET {} = $2 WHERE id = $1"
    await db.execute(set_at.format("cases", "opened_at"), MISSING_CASE, _utc(opened))
    await db.execute(set_at.format("sightings", "seen_at"), sighting, _utc(seen))
    await db.execute("UPDATE tasks SET status = 'OPEN' WHERE case_id = $1", MISSING_CASE)
    due = "UPDATE tasks SET due_soon_at = $2, due_at = $2 WHERE id = $1"
    await db.execute(due, tasks[0], _utc("2000-01-01"))  # overdue
    await db.execute(due, tasks[1], _utc("2100-01-01"))  # not yet
    async with (
        run_hub(db_url, data_dir) as express,
        run_hub(db_url, data_dir, express=False) as normal,
    ):
        token = express.token("polisen-stockholm", "officer")
        sent, same = {"id": str(MISSING_CASE)}, {"x-request-id": "same"}
        one = await express.graphql(token, timed, sent, same)
        assert _lane(express).answered == 1
        case = one.json()["data"]["case"]
        assert case["openedAt"] == f"{opened}+00:00"
        assert f"{seen}00000+00:00" in [s["seenAt"] for s in case["sightings"]]
        overdue = {t["dueAt"]: t["overdue"] for t in case["tasks"]}
        assert overdue["2000-01-01T00:00:00+00:00"] is True
        assert overdue["2100-01-01T00:00:00+00:00"] is False
        assert _envelope(one) == _envelope(await normal.graphql(token, timed, sent, same))

        endless = "UPDATE sightings SET seen_at = 'infinity' WHERE id = $1"
        await db.execute(endless, sighting)
        one = await express.graphql(token, timed, sent, same)
        assert _lane(express).answered == 1  # the normal way answered it
        seen_at = [s["seenAt"] for s in one.json()["data"]["case"]["sightings"]]
        assert "9999-12-31T23:59:59.999999" in seen_at  # asyncpg's infinity
        assert _envelope(one) == _envelope(await normal.graphql(token, timed, sent, same))


def _utc(moment: str) -> datetime:
    return datetime.fromisoformat(moment).replace(tzinfo=UTC)


async def test_the_express_lane_plans_a_document_once_per_boolean_variables_and_answers_each(
    db_url: str, data_dir: Path
) -> None:
    query = """query Shown($id: ID!, $full: Boolean!, $lean: Boolean = false) {
        case(id: $id) { id status child @include(if: $full) { givenName }
        sightings @skip(if: $lean) { place } } }"""
    sent = [{"full": True}, {"full": False}, {"full": True, "lean": True}, {"full": False}]
    async with (
        run_hub(db_url, data_dir) as express,
        run_hub(db_url, data_dir, express=False) as normal,
    ):
        token = express.token("polisen-stockholm", "officer")
        lane = _lane(express)
        for variables in sent:
            both = {"id": str(MISSING_CASE), **variables}
            one = await express.graphql(token, query, both, {"x-request-id": "same"})
            other = await normal.graphql(token, query, both, {"x-request-id": "same"})
            assert _envelope(one) == _envelope(other)
            assert ("child" in one.json()["data"]["case"]) is variables["full"]
        assert lane.answered == len(sent)
        [admitted] = [a for (text, _), a in lane._admitted.items() if text == query]
        assert admitted is not None
        assert len(admitted.plans) == 3  # one per distinct set of Boolean values


async def test_the_express_lane_keeps_a_bounded_number_of_plans_per_document(
    hub: RunningHub,
) -> None:
    flags = [f"f{n}" for n in range(6)]
    query = (
        f"query Many($id: ID!, {', '.join(f'${f}: Boolean!' for f in flags)}) "
        f"{{ case(id: $id) {{ id {' '.join(f'{f}: status @include(if: ${f})' for f in flags)} }} }}"
    )
    token = hub.token("polisen-stockholm", "officer")
    lane = _lane(hub)
    sets = [{f: bool(n >> i & 1) for i, f in enumerate(flags)} for n in range(2 ** len(flags))]
    for values in sets[: PLANS_PER_DOCUMENT + 4]:
        data = await hub.query(token, query, id=str(MISSING_CASE), **values)
        assert sorted(k for k in data["case"] if k != "id") == [f for f in flags if values[f]]
    assert lane.answered == PLANS_PER_DOCUMENT + 4  # every one answered, kept or not
    [admitted] = [a for (text, _), a in lane._admitted.items() if text == query]
    assert admitted is not None
    assert len(admitted.plans) == PLANS_PER_DOCUMENT


async def test_a_read_whose_record_cannot_be_written_sends_no_data_by_the_express_lane(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    await db.execute("REVOKE INSERT ON audit_log FROM hub_app")  # the trail cannot be written
    police = hub.token("polisen-stockholm", "officer")
    before = _lane(hub).answered
    body = (await hub.graphql(police, DETAIL, {"id": str(MISSING_CASE)})).json()
    assert _lane(hub).answered == before + 1
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
    assert "audit_log" not in body["errors"][0]["message"]


async def test_what_the_express_lane_may_not_answer_goes_the_normal_way(
    db_url: str, data_dir: Path
) -> None:
    case = str(MISSING_CASE)
    flat = "query Flat($id: ID!) { case(id: $id) { id status } }"
    refused: list[tuple[dict[str, Any], str]] = [
        ({"query": "mutation { registerChild(input: {}) { __typename } }"}, "*"),
        ({"query": "{ case(id: 1) { nope } }"}, "GRAPHQL_VALIDATION_FAILED"),
        ({"query": flat, "variables": {"id": "\u0000"}}, "INVALID_INPUT"),
        ({"query": flat, "variables": {}}, "*"),
        ({"query": "{ case(id: 1) { id child { id } } }"}, "QUERY_TOO_COMPLEX"),
        ({"query": "{ a: case(id: 1) { id } b: case(id: 2) { id } }"}, "QUERY_TOO_COMPLEX"),
        ({"query": flat, "operationName": "Other", "variables": {"id": case}}, "*"),
        ({"query": "{ me { sub } }"}, ""),  # outside the compiled subset: answered
    ]
    async with run_hub(db_url, data_dir, max_depth=1, max_aliases=1) as hub:
        police = {"authorization": f"Bearer {hub.token('polisen-stockholm', 'officer')}"}
        lane = _lane(hub)
        for sent, code in refused:
            response = await hub.http.post("/graphql", json=sent, headers=police)
            body = response.json()
            assert lane.answered == 0, sent
            if not code:
                assert "errors" not in body, body
            elif code == "*":  # refused, as the normal way refuses it
                assert response.status_code == 400 or body["errors"], body
            else:
                assert body["errors"][0]["extensions"]["code"] == code, body
        batch = await hub.http.post("/graphql", json=[{"query": "{ me { sub } }"}], headers=police)
        assert batch.status_code == 400
        get = await hub.http.get(
            "/graphql", params={"query": f'{{ case(id: "{case}") {{ id }} }}'}, headers=police
        )
        assert get.json()["data"]["case"]["id"] == case
        assert lane.answered == 0


def test_the_express_lane_reads_a_content_type_as_strawberry_does() -> None:
    values = [
        "application/json",
        "Application/JSON; charset=utf-8",
        "  application/json ;charset=utf-8",
        "application/json/x",
        "application/graphql-response+json",
        "text/plain; application/json",
        "application/jsonl",
        "multipart/form-data; boundary=x",
        "json",
        "",
        ";",
        "; application/json",
        'application/json; a="x;y"',
        "\tapplication/json\t;",
        "application/json\r\n",
    ]
    for value in values:
        assert _media_type(value) == parse_content_type(value)[0], value


async def test_with_persisted_operations_only_the_lane_answers_a_listed_read_and_no_other(
    db_url: str, data_dir: Path, tmp_path: Path
) -> None:
    listed = "query Listed($id: ID!) { case(id: $id) { id status } }"
    other = "query Other($id: ID!) { case(id: $id) { id status lastSeenPlace } }"
    safelist = tmp_path / "operations.json"
    safelist.write_text(json.dumps({digest(listed): listed}))
    async with run_hub(db_url, data_dir, persisted_only=safelist) as hub:
        police = {"authorization": f"Bearer {hub.token('polisen-stockholm', 'officer')}"}
        lane = _lane(hub)
        variables = {"id": str(MISSING_CASE)}
        by_hash = {"persistedQuery": {"version": 1, "sha256Hash": digest(listed)}}
        for sent in ({"query": listed}, {"extensions": by_hash}):
            response = await hub.http.post(
                "/graphql", json={**sent, "variables": variables}, headers=police
            )
            assert response.json()["data"]["case"]["id"] == str(MISSING_CASE)
        assert lane.answered == 2
        refused = await hub.http.post(
            "/graphql", json={"query": other, "variables": variables}, headers=police
        )
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
        unknown = {"persistedQuery": {"version": 1, "sha256Hash": digest(other)}}
        missing = await hub.http.post(
            "/graphql", json={"extensions": unknown, "variables": variables}, headers=police
        )
        assert missing.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
        assert lane.answered == 2


async def test_a_hub_without_audit_answers_compiled_reads_alike_and_records_nothing(
    db_url: str, data_dir: Path, db: asyncpg.Connection
) -> None:
    """The benchmark's foil (`bench.serve --no-audit`) skips the recorder's work on a
    compiled page, and only that: its answers are the audited hub's, byte for byte."""
    page = """{ cases(first: 50) { totalCount edges { node { id status lastSeenPlace
        child { id givenName description { clothing } } withheld { category reason } } } } }"""
    async with run_hub(db_url, data_dir) as audited, run_hub(db_url, data_dir) as quiet:
        quiet.runtime.audit_enabled = False
        shown = 0
        for org, role in (("stockholm", "caseworker"), ("stadsmissionen", "staff")):
            token = audited.token(org, role)
            for query, variables in ((page, None), (DETAIL, {"id": str(MISSING_CASE)})):
                one = await audited.graphql(token, query, variables)
                rows = await db.fetchval("SELECT count(*) FROM audit_log")
                other = await quiet.graphql(token, query, variables)
                assert await db.fetchval("SELECT count(*) FROM audit_log") == rows
                assert one.content == other.content
                shown += len((one.json()["data"].get("cases") or {"edges": []})["edges"])
        assert shown > 0
