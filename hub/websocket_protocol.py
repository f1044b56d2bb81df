"""uvicorn's sans-I/O WebSocket protocol, with what a replica of many idle subscribers needs.

- An ASGI scope extension, `TEXT_FRAMES`: a function that hands text frames serialised
  already (`text_frames`) to the socket at once. A cohort's task (`hub.events.parked`)
  writes the same answer to thousands of sockets; through ASGI's `send`, every socket and
  every message would cost a few coroutines and a frame serialised anew, and every message
  a system call of its own. With it, a member's frames of a burst of events go out in one
  write, serialised once for every member whose operation has the same id.

The extension is offered only when no WebSocket extension (compression) was negotiated:
then a text message's frame is the same bytes on every socket.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Request
from websockets.protocol import State

TEXT_FRAMES = "hub.websocket.text_frames"

WriteFrames = Callable[[bytes], bool]  # frames -> written (False: the buffer is full)


def text_frames(messages: list[bytes]) -> bytes:
    """`messages` as the unmasked, uncompressed text frames a server sends."""
    return b"".join(Frame(Opcode.TEXT, m).serialize(mask=False) for m in messages)


class SocketClosed(ConnectionError):
    """The WebSocket is closing or closed: nothing more may be written to it."""


class HubWebSocketProtocol(WebSocketsSansIOProtocol):
    def handle_connect(self, event: Request) -> None:
        super().handle_connect(event)
        scope: dict[str, Any] | None = getattr(self, "scope", None)
        if scope is not None and not self.conn.extensions:
            scope["extensions"][TEXT_FRAMES] = self.write_frames

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
