"""One bad string fails only its own request: refused at the boundary, never in a
shared commit."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import asyncpg

from hub.audit.appender import AuditAppender
from hub.audit.models import AuditKind
from hub.audit.recorder import Recorder
from hub.audit.writing import recorder_for
from hub.text import MAX_DETAIL_TEXT, clean
from tests.conftest import RunningHub
from tests.events.wsclient import subscribe

AUDIT = """query($f: AuditFilterInput) {
    auditLog(first: 5, filter: $f) { edges { node { seq } } } }"""
READ = "{ cases(first: 5) { totalCount } }"


async def _post(hub: RunningHub, token: str, query: str, variables: dict[str, Any]) -> Any:
    """JSON escapes as a client sends them ("\\u0000", "\\ud800"), bytes all ASCII."""
    content = json.dumps({"query": query, "variables": variables})
    response = await hub.http.post(
        "/graphql",
        content=content,
        headers={"authorization": f"Bearer {token}", "content-type": "application/json"},
    )
    return response.json()


async def test_a_nul_or_lone_surrogate_in_any_string_is_invalid_input(hub: RunningHub) -> None:
    token = hub.token("nacka")
    for value in ("a\x00b", "\ud800", "x\udfffy"):
        body = await _post(hub, token, "query($id: ID!) { child(id: $id) { id } }", {"id": value})
        assert body["data"] is None
        assert body["errors"][0]["extensions"] == {"code": "INVALID_INPUT", "field": "id"}
    nested = await _post(
        hub,
        token,
        "mutation($i: ReportAbsentInput!) { reportAbsent(input: $i) { case { id } } }",
        {"i": {"childId": "x", "lastSeenAt": "2026-01-01T00:00:00Z", "lastSeenPlace": "\x00"}},
    )
    assert nested["errors"][0]["extensions"]["field"] == "i.lastSeenPlace"
    literal = await hub.graphql(token, '{ child(id: "a\\u0000b") { id } }')
    assert literal.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_an_auditors_nul_filter_fails_alone_while_200_reads_succeed(
    hub: RunningHub,
) -> None:
    auditor = hub.token("lansstyrelsen-stockholm", "auditor")
    police = hub.token("polisen-stockholm", "officer")
    bad, *reads = await asyncio.gather(
        hub.graphql(auditor, AUDIT, {"f": {"sub": "x\x00y"}}),
        *(hub.graphql(police, READ) for _ in range(200)),
    )
    assert bad.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    assert [r.status_code for r in reads] == [200] * 200
    assert all("errors" not in r.json() for r in reads)
    export = await hub.http.get(
        "/audit/export.csv", params={"sub": "x\x00"}, headers={"authorization": f"Bearer {auditor}"}
    )
    assert export.status_code == 400
    assert export.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_a_subscription_with_a_nul_variable_is_refused(hub: RunningHub) -> None:
    async with subscribe(hub, hub.token("nacka"), after="1\x00") as events:
        message = await events.message()
    assert message["type"] == "error"
    assert message["payload"][0]["extensions"]["code"] == "INVALID_INPUT"


def test_audit_details_are_stored_clean_and_capped() -> None:
    details = clean({"reason": "a\x00b" + "x" * 5000, "deep": {"a": {"b": {"c": {"d": 1}}}}})
    assert "\x00" not in details["reason"]
    assert len(details["reason"]) == MAX_DETAIL_TEXT
    assert isinstance(details["deep"]["a"]["b"], str)  # flattened past three levels
    assert clean({"k": list(range(1000))})["k"] == list(range(50))


async def test_when_the_database_refuses_one_record_of_a_batch_only_its_caller_fails(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    appender = AuditAppender(hub.runtime.pool)
    settings = hub.runtime.settings

    def recorder(operation: str) -> Recorder:
        audit = recorder_for(None, settings, {}, kind=AuditKind.DENIED)
        audit.operation = operation
        audit.record(AuditKind.DENIED, "probe")
        return audit

    good, bad = recorder("Good"), recorder("Bad\x00")  # NUL: PostgreSQL refuses the text
    results = await asyncio.gather(
        appender.append(good), appender.append(bad), return_exceptions=True
    )
    await appender.close()
    assert results[0] is None
    assert isinstance(results[1], asyncpg.PostgresError | ValueError)
    written = await db.fetch(
        "SELECT operation FROM audit_log WHERE request_id = $1", good.request_id
    )
    assert [r["operation"] for r in written] == ["Good"]
