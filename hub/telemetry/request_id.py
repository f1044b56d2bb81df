"""One id per request (or WebSocket), made by the hub; in logs, audit rows and the
response's X-Request-Id header, so an operator can join the three. A caller's own sane
X-Request-Id is kept beside it (client_request_id in logs and audit details, echoed as
X-Client-Request-Id), never instead of it: a caller cannot make its requests look like
someone else's in the audit trail."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_SANE = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_current: ContextVar[str | None] = ContextVar("hub_request_id", default=None)
_client: ContextVar[str | None] = ContextVar("hub_client_request_id", default=None)


def sane(header: str | None) -> str | None:
    """The caller's X-Request-Id when it is a sane token."""
    return header if header and _SANE.match(header) else None


def current() -> str:
    """This request's id; outside a request (CLI, scheduler), a new one."""
    return _current.get() or secrets.token_hex(16)


def peek() -> str | None:
    return _current.get()


def client() -> str | None:
    """The caller's own id for this request, if it sent a sane one."""
    return _client.get()


class RequestId:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        with bound(scope) as echoed:

            async def with_header(message: Message) -> None:
                if message["type"] == "http.response.start":
                    message["headers"] = [*message.get("headers", []), *echoed]
                await send(message)

            await self.app(scope, receive, with_header if scope["type"] == "http" else send)


@contextmanager
def bound(scope: Scope) -> Iterator[list[tuple[bytes, bytes]]]:
    """A new id, and the caller's sane X-Request-Id, current while the request of `scope`
    runs; yields the response headers that echo them."""
    rid, theirs = _ids(scope)
    token, client_token = _current.set(rid), _client.set(theirs)
    echoed = [(b"x-request-id", rid.encode())]
    if theirs:
        echoed.append((b"x-client-request-id", theirs.encode()))
    try:
        yield echoed
    finally:
        _current.reset(token)
        _client.reset(client_token)


def start(scope: Scope) -> None:
    """As `bound`, for a WebSocket that has the rest of its task to itself (the task's end
    ends them): nothing kept for the socket's lifetime to undo it."""
    rid, theirs = _ids(scope)
    _current.set(rid)
    _client.set(theirs)


def _ids(scope: Scope) -> tuple[str, str | None]:
    header = dict(scope["headers"]).get(b"x-request-id")
    # 128 random bits in 32 hex digits, as uuid4().hex gave at a third of its cost
    return secrets.token_hex(16), sane(header.decode("latin-1") if header else None)
