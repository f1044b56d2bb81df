"""Malformed requests answer 400 with a code, never 500, on every route."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import RunningHub

BAD_BODIES = [
    b'\xff\xfe{"query": "{ me { sub } }"}',  # not UTF-8
    b'"{ me { sub } }"',  # a string
    b"42",
    b"null",
    b"true",
    b'{"query": 42}',
    b'{"query": "{ me { sub } }", "variables": [1]}',
    b'{"query": "{ me { sub } }", "operationName": 7}',
    b"[" * 100_000 + b"]" * 100_000,  # deep nesting
    b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    b"{",
    b"",
]


async def _post(hub: RunningHub, path: str, body: bytes, **headers: str) -> Any:
    sent = {"authorization": f"Bearer {hub.token('nacka')}", "content-type": "application/json"}
    return await hub.http.post(path, content=body, headers={**sent, **headers})


@pytest.mark.parametrize("body", BAD_BODIES, ids=lambda b: repr(b[:20]))
async def test_a_malformed_body_is_a_coded_400(hub: RunningHub, body: bytes) -> None:
    response = await _post(hub, "/graphql", body)
    assert response.status_code == 400, response.text[:200]
    assert response.json()["errors"][0]["extensions"]["code"] in ("BAD_REQUEST", "INVALID_INPUT")


@pytest.mark.parametrize("body", BAD_BODIES[:4] + BAD_BODIES[8:10], ids=lambda b: repr(b[:20]))
async def test_a_malformed_stream_request_is_a_coded_400(hub: RunningHub, body: bytes) -> None:
    response = await _post(hub, "/graphql/stream", body, accept="text/event-stream")
    assert response.status_code == 400, response.text[:200]
    assert "code" in response.json()["errors"][0]["extensions"]


async def test_malformed_query_string_variables_are_a_coded_400(hub: RunningHub) -> None:
    auth = {"authorization": f"Bearer {hub.token('nacka')}"}
    for params in (
        {"query": "{ me { sub } }", "variables": "{"},
        {"query": "{ me { sub } }", "variables": "[1]"},
        {"query": "{ me { sub } }", "variables": "[" * 5_000},
    ):
        response = await hub.http.get("/graphql", params=params, headers=auth)
        assert response.status_code == 400, params
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_a_malformed_websocket_message_closes_the_socket_with_4400(
    hub: RunningHub,
) -> None:
    from websockets.asyncio.client import connect

    from tests.events.wsclient import closed

    for message in ("[" * 100_000, b"\xff\xfe".decode("latin-1"), "{"):
        async with connect(hub.ws_url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
            await ws.send(message)
            assert (await closed(ws))[0] == 4400


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        ("query($q: String!) { children(filter: {search: $q}) { totalCount } }", {}),
        ("query($q: String!) { children(filter: {search: $q}) { totalCount } }", {"q": 7}),
        ("query($id: ID!) { case(id: $id) { id } }", {"id": None}),
        ("query($f: Date!) { statistics(from: $f, to: $f, groupBy: [SEX]) { count } }", {}),
        ("query($f: Date!) { statistics(from: $f, to: $f, groupBy: [SEX]) { count } }", {"f": "x"}),
    ],
)
async def test_a_missing_or_mistyped_variable_is_invalid_input_never_internal(
    hub: RunningHub, document: str, variables: dict[str, Any]
) -> None:
    response = await hub.graphql(hub.token("nacka"), document, variables)
    codes = {e["extensions"]["code"] for e in response.json()["errors"]}
    assert codes == {"INVALID_INPUT"}, response.json()
