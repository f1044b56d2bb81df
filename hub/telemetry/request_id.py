"""One id per request (or WebSocket), from a sane X-Request-Id or new; in logs, audit
rows and the response's X-Request-Id header, so an operator can join the three."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_SANE = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_current: ContextVar[str | None] = ContextVar("hub_request_id", default=None)


def sane_or_new(header: str | None) -> str:
    """The caller's X-Request-Id when it is a sane token, else a new one."""
    if header and _SANE.match(header):
        return header
    return uuid.uuid4().hex


def current(header: str | None = None) -> str:
    """This request's id; outside a request (CLI, scheduler), one from `header` or new."""
    return _current.get() or sane_or_new(header)


def peek() -> str | None:
    return _current.get()


class RequestId:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        header = dict(scope["headers"]).get(b"x-request-id")
        rid = sane_or_new(header.decode("latin-1") if header else None)
        token = _current.set(rid)

        async def with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, with_header if scope["type"] == "http" else send)
        finally:
            _current.reset(token)
