"""A lean graphql-transport-ws subscriber for the fan-out scenario.

websockets' client parses every frame into a message queue, some 50 µs of Python a
message. With 10,000 subscribers each sent a burst of twenty events, the bench client,
not the hub, set the latency: the hubs had written every frame 0.8 s after the mutation
and the client read the median one 1.6 s after it. This subscriber lets websockets'
sans-I/O protocol do the opening handshake, then walks the server's frames itself (they
come unmasked and uncompressed): it notes when the first text frame naming the awaited
event arrives, answers pings, and parses no JSON but the connection's acknowledgement;
once the event has arrived it reads nothing more.
"""

from __future__ import annotations

import asyncio
import json
import time
from urllib.parse import urlsplit

from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.protocol import State
from websockets.typing import Subprotocol
from websockets.uri import parse_uri


class SubscriptionFailed(RuntimeError):
    pass


def _masked(opcode: Opcode, payload: bytes) -> bytes:
    return Frame(opcode, payload).serialize(mask=True)


class Subscriber(asyncio.Protocol):
    """One socket: handshake, `connection_init`, `subscribe`, then the awaited event."""

    def __init__(self, url: str, marker: bytes) -> None:
        self._handshake = ClientProtocol(
            parse_uri(url), subprotocols=[Subprotocol("graphql-transport-ws")]
        )
        self._marker = marker  # bytes of the awaited event's message, e.g. its type
        loop = asyncio.get_running_loop()
        self.opened: asyncio.Future[None] = loop.create_future()
        self.acknowledged: asyncio.Future[None] = loop.create_future()
        self.arrived: asyncio.Future[float] = loop.create_future()
        self._transport: asyncio.Transport | None = None
        self._buffer = b""
        self._watching = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._handshake.send_request(self._handshake.connect())
        transport.write(b"".join(self._handshake.data_to_send()))

    def connection_lost(self, exc: Exception | None) -> None:
        for future in (self.opened, self.acknowledged, self.arrived):
            if not future.done():
                future.set_exception(SubscriptionFailed("the connection closed"))

    def data_received(self, data: bytes) -> None:
        if not self.opened.done():
            self._handshake.receive_data(data)
            for event in self._handshake.events_received():
                if isinstance(event, Response):
                    if self._handshake.state is State.OPEN:
                        self.opened.set_result(None)
                    else:
                        self.opened.set_exception(SubscriptionFailed(f"{event.status_code}"))
            return
        if self.arrived.done():
            return  # the rest of the burst is not timed: left unread, as a lean client would
        self._buffer += data
        self._frames()

    def _frames(self) -> None:
        buffer, at = self._buffer, 0
        while len(buffer) - at >= 2:
            opcode, length = buffer[at] & 0x0F, buffer[at + 1] & 0x7F
            start = at + 2
            if length == 126:
                length, start = int.from_bytes(buffer[start : start + 2], "big"), start + 2
            elif length == 127:
                length, start = int.from_bytes(buffer[start : start + 8], "big"), start + 8
            if len(buffer) < start + length:
                break
            self._frame(opcode, buffer[start : start + length])
            at = start + length
            if self.arrived.done():
                at = len(buffer)
                break
        self._buffer = buffer[at:]

    def _frame(self, opcode: int, payload: bytes) -> None:
        if opcode == Opcode.PING:
            self._write(_masked(Opcode.PONG, payload))
        elif opcode == Opcode.TEXT and not self._watching:
            message = json.loads(payload)
            if message.get("type") == "connection_ack" and not self.acknowledged.done():
                self.acknowledged.set_result(None)
        elif opcode == Opcode.TEXT and not self.arrived.done():
            if b'"errors"' in payload:
                self.arrived.set_exception(SubscriptionFailed(payload.decode()))
            elif self._marker in payload:
                self.arrived.set_result(time.perf_counter())

    def send(self, message: dict[str, object]) -> None:
        self._write(_masked(Opcode.TEXT, json.dumps(message).encode()))

    def watch(self) -> None:
        """From now on, text frames are events."""
        self._watching = True

    def _write(self, data: bytes) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.write(data)

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()


async def subscribe(
    url: str, token: str, query: str, variables: dict[str, object], marker: bytes
) -> Subscriber:
    """A socket subscribed to `query`, waiting for a text frame that contains `marker`."""
    parts = urlsplit(url)
    loop = asyncio.get_running_loop()
    _, subscriber = await loop.create_connection(
        lambda: Subscriber(url, marker), parts.hostname or "127.0.0.1", parts.port or 80
    )
    await asyncio.wait_for(subscriber.opened, 60)
    subscriber.send({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
    await asyncio.wait_for(subscriber.acknowledged, 60)
    subscriber.watch()
    subscriber.send(
        {"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables}}
    )
    return subscriber
