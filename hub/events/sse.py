"""caseEvents over Server-Sent Events, for agency networks whose proxies block WebSockets.

`GET /graphql/stream?query=…&variables=…` (or `POST` with the usual JSON body) and
`Accept: text/event-stream`. Each result is an `event: next` whose `id:` is the event's
cursor; a client that reconnects with `Last-Event-ID` resumes after it (the header fills
the operation's `$after` variable). Idle streams get a comment line every 15 s so proxies
keep them open. Authentication is the bearer token, checked at the edge like /graphql;
the stream ends with an `event: error` (UNAUTHENTICATED) when the token expires. A
stream counts toward the user's HUB_WS_MAX_CONNECTIONS like a WebSocket (more: 429).
Only subscriptions are served here (a query or mutation: 400); with HUB_PERSISTED_ONLY
only listed documents.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from graphql import GraphQLError, OperationType, get_operation_ast, parse
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from hub.auth.principal import Principal
from hub.auth.routes import protected
from hub.errors import BadRequest, Unauthenticated
from hub.graphql import request_json, slots
from hub.graphql.context import Context
from hub.graphql.persisted import NotPersisted
from hub.http_errors import error_body, json_error
from hub.parts import Parts

HEARTBEAT = 15.0
_EXPIRED = (
    "event: error\ndata: "
    + json.dumps(error_body("the token has expired (exp)", Unauthenticated.code))
    + "\n\n"
)


def _error(message: str, status: int = 400, code: str = "INVALID_INPUT") -> Response:
    return json_error(message, code, status)


def _operation_type(query: str, name: object, max_tokens: int) -> OperationType | None:
    """The type of the operation the document names (None: unparsable or not found)."""
    try:
        document = parse(query, max_tokens=max_tokens)
    except GraphQLError:
        return None
    operation = get_operation_ast(document, name if isinstance(name, str) else None)
    return operation.operation if operation else None


async def _request(request: Request) -> dict[str, Any]:
    """The request's query, variables and operation name; BadRequest when malformed."""
    if request.method == "POST":
        return request_json.graphql_request(request_json.loads(await request.body()))
    params = request.query_params
    variables = request_json.loads(params["variables"]) if "variables" in params else {}
    return {
        "query": params.get("query"),
        "variables": variables,
        "operationName": params.get("operationName"),
    }


def _frame(result: Any) -> str:
    payload: dict[str, Any] = {"data": result.data}
    if result.errors:
        payload["errors"] = [
            e.formatted if isinstance(e, GraphQLError) else {"message": str(e)}
            for e in result.errors
        ]
    cursor = ((result.data or {}).get("caseEvents") or {}).get("cursor")
    head = f"id: {cursor}\n" if cursor else ""
    return f"event: next\n{head}data: {json.dumps(payload)}\n\n"


def routes(runtime: Parts) -> list[Route]:
    async def stream(request: Request) -> Response:
        try:
            body = await _request(request)
        except BadRequest as bad:
            return _error(bad.message, code=bad.code)
        if not isinstance(body.get("query"), str):
            return _error("send a subscription as query (and variables as JSON)")
        variables = body.get("variables") or {}
        if not isinstance(variables, dict):
            return _error("variables must be a JSON object")
        query: str = body["query"]
        if runtime.safelist is not None:
            try:
                query = runtime.safelist.resolve(query, body.get("extensions"))
            except NotPersisted as refused:
                return _error(refused.message, code=refused.code)
        kind = _operation_type(query, body.get("operationName"), runtime.settings.max_tokens)
        if kind is None:
            return _error("the document does not parse or names no operation", code="BAD_REQUEST")
        if kind is not OperationType.SUBSCRIPTION:
            return _error(
                f"this endpoint streams subscriptions; send a {kind.value} to /graphql",
                code="BAD_REQUEST",
            )
        resume = request.headers.get("last-event-id")
        if resume:
            variables = {**variables, "after": resume}
        principal: Principal = request.scope["principal"]
        user = slots.user(principal)
        limit = runtime.settings.ws_max_connections
        if runtime.streams.full(user, limit):
            return _error(
                f"too many open connections for this user (limit {limit})",
                429,
                "TOO_MANY_CONNECTIONS",
            )
        context = Context.of(runtime, request)
        results = await runtime.schema.subscribe(
            query,
            variable_values=variables,
            context_value=context,
            operation_name=body.get("operationName"),
        )

        async def events() -> AsyncIterator[str]:
            # one task consumes the subscription, so every step of it runs in one context
            # (its per-event operations live in context variables); this generator only
            # relays frames and fills silences with heartbeats
            frames: asyncio.Queue[str | None] = asyncio.Queue(maxsize=64)

            async def consume() -> None:
                try:
                    async with contextlib.aclosing(results):  # in this task's context
                        async for result in results:
                            await frames.put(_frame(result))
                finally:
                    await frames.put(None)

            consumer = asyncio.create_task(consume())
            runtime.streams.take(user)
            expires = principal.expires_at.timestamp()
            try:
                while True:
                    left = expires - time.time()
                    if left <= 0:
                        yield _EXPIRED
                        return
                    try:
                        frame = await asyncio.wait_for(frames.get(), min(HEARTBEAT, left))
                    except TimeoutError:
                        yield ": keep-alive\n\n"
                        continue
                    if frame is None:
                        break
                    yield frame
                yield "event: complete\ndata:\n\n"
            finally:
                runtime.streams.give(user)
                consumer.cancel()
                with contextlib.suppress(BaseException):
                    await consumer

        return StreamingResponse(
            events(),
            media_type="text/event-stream",
            headers={"cache-control": "no-store", "x-accel-buffering": "no"},
        )

    return [Route("/graphql/stream", protected(runtime, stream), methods=["GET", "POST"])]
