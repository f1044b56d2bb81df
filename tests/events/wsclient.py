"""A small graphql-transport-ws client for tests: subscribe, read events, time out clearly."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.conftest import RunningHub

SUBSCRIPTION = """subscription($after: String, $caseId: ID) {
  caseEvents(after: $after, caseId: $caseId) {
    cursor type actor { id }
    case { id status child { givenName health description { clothing } } withheld { category } }
  } }"""


class Subscription:
    def __init__(self, ws: ClientConnection, first: str | bytes | None = None) -> None:
        self.ws = ws
        self._first = first  # a message that came while waiting for the registration

    async def _recv(self, within: float) -> str | bytes:
        if self._first is not None:
            first, self._first = self._first, None
            return first
        return await asyncio.wait_for(self.ws.recv(), within)

    async def next(self, within: float = 5.0, *, skip_tasks: bool = True) -> dict[str, Any]:
        """The next event's data, passing over the scheduler's task events unless asked;
        fails on an error message or a timeout."""
        _, payload = await self._next(within, skip_tasks)
        assert "errors" not in payload, payload
        event: dict[str, Any] = payload["data"]["caseEvents"]
        return event

    async def next_frame(self, within: float = 5.0) -> str:
        """The next event's message as the hub wrote it (text), task events passed over."""
        raw, _ = await self._next(within, skip_tasks=True)
        return raw

    async def _next(self, within: float, skip_tasks: bool) -> tuple[str, dict[str, Any]]:
        """The next `next` message, as written and its payload; pings passed over."""
        while True:
            raw = await self._recv(within)
            assert isinstance(raw, str), "messages must be text frames (browsers need them)"
            message = json.loads(raw)
            if message["type"] in ("error", "complete"):
                raise AssertionError(f"subscription ended: {message}")
            if message["type"] != "next":
                continue
            payload: dict[str, Any] = message["payload"]
            task = "errors" not in payload and payload["data"]["caseEvents"]["type"].startswith(
                "TASK_"
            )
            if not (skip_tasks and task):
                return raw, payload

    async def message(self, within: float = 5.0) -> dict[str, Any]:
        raw: dict[str, Any] = json.loads(await self._recv(within))
        return raw

    async def nothing_for(self, seconds: float) -> None:
        try:
            message = await self._recv(seconds)
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
async def acknowledged(target: RunningHub | str, token: str) -> AsyncIterator[ClientConnection]:
    """A graphql-transport-ws socket the hub has acknowledged, signed in with `token`."""
    ws_url = target if isinstance(target, str) else target.ws_url
    async with connect(ws_url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        )
        ack = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert ack["type"] == "connection_ack", ack
        yield ws


@asynccontextmanager
async def subscribe(
    target: RunningHub | str,
    token: str,
    *,
    after: str | None = None,
    case_id: str | None = None,
) -> AsyncIterator[Subscription]:
    """Subscribe to caseEvents. With a RunningHub, returns once the hub has registered the
    subscriber (or has answered, e.g. with an error); with a URL (a hub in another
    process) at once: pass `after` then, so that the replay closes any gap."""
    runtime = None if isinstance(target, str) else target.runtime
    before = runtime.live_subscribers if runtime is not None else 0
    async with acknowledged(target, token) as ws:
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
        first = None
        if runtime is not None:
            first = await _registered(ws, lambda: runtime.live_subscribers > before)
        yield Subscription(ws, first)


async def _registered(ws: ClientConnection, done: Callable[[], bool]) -> str | bytes | None:
    """Wait until `done()` or a message arrives (a refusal); the message, if one came."""
    answer = asyncio.ensure_future(ws.recv())
    try:
        for _ in range(1000):  # 10 s
            if answer.done():  # first: a message already read must not be dropped
                return answer.result()
            if done():
                return None  # recv() is cancelled unread: websockets keeps the message
            await asyncio.sleep(0.01)
        raise AssertionError("the hub did not register the subscriber within 10 s")
    finally:
        if not answer.done():
            answer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await answer
