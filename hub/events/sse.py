"""caseEvents over Server-Sent Events, for agency networks whose proxies block WebSockets.

`GET /graphql/stream?query=…&variables=…` (or `POST` with the usual JSON body) and
`Accept: text/event-stream`. Each result is an `event: next` whose `id:` is the event's
cursor; a client that reconnects with `Last-Event-ID` resumes after it (the header fills
the operation's `$after` variable). Idle streams get a comment line every 15 s so proxies
keep them open. Authentication is the bearer token, checked at the edge like /graphql.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from hub.graphql.context import Context
from hub.runtime import Runtime

HEARTBEAT = 15.0


def _error(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": "INVALID_INPUT"}}]}, status
    )


async def _request(request: Request) -> dict[str, Any] | None:
    if request.method == "POST":
        try:
            body = json.loads(await request.body())
        except ValueError:
            return None
        return body if isinstance(body, dict) else None
    params = request.query_params
    try:
        variables = json.loads(params["variables"]) if "variables" in params else {}
    except ValueError:
        return None
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


def routes(runtime: Runtime) -> list[Route]:
    async def stream(request: Request) -> Response:
        body = await _request(request)
        if body is None or not isinstance(body.get("query"), str):
            return _error("send a subscription as query (and variables as JSON)")
        variables = body.get("variables") or {}
        if not isinstance(variables, dict):
            return _error("variables must be a JSON object")
        resume = request.headers.get("last-event-id")
        if resume:
            variables = {**variables, "after": resume}
        context = Context.of(runtime, request)
        results = await runtime.schema.subscribe(
            body["query"],
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
                    async for result in results:
                        await frames.put(_frame(result))
                finally:
                    await frames.put(None)

            consumer = asyncio.create_task(consume())
            try:
                while True:
                    try:
                        frame = await asyncio.wait_for(frames.get(), HEARTBEAT)
                    except TimeoutError:
                        yield ": keep-alive\n\n"
                        continue
                    if frame is None:
                        break
                    yield frame
                yield "event: complete\ndata:\n\n"
            finally:
                consumer.cancel()
                with contextlib.suppress(BaseException):
                    await consumer

        return StreamingResponse(
            events(),
            media_type="text/event-stream",
            headers={"cache-control": "no-store", "x-accel-buffering": "no"},
        )

    return [Route("/graphql/stream", stream, methods=["GET", "POST"])]
