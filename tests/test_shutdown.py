"""Stopping a hub tells live clients to go elsewhere and resume: 1001, going away."""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from hub.demo.seed import _id
from tests.conftest import run_hub, until
from tests.events.wsclient import SUBSCRIPTION, closed, subscribe

SIGHTING = """mutation($input: AddSightingInput!) { addSighting(input: $input) { case { id } } }"""


async def test_stopping_closes_websockets_with_going_away_and_clients_resume(
    db_url: str, data_dir: Path
) -> None:
    case_id = str(_id("case", 17))
    running = run_hub(db_url, data_dir)
    hub = await running.__aenter__()
    token = hub.token("polisen-stockholm", "officer")
    ws = await connect(hub.ws_url, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
    await ws.send(
        json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
    )
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    payload = {"query": SUBSCRIPTION, "variables": {"caseId": case_id}}
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
    runtime = hub.runtime
    await until(lambda: runtime.live_subscribers >= 1, what="the subscriber registered")

    stopping = asyncio.create_task(running.__aexit__(None, None, None))
    try:
        while True:
            await asyncio.wait_for(ws.recv(), 10)
    except ConnectionClosed as closed:
        frame = closed.rcvd
    await asyncio.wait_for(stopping, 30)
    assert frame is not None
    assert frame.code == 1001
    assert "resume" in frame.reason

    async with run_hub(db_url, data_dir) as replacement:
        token = replacement.token("polisen-stockholm", "officer")
        async with subscribe(replacement, token, case_id=case_id) as sub:
            await replacement.query(
                token,
                SIGHTING,
                input={
                    "caseId": case_id,
                    "seenAt": "2026-11-01T12:00:00Z",
                    "place": "Fridhemsplan",
                },
            )
            assert (await sub.next())["type"] == "SIGHTING_ADDED"


async def test_a_cohort_closed_by_a_stopping_hub_promotes_no_member_to_lead(
    db_url: str, data_dir: Path
) -> None:
    """Three officers of one cohort (one leads, two parked) are each closed with 1001,
    and no parked member takes the lead meanwhile to replay the outbox for nothing."""
    case_id = str(_id("case", 17))
    running = run_hub(db_url, data_dir)
    hub = await running.__aenter__()
    parking = hub.runtime.parking
    tokens = [hub.token("polisen-stockholm", "officer", sub=f"away-{n}") for n in range(3)]
    async with contextlib.AsyncExitStack() as stack:
        subs = [await stack.enter_async_context(subscribe(hub, t, case_id=case_id)) for t in tokens]
        await until(lambda: parking.member_count == 2, what="two members parked")
        stopping = asyncio.create_task(running.__aexit__(None, None, None))
        codes = [(await closed(sub.ws, 10))[0] for sub in subs]
        await asyncio.wait_for(stopping, 30)
    assert codes == [1001, 1001, 1001]
    assert parking.promoted == 0
