"""One timer per replica for its open GraphQL WebSockets.

A socket whose token has expired is closed with 4403, and graphql-transport-ws sockets
are pinged every HUB_WS_HEARTBEAT seconds, so that proxies that drop quiet connections
keep idle boards open. A timer or a task per socket for each costs some 2 KiB on every
one of thousands of idle sockets; one sweep a second over all of them costs a few
microseconds each. A socket's ping goes out through the server's writer of ready frames
(`hub.websocket_protocol`) where there is one, else through a short task.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any

import orjson

from hub.websocket_protocol import TEXT_FRAMES, SocketClosed, text_frames

WS_UNAUTHORIZED = 4403
_PING = {"type": "ping"}
_PING_FRAME = text_frames([orjson.dumps(_PING)])


class _Due:
    """When a socket's token expires (wall clock) and its next ping is due."""

    __slots__ = ("expires_at", "next_ping")

    def __init__(self) -> None:
        self.expires_at: float | None = None
        self.next_ping: float | None = None


class Watch:
    """The replica's open sockets' handlers (`live`), swept every `period` seconds."""

    def __init__(
        self,
        heartbeat: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.heartbeat = heartbeat
        self.period = min(1.0, heartbeat)
        self.live: dict[Any, _Due] = {}  # handlers of open WebSockets
        self._clock = clock
        self._wall = wall
        self._task: asyncio.Task[None] | None = None

    def add(self, handler: Any) -> None:
        self.live[handler] = _Due()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="websocket-watch")

    def discard(self, handler: Any) -> None:
        self.live.pop(handler, None)

    def expires(self, handler: Any, at: float) -> None:
        """Close `handler`'s socket once the wall clock passes `at` (its token's exp)."""
        due = self.live.get(handler)
        if due is not None:
            due.expires_at = at

    def pings(self, handler: Any) -> None:
        """Ping `handler`'s socket every heartbeat from now on."""
        due = self.live.get(handler)
        if due is not None:
            due.next_ping = self._clock() + self.heartbeat

    async def _run(self) -> None:
        while self.live:
            await asyncio.sleep(self.period)
            self.sweep()

    def sweep(self) -> None:
        now, wall = self._clock(), self._wall()
        for handler, due in list(self.live.items()):
            if due.expires_at is not None and wall >= due.expires_at:
                due.expires_at = None
                handler.closing = asyncio.create_task(_close_on_expiry(handler))
            elif due.next_ping is not None and now >= due.next_ping:
                due.next_ping = now + self.heartbeat
                _ping(handler)


def _ping(handler: Any) -> None:
    write = handler.websocket.ws.scope["extensions"].get(TEXT_FRAMES)
    if write is not None:
        with contextlib.suppress(SocketClosed):  # gone: its handler ends and leaves
            write(_PING_FRAME)  # a full buffer skips a ping: the socket is not idle
        return
    if handler.pinging is None or handler.pinging.done():
        handler.pinging = asyncio.create_task(_send_ping(handler))


async def _send_ping(handler: Any) -> None:
    with contextlib.suppress(Exception):
        await handler.send_message(_PING)


async def _close_on_expiry(handler: Any) -> None:
    with contextlib.suppress(Exception):
        await handler.websocket.close(code=WS_UNAUTHORIZED, reason="the token has expired (exp)")
