"""Telemetry through the standard OTEL_* variables, exported over real OTLP/HTTP to a
collector stand-in: the spans and metrics an operator needs, and no personal data in
them or in the JSON logs."""

from __future__ import annotations

import json
import signal
import tempfile
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import asyncpg
import httpx
import pytest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from hub.auth.dev_issuer import DevIssuer
from hub.demo.seed import _id
from hub.graphql.pagination import encode_cursor
from tests.conftest import until
from tests.events.wsclient import subscribe
from tests.processes import start_hub, wait_ready


class Collector:
    """Keeps every OTLP/HTTP export it is sent, by path."""

    def __init__(self) -> None:
        self.received: dict[str, list[bytes]] = {}
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                collector.received.setdefault(self.path, []).append(body)
                self.send_response(200)
                self.send_header("content-type", "application/x-protobuf")
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def spans(self) -> list[str]:
        names = []
        for body in self.received.get("/v1/traces", []):
            request = ExportTraceServiceRequest.FromString(body)
            for resource in request.resource_spans:
                for scope in resource.scope_spans:
                    names += [s.name for s in scope.spans]
        return names

    def metrics(self) -> set[str]:
        names = set()
        for body in self.received.get("/v1/metrics", []):
            request = ExportMetricsServiceRequest.FromString(body)
            for resource in request.resource_metrics:
                for scope in resource.scope_metrics:
                    names |= {m.name for m in scope.metrics}
        return names

    def everything(self) -> str:
        """All exports, decoded to text, and raw: what a leak would be found in."""
        parts = []
        for path, bodies in self.received.items():
            for body in bodies:
                parts.append(body.decode("latin-1"))
                if path == "/v1/traces":
                    parts.append(str(ExportTraceServiceRequest.FromString(body)))
                elif path == "/v1/metrics":
                    parts.append(str(ExportMetricsServiceRequest.FromString(body)))
        return "\n".join(parts)


@pytest.fixture
def collector() -> Iterator[Collector]:
    c = Collector()
    yield c
    c.server.shutdown()
    c.server.server_close()


CASES = """query Board { cases(first: 50) { edges { node { id status lastSeenPlace
    child { id givenName familyName birthDate description { clothing } } } } } }"""
PROBE = "query Probe($after: String) { cases(first: 5, after: $after) { totalCount } }"
FOUND = """mutation Found($input: ReportFoundInput!) {
    reportFound(input: $input) { case { id status } } }"""


async def _personal_values(db: asyncpg.Connection) -> set[str]:
    children = await db.fetch("SELECT id, given_name, family_name FROM children")
    cases = await db.fetch("SELECT id FROM cases")
    values = {str(c["id"]) for c in cases}
    for child in children:
        values |= {str(child["id"]), child["given_name"], child["family_name"]}
    return {v for v in values if v and len(v) >= 3}


async def test_spans_and_metrics_are_exported_without_personal_data(
    db_url: str, db: asyncpg.Connection, collector: Collector
) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="hub-otel-"))
    process, base = start_hub(
        db_url,
        data_dir,
        HUB_LOG_LEVEL="DEBUG",
        HUB_LOG_FORMAT="json",
        OTEL_EXPORTER_OTLP_ENDPOINT=collector.url,
        OTEL_SERVICE_NAME="hub-test",
        OTEL_BSP_SCHEDULE_DELAY="600000",  # spans leave at the end: what SIGTERM must flush
        OTEL_METRIC_EXPORT_INTERVAL="500",
    )
    try:
        await wait_ready(base, process)
        issuer = DevIssuer(data_dir, audience="hub")
        police = issuer.issue(sub="p-1", org="polisen-stockholm", roles=["officer"], ttl=600)
        case_id = str(_id("case", 17))
        async with httpx.AsyncClient(base_url=base) as http:
            headers = {"authorization": f"Bearer {police}", "x-request-id": "req-telemetry-1"}
            board = await http.post("/graphql", json={"query": CASES}, headers=headers)
            assert board.json()["data"]["cases"]["edges"]
            assert board.headers["x-client-request-id"] == "req-telemetry-1"
            assert board.headers["x-request-id"] != "req-telemetry-1"
            seen = await http.post(
                "/graphql",
                json={
                    "query": "query($id: ID!) { case(id: $id) { events { cursor } } }",
                    "variables": {"id": case_id},
                },
                headers=headers,
            )
            last = seen.json()["data"]["case"]["events"][-1]["cursor"]
            # another process's hub: the replay from `last` closes any gap at the seam
            async with subscribe(
                base.replace("http", "ws") + "/graphql", police, after=last
            ) as sub:
                found = await http.post(
                    "/graphql",
                    json={
                        "query": FOUND,
                        "variables": {
                            "input": {
                                "caseId": case_id,
                                "foundAt": datetime.now(UTC).isoformat(),
                                "place": "Medborgarplatsen",
                            }
                        },
                    },
                    headers=headers,
                )
                assert "errors" not in found.json(), found.json()
                await sub.next()
            bad = await http.post("/graphql", json={"query": "{ nope }"}, headers=headers)
            assert bad.json()["errors"]
            # a cursor of no row: the express lane hands the read to the normal way
            probe = await http.post(
                "/graphql",
                json={"query": PROBE, "variables": {"after": encode_cursor(uuid.uuid4())}},
                headers=headers,
            )
            assert probe.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
        await until(  # metric export intervals, however loaded the machine
            lambda: (
                {"hub.graphql.requests", "hub.graphql.errors", "hub.subscription.deliveries"}
                <= collector.metrics()
            ),
            within=15,
            what="the first exports",
        )
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)

    spans = collector.spans()
    assert "graphql.query Board" in spans
    assert "graphql.mutation Found" in spans
    assert "graphql.query Probe (handed on)" in spans  # the lane's, not counted
    assert "graphql.query Probe" in spans  # the normal way's
    assert "graphql.subscription.delivery" in spans
    assert any(name.startswith(("SELECT", "INSERT", "BEGIN")) for name in spans), spans[:20]
    assert {
        "hub.graphql.requests",
        "hub.graphql.duration",
        "hub.graphql.errors",
        "hub.subscription.deliveries",
        "hub.audit.rows",
        "hub.policy.decisions",
        "hub.subscriptions.active",
        "hub.db.pool.connections",
    } <= collector.metrics()

    log_lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert log_lines, output[:2000]
    assert all({"time", "level", "logger", "request_id", "trace_id"} <= set(x) for x in log_lines)

    emitted = collector.everything() + output
    personal = await _personal_values(db)
    shown = json.dumps(board.json())
    assert sum(v in shown for v in personal) >= 10, "the scan looks for what was disclosed"
    leaked = sorted(v for v in personal if v in emitted)
    for value in ("Medborgarplatsen", case_id):
        assert value not in emitted
    assert leaked == [], f"personal data in telemetry or logs: {leaked[:5]}"
    assert uuid.UUID(case_id)  # the scan above looked for real ids
