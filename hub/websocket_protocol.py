"""uvicorn's sans-I/O WebSocket protocol, with what a replica of many idle subscribers needs.

- An ASGI scope extension, `TEXT_FRAMES`: a function that hands text frames serialised
  already (`text_frames`) to the socket at once. A cohort's task (`hub.events.parked`)
  writes the same answer to thousands of sockets; through ASGI's `send`, every socket and
  every message would cost a few coroutines and a frame serialised anew, and every message
  a system call of its own. With it, a member's frames of a burst of events go out in one
  write, serialised once for every member whose operation has the same id.
- Less kept per open socket (uvicorn's own is some 12 KiB): the handshake's request and
  response, headers and all, are let go once the socket is open (the request's headers
  live on in the ASGI scope), and the receive queue and the writable flag are a list and
  a bool with a future only while someone waits, not asyncio's Queue and Event with their
  five deques.

The extension is offered only when no WebSocket extension (compression) was negotiated:
then a text message's frame is the same bytes on every socket.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Request
from websockets.protocol import Protocol, State

TEXT_FRAMES = "hub.websocket.text_frames"

WriteFrames = Callable[[bytes], bool]  # frames -> written (False: the buffer is full)


def text_frames(messages: list[bytes]) -> bytes:
    """`messages` as the unmasked, uncompressed text frames a server sends."""
    return b"".join(Frame(Opcode.TEXT, m).serialize(mask=False) for m in messages)


class SocketClosed(ConnectionError):
    """The WebSocket is closing or closed: nothing more may be written to it."""


class _Waiters:
    """Futures of the tasks waiting on a `_Mailbox` or a `_Flag`; none, mostly."""

    __slots__ = ("_waiters",)

    def __init__(self) -> None:
        self._waiters: list[asyncio.Future[None]] | None = None

    async def _wait(self) -> None:
        waiter = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = []
        self._waiters.append(waiter)
        try:
            await waiter
        finally:
            self._waiters.remove(waiter)
            if not self._waiters:
                self._waiters = None

    def _wake(self) -> None:
        """Every waiter looks again (uvicorn has one reader, so no herd)."""
        for waiter in self._waiters or ():
            if not waiter.done():
                waiter.set_result(None)


class _Mailbox(_Waiters):
    """What uvicorn uses of an asyncio.Queue: put_nowait, get, empty."""

    __slots__ = ("_items",)

    def __init__(self) -> None:
        super().__init__()
        self._items: list[Any] = []

    def put_nowait(self, item: Any) -> None:
        self._items.append(item)
        self._wake()

    async def get(self) -> Any:
        while not self._items:
            await self._wait()
        return self._items.pop(0)

    def empty(self) -> bool:
        return not self._items


class _Flag(_Waiters):
    """What uvicorn uses of an asyncio.Event: set, clear, is_set, wait."""

    __slots__ = ("_set",)

    def __init__(self) -> None:
        super().__init__()
        self._set = True

    def set(self) -> None:
        self._set = True
        self._wake()

    def clear(self) -> None:
        self._set = False

    def is_set(self) -> bool:
        return self._set

    async def wait(self) -> None:
        while not self._set:
            await self._wait()


class HubWebSocketProtocol(WebSocketsSansIOProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = _Mailbox()  # type: ignore[assignment]
        self.writable = _Flag()  # type: ignore[assignment]

    def handle_connect(self, event: Request) -> None:
        super().handle_connect(event)
        scope: dict[str, Any] | None = getattr(self, "scope", None)
        if scope is not None and not self.conn.extensions:
            scope["extensions"][TEXT_FRAMES] = self.write_frames
        self.request = None  # type: ignore[assignment]  # its headers are in the scope
        if not self.conn.reader.buffer:
            # websockets' handshake parser keeps the request in its frame while it parses
            # the connection's frames; uvicorn hands over the request alone, so the frame
            # parser can start afresh here (websockets swaps its parser likewise)
            self.conn.parser = Protocol.parse(self.conn)
            next(self.conn.parser)

    async def send(self, message: Any) -> None:
        await super().send(message)
        if message["type"] == "websocket.accept":
            self.response = None  # type: ignore[assignment]  # sent; not needed again

    def write_frames(self, frames: bytes) -> bool:
        """Write `frames` (from `text_frames`) now, whole; False, writing nothing, when the
        transport's buffer is past its high-water mark (a slow consumer)."""
        if (
            self.disconnected
            or self.close_sent
            or self.conn.state is not State.OPEN
            or self.conn.expect_continuation_frame
        ):
            raise SocketClosed("the WebSocket is closed")
        if not self.writable.is_set():
            return False
        self.transport.write(frames)
        return True
