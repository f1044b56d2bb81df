"""A small graphql-transport-ws client for tests: subscribe, read events, time out clearly."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

SUBSCRIPTION = """subscription($after: String, $caseId: ID) {
  caseEvents(after: $after, caseId: $caseId) {
    cursor type actor { id }
    case { id status child { givenName health description { clothing } } withheld { category } }
  } }"""


class Subscription:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    async def next(self, within: float = 5.0, *, skip_tasks: bool = True) -> dict[str, Any]:
        """The next event's data, passing over the scheduler's task events unless asked;
        fails on an error message or a timeout."""
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), within)
            assert isinstance(raw, str), "messages must be text frames (browsers need them)"
            message = json.loads(raw)
            if message["type"] == "next":
                assert "errors" not in message["payload"], message["payload"]
                event: dict[str, Any] = message["payload"]["data"]["caseEvents"]
                if skip_tasks and event["type"].startswith("TASK_"):
                    continue
                return event
            if message["type"] in ("error", "complete"):
                raise AssertionError(f"subscription ended: {message}")

    async def message(self, within: float = 5.0) -> dict[str, Any]:
        raw: dict[str, Any] = json.loads(await asyncio.wait_for(self.ws.recv(), within))
        return raw

    async def nothing_for(self, seconds: float) -> None:
        try:
            message = await asyncio.wait_for(self.ws.recv(), seconds)
        except TimeoutError:
            return
        raise AssertionError(f"expected nothing, got {message!r}")


async def closed(ws: ClientConnection, within: float = 5.0) -> tuple[int, str]:
    """Read until the server closes the socket; its close code and reason."""
    try:
        while True:
            await asyncio.wait_for(ws.recv(), within)
    except ConnectionClosed as ended:
        frame = ended.rcvd
    if frame is None:
        raise AssertionError("the socket dropped without a close frame")
    return frame.code, frame.reason


@asynccontextmanager
async def subscribe(
    ws_url: str, token: str, *, after: str | None = None, case_id: str | None = None
) -> AsyncIterator[Subscription]:
    async with connect(ws_url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        )
        ack = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert ack["type"] == "connection_ack", ack
        await ws.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {
                        "query": SUBSCRIPTION,
                        "variables": {"after": after, "caseId": case_id},
                    },
                }
            )
        )
        await asyncio.sleep(0.2)  # let the server register the subscriber
        yield Subscription(ws)
