"""WebSockets authenticate in connection_init; refusal and expiry close with 4403."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect

from tests.conftest import RunningHub, run_hub
from tests.events.wsclient import closed

TRANSPORT = "graphql-transport-ws"
LEGACY = "graphql-ws"


async def _init(ws: ClientConnection, payload: dict[str, Any]) -> dict[str, Any]:
    await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
    reply: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 5))
    return reply


async def test_a_valid_token_is_acknowledged_and_queries_run(hub: RunningHub) -> None:
    async with connect(hub.ws_url, subprotocols=[TRANSPORT]) as ws:  # type: ignore[list-item]
        token = hub.token("nacka")
        assert (await _init(ws, {"authorization": f"Bearer {token}"}))["type"] == "connection_ack"
        await ws.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": "{ me { organisation { id } } }"},
                }
            )
        )
        reply = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert reply["payload"]["data"]["me"]["organisation"]["id"] == "nacka"


@pytest.mark.parametrize("payload", [{}, {"authorization": "Bearer nonsense"}])
async def test_a_missing_or_bad_token_closes_with_4403(
    hub: RunningHub, payload: dict[str, Any]
) -> None:
    async with connect(hub.ws_url, subprotocols=[TRANSPORT]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        code, reason = await closed(ws)
    assert code == 4403
    assert reason in (
        "no access token; send 'Authorization: Bearer <token>'",
        "the token is malformed: a JWT has three dot-separated parts",
    )


async def test_the_legacy_protocol_refuses_a_bad_token_with_4403_too(hub: RunningHub) -> None:
    async with connect(hub.ws_url, subprotocols=[LEGACY]) as ws:  # type: ignore[list-item]
        reply = await _init(ws, {"authorization": "Bearer a.b.c"})
        assert reply["type"] == "connection_error"
        assert reply["payload"]["extensions"]["code"] == "UNAUTHENTICATED"
        code, _ = await closed(ws)
    assert code == 4403


async def test_the_legacy_protocol_accepts_a_valid_token(hub: RunningHub) -> None:
    async with connect(hub.ws_url, subprotocols=[LEGACY]) as ws:  # type: ignore[list-item]
        reply = await _init(ws, {"authorization": f"Bearer {hub.token('nacka')}"})
        assert reply["type"] == "connection_ack"


async def test_the_socket_closes_when_its_token_expires(hub: RunningHub) -> None:
    # the validator allows 30 s of clock leeway; a token that expires in 1 s but was
    # issued with exp inside the leeway is still accepted and must close on its exp
    token = hub.token("nacka", ttl=1)
    async with connect(hub.ws_url, subprotocols=[TRANSPORT]) as ws:  # type: ignore[list-item]
        assert (await _init(ws, {"authorization": f"Bearer {token}"}))["type"] == "connection_ack"
        code, reason = await closed(ws)
    assert (code, reason) == (4403, "the token has expired (exp)")


async def test_the_server_pings_idle_sockets(db_url: str, data_dir: Path) -> None:
    async with (
        run_hub(db_url, data_dir, ws_heartbeat=0.2) as hub,
        connect(hub.ws_url, subprotocols=[TRANSPORT]) as ws,  # type: ignore[list-item]
    ):
        ack = await _init(ws, {"authorization": f"Bearer {hub.token('nacka')}"})
        assert ack["type"] == "connection_ack"
        message = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert message == {"type": "ping"}
