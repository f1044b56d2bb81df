"""Server-Sent Events obey the same rules as WebSockets: the token's expiry, the per-user
connection limit, subscriptions only, and the persisted-only safelist."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from websockets.asyncio.client import connect

from hub.graphql.persisted import digest
from tests.conftest import RunningHub, run_hub, until
from tests.events.wsclient import SUBSCRIPTION

EVENTS = {"accept": "text/event-stream"}


def _headers(token: str) -> dict[str, str]:
    return {**EVENTS, "authorization": f"Bearer {token}"}


async def test_a_stream_ends_with_an_error_when_its_token_expires(hub: RunningHub) -> None:
    token = hub.token("polisen-stockholm", "officer", ttl=-28)  # 2 s left in the leeway
    params = {"query": SUBSCRIPTION}
    async with hub.http.stream(
        "GET", "/graphql/stream", params=params, headers=_headers(token), timeout=15
    ) as response:
        assert response.status_code == 200
        lines = [line async for line in response.aiter_lines()]
    error = next(line for line in lines if line.startswith("data: "))
    assert "event: error" in lines
    assert json.loads(error[6:])["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_streams_count_toward_the_users_connection_limit(db_url: str, data_dir: Path) -> None:
    async with run_hub(db_url, data_dir, ws_max_connections=2) as hub:
        token = hub.token("polisen-stockholm", "officer")
        params = {"query": SUBSCRIPTION}
        async with (
            hub.http.stream("GET", "/graphql/stream", params=params, headers=_headers(token)),
            hub.http.stream("GET", "/graphql/stream", params=params, headers=_headers(token)),
        ):
            await until(lambda: sum(hub.runtime.streams.values()) == 2, what="two open streams")
            third = await hub.http.get("/graphql/stream", params=params, headers=_headers(token))
            assert third.status_code == 429
            assert third.json()["errors"][0]["extensions"]["code"] == "TOO_MANY_CONNECTIONS"
            other = hub.token("polisen-stockholm", "officer", sub="someone-else")
            async with hub.http.stream(
                "GET", "/graphql/stream", params=params, headers=_headers(other)
            ) as allowed:
                assert allowed.status_code == 200
        await until(lambda: not hub.runtime.streams, what="streams counted as closed")


async def test_a_query_or_mutation_sent_to_the_stream_is_a_coded_400(hub: RunningHub) -> None:
    token = hub.token("nacka")
    for query in ("{ me { sub } }", "mutation { acknowledge(input: {}) { case { id } } }", "{"):
        response = await hub.http.get(
            "/graphql/stream", params={"query": query}, headers=_headers(token)
        )
        assert response.status_code == 400, query
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_persisted_only_holds_on_http_websocket_and_stream(
    db_url: str, data_dir: Path, tmp_path: Path
) -> None:
    known = "{ me { sub } }"
    listed = tmp_path / "persisted.json"
    listed.write_text(json.dumps({digest(known): known, digest(SUBSCRIPTION): SUBSCRIPTION}))
    stranger = "subscription { caseEvents { cursor } }"
    async with run_hub(db_url, data_dir, persisted_only=listed) as hub:
        token = hub.token("nacka")
        refused = await hub.graphql(token, "{ me { roles } }")
        assert refused.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"

        response = await hub.http.get(
            "/graphql/stream", params={"query": stranger}, headers=_headers(token)
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"

        async with connect(hub.ws_url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
            init = {"authorization": f"Bearer {token}"}
            await ws.send(json.dumps({"type": "connection_init", "payload": init}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            for n, query in enumerate((stranger, "{ me { roles } }")):
                await ws.send(
                    json.dumps({"id": str(n), "type": "subscribe", "payload": {"query": query}})
                )
                message: dict[str, Any] = json.loads(await ws.recv())
                assert message["type"] == "error", message
                assert message["payload"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
            by_hash = {"persistedQuery": {"version": 1, "sha256Hash": digest(known)}}
            await ws.send(
                json.dumps(
                    {
                        "id": "9",
                        "type": "subscribe",
                        "payload": {"query": "", "extensions": by_hash},
                    }
                )
            )
            answer = json.loads(await ws.recv())
            assert answer["payload"]["data"]["me"]["sub"] == "caseworker@nacka"
