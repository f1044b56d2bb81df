"""The strawberry ASGI view: builds the typed context and authenticates WebSockets.

HTTP requests arrive already authenticated (see `hub.auth.routes`). A WebSocket
authenticates in `connection_init` with `{"authorization": "Bearer <jwt>"}`; a bad or
missing token closes it with 4403 and a reason naming the failed check, and the socket
closes with 4403 when the token expires. One principal may hold HUB_WS_MAX_CONNECTIONS
sockets (more close with 4429) and each socket HUB_WS_MAX_SUBSCRIPTIONS subscriptions; a
socket that does not authenticate within HUB_WS_INIT_TIMEOUT seconds is closed (4408).
Every refusal of the HTTP view itself (bad JSON, a batch, an unknown persisted
operation) is a JSON error with a code, like any other.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import timedelta
from typing import Any

from cross_web import HTTPException
from graphql import GraphQLError, GraphQLFormattedError
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ErrorMessage as TransportError,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import ErrorMessage as LegacyError
from strawberry.types.unset import UNSET

from hub.errors import BadRequest, HubError, Unauthenticated
from hub.events.parked import Group, Member
from hub.graphql import frames, request_json, slots
from hub.graphql.compiled import leaves
from hub.graphql.context import Context
from hub.graphql.express import Express
from hub.graphql.persisted import NotPersisted
from hub.graphql.watch import WS_UNAUTHORIZED, Watch
from hub.http_errors import json_error
from hub.parts import Parts

WS_TOO_MANY = 4429
WS_GOING_AWAY = 1001
_GOING_AWAY = "the hub is restarting; reconnect and resume from your last cursor"
_NO_PRINCIPAL = "no access token; send 'Authorization: Bearer <token>'"
_MAX_REASON = 120  # a close reason has at most 123 bytes
_HTTP_CODES = {400: "BAD_REQUEST", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}


async def _authenticate(handler: Any, payload: object) -> tuple[int, str] | None:
    """Bind a principal to the socket's context; the close code and reason of a refusal,
    or None when accepted."""
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
        return WS_UNAUTHORIZED, exc.message
    key = slots.user(principal)
    limit = view.runtime.settings.ws_max_connections
    if handler.socket_key is None:  # a repeated connection_init counts the socket once
        if view.sockets.full(key, limit):
            return WS_TOO_MANY, f"too many open connections for this user (limit {limit})"
        view.sockets.take(key)
        handler.socket_key = key
    context.principal_or_none = principal
    view.watch.expires(handler, principal.expires_at.timestamp())
    return None


class _ExpiryMixin:
    closing: asyncio.Task[None] | None = None  # the token expired: the socket closes
    pinging: asyncio.Task[None] | None = None
    socket_key: str | None = None

    async def handle(self) -> None:
        watch: Watch = self.view.watch  # type: ignore[attr-defined]
        watch.add(self)
        try:
            await super().handle()  # type: ignore[misc]
        finally:
            watch.discard(self)
            if self.socket_key is not None:
                self.view.sockets.give(self.socket_key)  # type: ignore[attr-defined]


def _persisted(handler: Any, payload: Any) -> HubError | None:
    """Turn a named persisted operation into its document (in place), or the refusal."""
    safelist = handler.view.safelist
    if safelist is None or not isinstance(payload, dict):
        return None
    try:
        payload["query"] = safelist.resolve(payload.get("query"), payload.get("extensions"))
    except NotPersisted as refused:
        return refused
    return None


def _refusal(exc: HubError) -> GraphQLFormattedError:
    return GraphQLError(exc.message, extensions={"code": exc.code}).formatted


class TransportWSHandler(_ExpiryMixin, BaseGraphQLTransportWSHandler[Context, None]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parked: dict[str, Member] = {}  # operations their cohort's task serves
        self.leads: dict[str, Group] = {}  # operations that lead their cohort
        self._resumes: dict[str, int] = {}  # operations resumed: replay after this event

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        # the operation's task: see hub.graphql.frames
        frames.serve(self, operation, self._resumes.pop(operation.id, None))
        await super().run_operation(operation)  # a parked one ends sending nothing more

    def resume(self, operation: Operation[Context, None], after: int) -> bool:
        """Run a parked operation again, from the event after `after` (hub.events.parked);
        False when it has ended meanwhile (completed, or its socket closed)."""
        self.parked.pop(operation.id, None)
        if self.operations.get(operation.id) is not operation:
            return False
        operation.completed = False
        self._resumes[operation.id] = after
        operation.task = asyncio.create_task(self.run_operation(operation))
        operation.task.add_done_callback(self._task_done)
        return True

    async def cleanup_operation(self, operation_id: str) -> None:
        member = self.parked.pop(operation_id, None)
        if member is not None:
            member.group.leave(member)
        group = self.leads.pop(operation_id, None)
        operation = self.operations.get(operation_id)
        if group is not None and operation is not None:
            group.step_down(operation)
        await super().cleanup_operation(operation_id)

    async def handle_message(self, message: Any) -> None:
        await super().handle_message(message)
        if isinstance(message, dict):
            # strawberry's reading loop holds the last message until the next one comes,
            # for an idle board its subscribe message: what it needs is taken by now
            message.clear()

    async def handle_subscribe(self, message: Any) -> None:
        refused = _persisted(self, message.get("payload"))
        if refused is not None and self.connection_acknowledged:
            error: TransportError = {
                "id": message["id"],
                "type": "error",
                "payload": [_refusal(refused)],
            }
            await self.send_message(error)
            return
        await super().handle_subscribe(message)

    async def handle_connection_init(self, message: Any) -> None:
        if not self.connection_init_received:
            refusal = await _authenticate(self, message.get("payload"))
            if refusal is not None:
                code, reason = refusal
                await self.websocket.close(code=code, reason=reason[:_MAX_REASON])
                return
            self.view.watch.pings(self)  # type: ignore[attr-defined]
        await super().handle_connection_init(message)
        # cancelled by now: a cancelled task keeps its coroutine's frames (through its
        # CancelledError's traceback) for as long as it is referred to, the socket's life
        self.connection_init_timeout_task = None


class LegacyWSHandler(_ExpiryMixin, BaseGraphQLWSHandler[Context, None]):
    async def handle_start(self, message: Any) -> None:
        refused = _persisted(self, message.get("payload"))
        if refused is not None and self.connection_acknowledged:
            error: LegacyError = {
                "id": message["id"],
                "type": "error",
                "payload": _refusal(refused),
            }
            await self.send_message(error)
            return
        await super().handle_start(message)

    async def handle_connection_init(self, message: Any) -> None:
        if self.socket_key is not None:
            # as graphql-transport-ws does: one connection_init per socket
            await self.websocket.close(code=WS_TOO_MANY, reason="Too many initialisation requests")
            return
        refusal = await _authenticate(self, message.get("payload"))
        if refusal is not None:
            code, reason = refusal
            kind = Unauthenticated.code if code == WS_UNAUTHORIZED else "TOO_MANY_CONNECTIONS"
            await self.send_message(
                {
                    "type": "connection_error",
                    "payload": {"message": reason, "extensions": {"code": kind}},
                }
            )
            await self.websocket.close(code=code, reason=reason[:_MAX_REASON])
            return
        await super().handle_connection_init(message)


class HubGraphQL(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = TransportWSHandler
    graphql_ws_handler_class = LegacyWSHandler

    def __init__(self, runtime: Parts, express: Express | None = None) -> None:
        s = runtime.settings
        super().__init__(
            runtime.schema,
            graphql_ide=None,  # served by hub.graphql.ide at /graphiql, in dev only
            keep_alive=True,
            keep_alive_interval=s.ws_heartbeat,
            connection_init_wait_timeout=timedelta(seconds=s.ws_init_timeout),
            max_subscriptions_per_connection=s.ws_max_subscriptions,
        )
        self.runtime = runtime
        self.sockets = runtime.streams  # open WebSockets and SSE streams per principal
        self.watch = Watch(s.ws_heartbeat)  # open WebSockets: expiry and heartbeat
        self.safelist = runtime.safelist
        self.express = express  # compiled reads' straight way (hub.graphql.express)

    def decode_json(self, data: str | bytes) -> object:
        """WebSocket messages: a malformed one is refused as strawberry refuses bad JSON."""
        try:
            return request_json.loads(data)
        except BadRequest as bad:
            raise json.JSONDecodeError(bad.message, "", 0) from None

    def parse_json(self, data: str | bytes) -> Any:
        value = request_json.loads(data)
        return value if isinstance(value, list) else request_json.graphql_request(value)

    def encode_json(self, data: object) -> str:
        """orjson: a 500-row page spent 6 % of its CPU in the standard json encoder. Text,
        not bytes: WebSocket messages must go out as text frames for browsers. A query's
        data may be a compiled answer (`leaves.dumps`)."""
        return leaves.dumps(data).decode()

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        """strawberry's response, with orjson's bytes as the body: a 500-case page spent
        a tenth of its CPU turning them into text and back."""
        response = Response(
            leaves.dumps(response_data),
            status_code=sub_response.status_code or 200,
            media_type="application/json",
        )
        response.headers.raw.extend(sub_response.headers.raw)
        if sub_response.background:
            response.background = sub_response.background
        return response

    async def going_away(self) -> None:
        """Close every WebSocket with 1001 so its client reconnects and resumes; a
        cohort whose leader is closed meanwhile promotes nobody."""
        self.runtime.parking.closing = True
        for handler in list(self.watch.live):
            with contextlib.suppress(Exception):
                await handler.websocket.close(code=WS_GOING_AWAY, reason=_GOING_AWAY)

    async def run(  # type: ignore[override]
        self, request: Request | WebSocket, context: Any = UNSET, root_value: Any = UNSET
    ) -> Response | WebSocket:
        if isinstance(request, Request) and request.scope.get("principal") is None:
            # protected(...) refuses first; this holds if a route ever forgets to wrap it
            return json_error(_NO_PRINCIPAL, Unauthenticated.code, 401)
        try:
            if self.express is not None and isinstance(request, Request):
                response = await self.express.answer(request)
                if response is not None:
                    return response
            return await super().run(request, context, root_value)
        except (HTTPException, HubError) as exc:
            if isinstance(request, WebSocket):
                raise
            if isinstance(exc, HubError):
                return json_error(exc)
            return json_error(
                exc.reason, _HTTP_CODES.get(exc.status_code, "BAD_REQUEST"), exc.status_code
            )

    async def parse_http_body(self, request: Any) -> GraphQLRequestData | list[GraphQLRequestData]:
        data = await super().parse_http_body(request)
        if self.safelist is not None and isinstance(data, GraphQLRequestData):
            data.query = self.safelist.resolve(data.query, data.extensions)
        return data

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        return Context.of(self.runtime, request)
