"""create_app(settings): routes, middleware order, lifespan; nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from hub import console_site, health
from hub.api_headers import ApiHeaders
from hub.audit import export as audit_export
from hub.auth import dev_routes
from hub.auth.routes import check_routes, protected
from hub.body_limit import BodyLimit
from hub.children import photos
from hub.events import sse
from hub.graphql import ide
from hub.graphql.view import HubGraphQL
from hub.runtime import Runtime
from hub.settings import Settings
from hub.telemetry import request_id
from hub.telemetry.request_id import RequestId


class HubApp(Starlette):
    """Starlette, except that a GraphQL WebSocket goes straight to its endpoint.

    Every layer an open socket passed through keeps a coroutine frame for as long as it is
    open: some 5 KiB on each of thousands of idle boards. For a WebSocket the middleware
    and the router do nothing but pass it on, except the request id, set here too.
    """

    graphql_sockets: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.graphql_sockets is not None
            and scope["type"] == "websocket"
            and scope["path"] == "/graphql"
        ):
            scope["app"] = self
            request_id.start(scope)  # uvicorn runs each socket in a task of its own
            await self.graphql_sockets(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(settings: Settings, *, database_url: str) -> Starlette:
    runtime = Runtime(settings, database_url)
    graphql = HubGraphQL(runtime, runtime.express)
    endpoint: ASGIApp = protected(runtime, graphql)
    sockets = protected(runtime, graphql)
    if settings.graphiql_enabled:
        endpoint = ide.RedirectBrowsers(endpoint)  # before the token check: nothing runs
    routes: list[BaseRoute] = [
        # first: the router tries each route's pattern in turn, and most requests are these
        Route("/graphql", endpoint, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", sockets),  # (see HubApp) authenticated in connection_init
        *health.routes(runtime),
        *photos.routes(runtime),
        *audit_export.routes(runtime),
        *sse.routes(runtime),
        *console_site.routes(runtime.dev_issuer),
    ]
    if runtime.dev_issuer is not None:
        routes += dev_routes.routes(runtime, runtime.dev_issuer)
    if settings.graphiql_enabled:
        routes += ide.routes()

    check_routes(routes)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with runtime.running():
            yield

    app = HubApp(
        routes=routes,
        middleware=[
            Middleware(RequestId),
            Middleware(ApiHeaders),
            Middleware(BodyLimit, max_bytes=settings.max_body_bytes, timeout=settings.body_timeout),
        ],
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    app.state.graphql = graphql
    app.graphql_sockets = sockets
    return app
