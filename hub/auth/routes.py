"""Who may call a route is declared with the route: `protected(...)` or `public(...)`.

A protected endpoint turns a valid bearer token into `scope["principal"]` before it runs
and refuses anything else (401, or 503 when the identity provider cannot be reached);
WebSockets pass through, as they authenticate in `connection_init` (`hub.graphql.view`).
`check_routes` refuses to build an app with a route that declares neither, so a new route
is never open by accident.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute, request_response
from starlette.types import ASGIApp, Receive, Scope, Send

from hub.errors import ConfigurationError, HubError, Unauthenticated, Unavailable
from hub.http_errors import send_json_error
from hub.parts import Parts

PURPOSE_HEADER = b"x-hub-purpose"
_PUBLIC = "__hub_public__"


async def _refuse(send: Send, error: HubError) -> None:
    status = 503 if isinstance(error, Unavailable) else 401
    challenge = [(b"www-authenticate", b'Bearer error="invalid_token"')]
    headers = challenge if isinstance(error, Unauthenticated) else []
    await send_json_error(send, status, error.message, error.code, headers=headers)


class Protected:
    """An endpoint (function or ASGI app) that only an authenticated caller reaches."""

    def __init__(self, runtime: Parts, endpoint: Callable[..., Any] | ASGIApp) -> None:
        function = inspect.isfunction(endpoint) or inspect.ismethod(endpoint)
        self.app: ASGIApp = request_response(endpoint) if function else endpoint  # type: ignore[arg-type]
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
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


def protected(runtime: Parts, endpoint: Callable[..., Any] | ASGIApp) -> Protected:
    return Protected(runtime, endpoint)


def public(endpoint: Any) -> Any:
    """Mark an endpoint (or mounted app) as open to anyone: health, static files, dev."""
    setattr(endpoint, _PUBLIC, True)
    return endpoint


def _declared(target: object) -> bool:
    return isinstance(target, Protected) or getattr(target, _PUBLIC, False) is True


def check_routes(routes: Sequence[BaseRoute]) -> None:
    """Every route declares who may call it; ConfigurationError names one that does not."""
    for route in routes:
        target: object
        if isinstance(route, Route | WebSocketRoute):
            target, path = route.endpoint, route.path
        elif isinstance(route, Mount):
            target, path = route.app, route.path
        else:
            raise ConfigurationError(f"unknown kind of route: {route!r}")
        inner = getattr(target, "app", None)
        if not _declared(target) and isinstance(inner, Protected):
            target = inner  # a wrapper in front of a protected endpoint (the IDE's redirect)
        if not _declared(target):
            raise ConfigurationError(
                f"route {path} declares neither protected(...) nor public(...) (hub/auth/routes.py)"
            )
