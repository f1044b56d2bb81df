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

_frames: ContextVar[Frames | None] = ContextVar("hub_frames", default=None)


class Frames:
    """How one graphql-transport-ws operation writes a `next` message of its own."""

    __slots__ = ("_coded", "_operation", "_prefix", "_socket")

    def __init__(self, handler: Any, operation: Operation[Any, Any]) -> None:
        self._operation = operation
        self._socket = handler.websocket.ws  # starlette's WebSocket under strawberry's adapter
        self._prefix = f'{{"id":{orjson.dumps(operation.id).decode()},"type":"next","payload":'
        suggestions = not handler.schema.config.disable_field_suggestions
        self._coded = functools.partial(coded, suggestions=suggestions)

    async def next(self, context: Context, answer: Precomputed, audit: Recorder) -> None:
        """Commit the member's audit record, then send `answer`; when the record cannot be
        written, an UNAVAILABLE error instead of the data."""
        try:
            await writing.record_read(context.pool, audit, context.appender)
        except Exception as exc:
            payload = orjson.dumps({"data": None, "errors": [unrecorded(exc).formatted]}).decode()
        else:
            payload = answer.payload(self._coded)
        if self._operation.completed:
            return
        try:
            await self._socket.send_text(f"{self._prefix}{payload}}}")
        except WebSocketDisconnect as gone:
            raise WebSocketDisconnected from gone


def serve(handler: Any, operation: Operation[Any, Any]) -> None:
    """Let the current task (the operation's own) write its cohort answers itself."""
    _frames.set(Frames(handler, operation))


def current() -> Frames | None:
    """The current operation's `Frames`, if its transport has them."""
    return _frames.get()
