"""The one JSON error envelope of every route that is not GraphQL's own answer:

    {"errors": [{"message": "...", "extensions": {"code": "...", ...}}]}

`json_error` for Starlette routes, `send_json_error` for ASGI middleware that answers
before any route runs, `error_body` for other framings (an SSE event).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import Send

from hub.errors import HubError


def error_body(message: str, code: str, **extensions: Any) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}


def json_error(
    message: str | HubError, code: str | None = None, status: int = 400, **extensions: Any
) -> JSONResponse:
    """A coded JSON error response; a HubError gives its own message, code and extensions."""
    if isinstance(message, HubError):
        return JSONResponse(
            error_body(message.message, code or message.code, **message.extensions), status
        )
    assert code is not None, "a plain message needs a code"
    return JSONResponse(error_body(message, code, **extensions), status)


async def send_json_error(
    send: Send,
    status: int,
    message: str,
    code: str,
    *,
    headers: Sequence[tuple[bytes, bytes]] = (),
    **extensions: Any,
) -> None:
    body = json.dumps(error_body(message, code, **extensions)).encode()
    start = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *headers,
    ]
    await send({"type": "http.response.start", "status": status, "headers": start})
    await send({"type": "http.response.body", "body": body})
