"""Who may call a route is declared with the route: `protected(...)` or `public(...)`.

A protected endpoint turns a valid bearer token into `scope["principal"]` before it runs
and refuses anything else (401, or 503 when the identity provider cannot be reached);
WebSockets pass through, as they authenticate in `connection_init` (`hub.graphql.view`).
`check_routes` refuses to build an app with a route that declares neither, so a new route
is never open by accident. In dev a browser opening /graphql itself (no query string) is
sent to /graphiql; nothing runs.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute, request_response
from starlette.types import ASGIApp, Receive, Scope, Send

from hub.errors import ConfigurationError, HubError, Unauthenticated, Unavailable
from hub.http_errors import send_json_error
from hub.runtime import Runtime

PURPOSE_HEADER = b"x-hub-purpose"
IDE_PATH = "/graphiql"
_PUBLIC = "__hub_public__"


def _opens_ide(scope: Scope) -> bool:
    """A browser opening /graphql itself: no query string, so no operation to run."""
    if scope["path"] != "/graphql" or scope["method"] != "GET" or scope.get("query_string"):
        return False
    return b"text/html" in dict(scope["headers"]).get(b"accept", b"")


async def _redirect(send: Send, location: str) -> None:
    headers = [(b"location", location.encode()), (b"content-length", b"0")]
    await send({"type": "http.response.start", "status": 307, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


async def _refuse(send: Send, error: HubError) -> None:
    status = 503 if isinstance(error, Unavailable) else 401
    challenge = [(b"www-authenticate", b'Bearer error="invalid_token"')]
    headers = challenge if isinstance(error, Unauthenticated) else []
    await send_json_error(send, status, error.message, error.code, headers=headers)


class Protected:
    """An endpoint (function or ASGI app) that only an authenticated caller reaches."""

    def __init__(self, runtime: Runtime, endpoint: Callable[..., Any] | ASGIApp) -> None:
        function = inspect.isfunction(endpoint) or inspect.ismethod(endpoint)
        self.app: ASGIApp = request_response(endpoint) if function else endpoint  # type: ignore[arg-type]
        self.runtime = runtime
        self.ide = runtime.settings.graphiql_enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.ide and _opens_ide(scope):
            await _redirect(send, IDE_PATH)
            return
        headers = dict(scope["headers"])
        authorization = headers.get(b"authorization")
        purpose = headers.get(PURPOSE_HEADER)
        try:
            principal = await self.runtime.authenticator.authenticate(
                authorization.decode("latin-1") if authorization else None,
                purpose.decode("latin-1") if purpose else None,
            )
        except HubError as error:
            await _refuse(send, error)
            return
        scope["principal"] = principal
        await self.app(scope, receive, send)


def protected(runtime: Runtime, endpoint: Callable[..., Any] | ASGIApp) -> Protected:
    return Protected(runtime, endpoint)


def public(endpoint: Any) -> Any:
    """Mark an endpoint (or mounted app) as open to anyone: health, static files, dev."""
    setattr(endpoint, _PUBLIC, True)
    return endpoint


def check_routes(routes: Sequence[BaseRoute]) -> None:
    """Every route declares who may call it; ConfigurationError names one that does not."""
    for route in routes:
        if isinstance(route, Route | WebSocketRoute):
            target, path = route.endpoint, route.path
        elif isinstance(route, Mount):
            target, path = route.app, route.path
        else:
            raise ConfigurationError(f"unknown kind of route: {route!r}")
        if not isinstance(target, Protected) and not getattr(target, _PUBLIC, False):
            raise ConfigurationError(
                f"route {path} declares neither protected(...) nor public(...) (hub/auth/routes.py)"
            )
