"""create_app(settings): routes, middleware order, lifespan; nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.types import ASGIApp

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
from hub.telemetry.request_id import RequestId


def create_app(settings: Settings, *, database_url: str) -> Starlette:
    runtime = Runtime(settings, database_url)
    graphql = HubGraphQL(runtime)
    endpoint: ASGIApp = protected(runtime, graphql)
    if settings.graphiql_enabled:
        endpoint = ide.RedirectBrowsers(endpoint)  # before the token check: nothing runs
    routes: list[BaseRoute] = [
        *health.routes(runtime),
        *photos.routes(runtime),
        *audit_export.routes(runtime),
        *sse.routes(runtime),
        *console_site.routes(runtime.dev_issuer),
        Route("/graphql", endpoint, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", protected(runtime, graphql)),  # sockets: connection_init
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

    app = Starlette(
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
    return app
