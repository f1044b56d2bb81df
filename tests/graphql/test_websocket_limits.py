"""WebSocket limits: sockets per user, subscriptions per socket, silent sockets."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from websockets.asyncio.client import ClientConnection, connect

from tests.conftest import RunningHub, run_hub, until
from tests.events.wsclient import SUBSCRIPTION, closed

TRANSPORT = "graphql-transport-ws"


async def _open(hub: RunningHub, token: str) -> ClientConnection:
    ws = await connect(hub.ws_url, subprotocols=[TRANSPORT])  # type: ignore[list-item]
    await ws.send(
        json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
    )
    return ws


async def _close_code(ws: ClientConnection) -> int:
    code, _ = await closed(ws)
    return code


async def test_a_user_may_hold_only_so_many_sockets(db_url: str, data_dir: Path) -> None:
    async with run_hub(db_url, data_dir, ws_max_connections=2) as hub:
        token = hub.token("polisen-stockholm", "officer")
        first, second = await _open(hub, token), await _open(hub, token)
        for ws in (first, second):
            assert json.loads(await ws.recv())["type"] == "connection_ack"
        third = await _open(hub, token)
        assert await _close_code(third) == 4429
        other_user = await _open(hub, hub.token("polisen-stockholm", "officer", sub="other"))
        assert json.loads(await other_user.recv())["type"] == "connection_ack"
        await first.close()
        user = "polisen-stockholm/officer@polisen-stockholm"
        await until(lambda: hub.runtime.streams[user] < 2, what="the closed socket uncounted")
        again = await _open(hub, token)
        assert json.loads(await again.recv())["type"] == "connection_ack"
        for ws in (second, other_user, again):
            await ws.close()


async def test_a_socket_may_carry_only_so_many_subscriptions(db_url: str, data_dir: Path) -> None:
    async with run_hub(db_url, data_dir, ws_max_subscriptions=2) as hub:
        ws = await _open(hub, hub.token("polisen-stockholm", "officer"))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        for n in range(3):
            message = {"query": SUBSCRIPTION, "variables": {}}
            await ws.send(json.dumps({"id": str(n), "type": "subscribe", "payload": message}))
        refusal = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert refusal["type"] == "error"
        assert refusal["id"] == "2"
        assert "limit" in refusal["payload"][0]["message"]
        await ws.close()


async def test_sockets_that_never_authenticate_are_closed_while_others_are_served(
    db_url: str, data_dir: Path
) -> None:
    async with run_hub(db_url, data_dir, ws_init_timeout=2) as hub:
        silent = [
            await connect(hub.ws_url, subprotocols=[TRANSPORT])  # type: ignore[list-item]
            for _ in range(50)
        ]
        ws = await _open(hub, hub.token("nacka"))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        assert (await hub.query(hub.token("nacka"), "{ me { sub } }"))["me"]["sub"]
        codes = await asyncio.gather(*(_close_code(s) for s in silent))
        assert set(codes) == {4408}
        await ws.send(json.dumps({"type": "ping"}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "pong"
        await ws.close()


async def test_a_second_connection_init_on_the_legacy_protocol_is_refused(
    hub: RunningHub,
) -> None:
    import json

    from websockets.asyncio.client import connect

    from tests.events.wsclient import closed

    init = {"type": "connection_init", "payload": {"authorization": f"Bearer {hub.token('nacka')}"}}
    async with connect(hub.ws_url, subprotocols=["graphql-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps(init))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(json.dumps(init))
        assert (await closed(ws))[0] == 4429


async def test_a_websocket_is_not_compressed_even_when_the_client_offers_it(
    hub: RunningHub,
) -> None:
    """permessage-deflate would cost 60-90 KiB of zlib state per connection."""
    async with connect(
        hub.ws_url,
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
    ) as ws:  # the client offers permessage-deflate by default
        assert ws.response is not None
        assert "sec-websocket-extensions" not in {k.lower() for k in ws.response.headers}
