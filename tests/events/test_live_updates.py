"""Live updates over real WebSockets: prompt, redacted, resumable, across replicas."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from hub.demo.seed import _id
from tests.conftest import RunningHub, run_hub, until
from tests.events.reports import sight
from tests.events.wsclient import subscribe

ABSENT_CASE = str(_id("case", 5))
MISSING_CASE = str(_id("case", 17))
MISSING_CHILD = str(_id("child", 17))

FOUND = """mutation($input: ReportFoundInput!) { reportFound(input: $input) { case { id } } }"""


def _ago(minutes: int) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat()


async def test_a_subscriber_receives_a_status_change_promptly(hub: RunningHub) -> None:
    async with subscribe(
        hub, hub.token("polisen-stockholm", "officer"), case_id=ABSENT_CASE
    ) as sub:
        await hub.query(
            hub.token("polisen-stockholm", "officer"),
            FOUND,
            input={"caseId": ABSENT_CASE, "foundAt": _ago(1), "place": "Slussen"},
        )
        event = await sub.next(within=2.0)
        assert event["type"] == "STATUS_CHANGED"
        assert event["case"]["status"] == "FOUND"
        assert event["actor"] == {"id": "polisen-stockholm"}


async def test_an_ngo_without_consent_receives_nothing_and_with_consent_a_redacted_case(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    ngo = hub.token("stadsmissionen", "staff")
    async with subscribe(hub, ngo, case_id=MISSING_CASE) as sub:
        await sight(hub, "Hötorget")
        await sub.nothing_for(1.0)

    responsible = await db.fetchval(
        "SELECT responsible_municipality_id FROM children WHERE id = $1",
        __import__("uuid").UUID(MISSING_CHILD),
    )
    await hub.query(
        hub.token(responsible),
        """mutation($input: GrantConsentInput!) {
        grantConsent(input: $input) { consent { id } } }""",
        input={
            "childId": MISSING_CHILD,
            "recipientOrganisationId": "stadsmissionen",
            "categories": ["CASE_STATUS", "IDENTITY", "DESCRIPTION", "SIGHTINGS"],
        },
    )
    async with subscribe(hub, ngo, case_id=MISSING_CASE) as sub:
        await sight(hub, "Sergels torg")
        event = await sub.next()
        assert event["type"] == "SIGHTING_ADDED"
        child = event["case"]["child"]
        assert child["givenName"]
        assert child["description"]["clothing"]
        assert child["health"] is None
        assert "HEALTH" in {w["category"] for w in event["case"]["withheld"]} | {"HEALTH"}


async def test_resuming_from_a_cursor_yields_exactly_the_missed_events(hub: RunningHub) -> None:
    police = hub.token("polisen-stockholm", "officer")
    async with subscribe(hub, police, case_id=MISSING_CASE) as sub:
        await sight(hub, "plats 1")
        seen = await sub.next()
    for n in (2, 3, 4):
        await sight(hub, f"plats {n}")
    async with subscribe(hub, police, after=seen["cursor"], case_id=MISSING_CASE) as sub:
        missed = [await sub.next() for _ in range(3)]
        await sight(hub, "plats 5")
        live = await sub.next()
        await sub.nothing_for(0.5)
    cursors = [int(e["cursor"]) for e in [*missed, live]]
    assert cursors == sorted(set(cursors)), "in order, no duplicates"
    assert all(c > int(seen["cursor"]) for c in cursors)
    assert [e["type"] for e in missed] == ["SIGHTING_ADDED"] * 3


async def test_a_change_through_one_replica_reaches_subscribers_on_another(
    hub: RunningHub, db_url: str, tmp_path: Path
) -> None:
    async with (
        run_hub(db_url, hub.runtime.settings.data_dir) as other,
        subscribe(other, other.token("polisen-stockholm", "officer"), case_id=MISSING_CASE) as sub,
    ):
        await sight(hub, "via replica A")
        event = await sub.next()
    assert event["type"] == "SIGHTING_ADDED"


async def test_losing_the_listen_connection_loses_no_event(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    police = hub.token("polisen-stockholm", "officer")
    async with subscribe(hub, police, case_id=MISSING_CASE) as sub:
        killed = await db.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE query LIKE 'LISTEN%' AND datname = current_database()"
        )
        assert killed >= 1
        await sight(hub, "under the outage")
        event = await sub.next(within=10)
        assert event["type"] == "SIGHTING_ADDED"
        await until(lambda: hub.runtime.bus.reconnects >= 1, what="the bus reconnected")


async def test_a_subscription_with_a_bad_case_id_is_refused_with_a_code(hub: RunningHub) -> None:
    async with subscribe(
        hub, hub.token("polisen-stockholm", "officer"), case_id="not-a-case"
    ) as sub:
        message = await sub.message()
    assert message["type"] in ("error", "next")
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "INVALID_INPUT"


async def test_a_slow_consumer_is_cut_off_with_a_code_and_its_cursor(
    db_url: str, data_dir: Path, db: asyncpg.Connection
) -> None:
    import json
    import uuid

    async with (
        run_hub(db_url, data_dir, subscriber_queue=2) as small,
        subscribe(small, small.token("polisen-stockholm", "officer")) as sub,
    ):
        child = await db.fetchval(
            "SELECT child_id FROM cases WHERE id = $1", uuid.UUID(MISSING_CASE)
        )
        # a burst larger than the queue, committed at once
        async with db.transaction():
            await db.executemany(
                "INSERT INTO case_events (type, child_id, case_id, payload) "
                "VALUES ('SIGHTING_ADDED', $1, $2, $3::jsonb)",
                [(child, uuid.UUID(MISSING_CASE), json.dumps({"n": n})) for n in range(10)],
            )
        while True:
            message = await sub.message()
            if message["type"] != "next" or "errors" in message["payload"]:
                break
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "SLOW_CONSUMER"
    assert int(errors[0]["extensions"]["cursor"]) >= 0


async def test_the_legacy_graphql_ws_protocol_delivers_events_too(hub: RunningHub) -> None:
    import json

    from websockets.asyncio.client import connect

    from tests.events.wsclient import SUBSCRIPTION

    token = hub.token("polisen-stockholm", "officer")
    async with connect(hub.ws_url, subprotocols=["graphql-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        )
        assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
        runtime, before = hub.runtime, hub.runtime.live_subscribers
        await ws.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "start",
                    "payload": {"query": SUBSCRIPTION, "variables": {"caseId": MISSING_CASE}},
                }
            )
        )
        await until(lambda: runtime.live_subscribers > before, what="the subscriber registered")
        await sight(hub, "legacy")
        while True:
            message = json.loads(await asyncio.wait_for(ws.recv(), 5))
            if message["type"] == "data":
                event = message["payload"]["data"]["caseEvents"]
                if not event["type"].startswith("TASK_"):
                    break
    assert event["type"] == "SIGHTING_ADDED"


async def _sse_events(response: Any, count: int) -> list[tuple[str | None, dict[str, Any]]]:
    """Read `count` non-task events from an SSE response: (id, payload) pairs."""
    import json

    found: list[tuple[str | None, dict[str, Any]]] = []
    event_id: str | None = None
    async for line in response.aiter_lines():
        if line.startswith("id: "):
            event_id = line[4:]
        elif line.startswith("data: "):
            payload = json.loads(line[6:])
            if not payload["data"]["caseEvents"]["type"].startswith("TASK_"):
                found.append((event_id, payload))
                if len(found) == count:
                    return found
    raise AssertionError("the stream ended early")


async def test_server_sent_events_deliver_and_resume_with_last_event_id(
    hub: RunningHub,
) -> None:
    from tests.events.wsclient import SUBSCRIPTION

    token = hub.token("polisen-stockholm", "officer")
    params = {"query": SUBSCRIPTION, "variables": f'{{"caseId": "{MISSING_CASE}"}}'}
    headers = {"authorization": f"Bearer {token}", "accept": "text/event-stream"}
    runtime, before = hub.runtime, hub.runtime.live_subscribers
    async with hub.http.stream(
        "GET", "/graphql/stream", params=params, headers=headers
    ) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        await until(lambda: runtime.live_subscribers > before, what="the stream registered")
        await sight(hub, "via SSE")
        [(first_id, first)] = await asyncio.wait_for(_sse_events(response, 1), 5)
    assert first["data"]["caseEvents"]["type"] == "SIGHTING_ADDED"
    assert first_id == first["data"]["caseEvents"]["cursor"]

    await sight(hub, "while away")
    async with hub.http.stream(
        "GET", "/graphql/stream", params=params, headers={**headers, "last-event-id": str(first_id)}
    ) as again:
        [(resumed_id, _)] = await asyncio.wait_for(_sse_events(again, 1), 5)
    assert resumed_id is not None
    assert int(resumed_id) > int(str(first_id))


async def test_server_sent_events_need_a_token(hub: RunningHub) -> None:
    response = await hub.http.get("/graphql/stream", params={"query": "subscription { x }"})
    assert response.status_code == 401


async def test_idle_subscribers_hold_no_database_connection(db_url: str, data_dir: Path) -> None:
    from contextlib import AsyncExitStack

    async with run_hub(db_url, data_dir, pool_max_size=2) as small, AsyncExitStack() as stack:
        police = small.token("polisen-stockholm", "officer")
        subs = [
            await stack.enter_async_context(subscribe(small, police, case_id=MISSING_CASE))
            for _ in range(4)
        ]
        for place in ("first", "second"):
            await sight(small, place)
            events = [await s.next() for s in subs]
            assert {e["type"] for e in events} == {"SIGHTING_ADDED"}
        # with every subscriber idle again, a query still gets a connection at once
        assert (await small.query(police, "{ cases { totalCount } }"))["cases"]["totalCount"]
