"""The strawberry ASGI view: builds the typed context and authenticates WebSockets.

HTTP requests arrive already authenticated (see `hub.auth.middleware`). A WebSocket
authenticates in `connection_init` with `{"authorization": "Bearer <jwt>"}`; a bad or
missing token closes it with 4403 and a reason naming the failed check, and the socket
closes with 4403 when the token expires.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler

from hub.errors import HubError, Unauthenticated
from hub.graphql.context import Context
from hub.runtime import Runtime

WS_UNAUTHORIZED = 4403
_MAX_REASON = 120  # a close reason has at most 123 bytes


async def _authenticate(handler: Any, payload: object) -> str | None:
    """Bind a principal to the socket's context; the refusal text, or None when accepted."""
    view: HubGraphQL = handler.view
    context: Context = handler.context
    params = payload if isinstance(payload, dict) else {}
    authorization = params.get("authorization") or params.get("Authorization")
    try:
        principal = await view.runtime.authenticator.authenticate(
            authorization if isinstance(authorization, str) else None,
            params.get("purpose") if isinstance(params.get("purpose"), str) else None,
        )
    except HubError as exc:
        return exc.message
    context.principal_or_none = principal
    delay = max(0.0, principal.expires_at.timestamp() - time.time())
    handler.expiry = asyncio.create_task(_close_on_expiry(handler, delay))
    return None


async def _close_on_expiry(handler: Any, delay: float) -> None:
    await asyncio.sleep(delay)
    with contextlib.suppress(Exception):
        await handler.websocket.close(code=WS_UNAUTHORIZED, reason="the token has expired (exp)")


class _ExpiryMixin:
    expiry: asyncio.Task[None] | None = None
    heartbeat: asyncio.Task[None] | None = None

    async def handle(self) -> None:
        try:
            await super().handle()  # type: ignore[misc]
        finally:
            for task in (self.expiry, self.heartbeat):
                if task is not None:
                    task.cancel()


async def _ping(handler: Any, interval: float) -> None:
    """graphql-transport-ws lets either side ping; the server's keeps idle boards alive
    through proxies that drop quiet connections."""
    while True:
        await asyncio.sleep(interval)
        try:
            await handler.send_message({"type": "ping"})
        except Exception:  # the socket is gone; handle() ends and cancels this task
            return


class TransportWSHandler(_ExpiryMixin, BaseGraphQLTransportWSHandler[Context, None]):
    async def handle_connection_init(self, message: Any) -> None:
        if not self.connection_init_received:
            refusal = await _authenticate(self, message.get("payload"))
            if refusal is not None:
                await self.websocket.close(code=WS_UNAUTHORIZED, reason=refusal[:_MAX_REASON])
                return
            interval = self.view.runtime.settings.ws_heartbeat  # type: ignore[attr-defined]
            self.heartbeat = asyncio.create_task(_ping(self, interval))
        await super().handle_connection_init(message)


class LegacyWSHandler(_ExpiryMixin, BaseGraphQLWSHandler[Context, None]):
    async def handle_connection_init(self, message: Any) -> None:
        refusal = await _authenticate(self, message.get("payload"))
        if refusal is not None:
            await self.send_message(
                {
                    "type": "connection_error",
                    "payload": {"message": refusal, "extensions": {"code": Unauthenticated.code}},
                }
            )
            await self.websocket.close(code=WS_UNAUTHORIZED, reason=refusal[:_MAX_REASON])
            return
        await super().handle_connection_init(message)


class HubGraphQL(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = TransportWSHandler
    graphql_ws_handler_class = LegacyWSHandler

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(
            runtime.schema,
            graphql_ide="graphiql" if runtime.settings.graphiql_enabled else None,
            keep_alive=True,
            keep_alive_interval=runtime.settings.ws_heartbeat,
        )
        self.runtime = runtime

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        rt = self.runtime
        return Context(
            request=request,
            settings=rt.settings,
            pool=rt.pool,
            policy=rt.policy,
            registry=rt.registry,
            routines=rt.routines,
            bus=rt.bus,
            principal_or_none=request.scope.get("principal"),
            audit_enabled=rt.audit_enabled,
        )
