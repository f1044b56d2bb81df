"""A cohort's answer written straight to a member's WebSocket (graphql-transport-ws).

A member of a cohort (`hub.events.cohorts`) takes the answer its leader worked out. Sent
the stock way, that answer would still pass, for every member, through graphql-core's
per-event executor and strawberry's per-result machinery and be encoded again: about
half of what a member's delivery cost. Instead the subscription's generator writes the
`next` message itself: the member's audit record committed first (as
`Transaction.on_stream_result` does before strawberry sends a result; the member needs
no transaction, session or loaders of its own, so it has none), the payload
encoded once for the whole cohort (`Precomputed.payload`), the operation's id around it,
the very bytes strawberry would have written. An operation's messages keep their order:
the generator runs in the operation's own task, which sends nothing else meanwhile.

A member at the live edge goes further: it parks (`hub.events.parked`), its operation's
task ends, and its cohort's one task writes its frames, serialised once for all members
whose operations share an id, through the server's `hub.websocket_protocol.TEXT_FRAMES`
(with no such server, nothing parks); `resume_after` is where a parked operation picks
up again when it must work an event out itself.

Only graphql-transport-ws operations have `Frames` (`serve`, from the view); elsewhere
(graphql-ws, SSE) a member yields the answer and strawberry sends it.
"""

from __future__ import annotations

import functools
from contextvars import ContextVar
from typing import Any

import orjson
from starlette.websockets import WebSocketDisconnect
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import Operation

from hub.audit import writing
from hub.audit.recorder import Recorder
from hub.graphql.context import Context
from hub.graphql.extensions import coded, unrecorded
from hub.graphql.precomputed import Precomputed
from hub.websocket_protocol import TEXT_FRAMES, SocketClosed, WriteFrames

_frames: ContextVar[Frames | None] = ContextVar("hub_frames", default=None)


class Frames:
    """How one graphql-transport-ws operation writes a `next` message of its own."""

    __slots__ = (
        "_coded",
        "_prefix",
        "_socket",
        "_write",
        "handler",
        "operation",
        "parked",
        "resume_after",
    )

    def __init__(
        self, handler: Any, operation: Operation[Any, Any], resume_after: int | None = None
    ) -> None:
        self.handler = handler
        self.operation = operation
        self.resume_after = resume_after  # a parked operation resumed: replay after this id
        self.parked = False  # the stream ended by parking: no `complete` is sent
        self._socket = handler.websocket.ws  # starlette's WebSocket under strawberry's adapter
        # the server's writer of ready frames; without it (another server) no member parks
        self._write: WriteFrames | None = self._socket.scope["extensions"].get(TEXT_FRAMES)
        self._prefix = f'{{"id":{orjson.dumps(operation.id).decode()},"type":"next","payload":'
        suggestions = not handler.schema.config.disable_field_suggestions
        self._coded = functools.partial(coded, suggestions=suggestions)

    @property
    def can_park(self) -> bool:
        return self._write is not None

    def park(self) -> None:
        """The operation's stream ends here without `complete`: its cohort's task writes
        its frames from now on (strawberry sends nothing for a completed operation)."""
        self.parked = True
        self.operation.completed = True

    @property
    def context(self) -> Context:
        context: Context = self.handler.context
        return context

    def payload(self, answer: Precomputed) -> str:
        """The answer as this operation's transport encodes it (once per cohort)."""
        return answer.payload(self._coded)

    @staticmethod
    def unavailable(exc: BaseException) -> str:
        """The payload sent instead of the data when the audit record was not written."""
        error = unrecorded(exc if isinstance(exc, Exception) else RuntimeError())
        return orjson.dumps({"data": None, "errors": [error.formatted]}).decode()

    def message(self, payload: str) -> str:
        return f"{self._prefix}{payload}}}"

    def write(self, frames: bytes) -> bool:
        """Write `frames` (`hub.websocket_protocol.text_frames`, parked operations only)
        now: False when the socket's write buffer is past the transport's high-water mark
        (a slow consumer); raises WebSocketDisconnected when the socket is closed."""
        assert self._write is not None
        try:
            return self._write(frames)
        except SocketClosed as gone:
            raise WebSocketDisconnected from gone

    async def next(self, context: Context, answer: Precomputed, audit: Recorder) -> None:
        """Commit the member's audit record, then send `answer`; when the record cannot be
        written, an UNAVAILABLE error instead of the data."""
        try:
            await writing.record_read(context.pool, audit, context.appender)
        except Exception as exc:
            payload = self.unavailable(exc)
        else:
            payload = answer.payload(self._coded)
        if self.operation.completed:
            return
        try:
            await self._socket.send_text(self.message(payload))
        except WebSocketDisconnect as gone:
            raise WebSocketDisconnected from gone


def serve(handler: Any, operation: Operation[Any, Any], resume_after: int | None = None) -> Frames:
    """Let the current task (the operation's own) write its cohort answers itself."""
    own = Frames(handler, operation, resume_after)
    _frames.set(own)
    return own


def current() -> Frames | None:
    """The current operation's `Frames`, if its transport has them."""
    return _frames.get()
