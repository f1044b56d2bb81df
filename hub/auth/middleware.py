"""Authenticate at the edge: a valid bearer token becomes `scope["principal"]`.

Only the GraphQL endpoint (and later the auditors' export) needs a principal; health
checks, the dev issuer's endpoints and the GraphiQL page do not. WebSockets authenticate
in `connection_init` instead (see `hub.graphql.view`).
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

from hub.errors import HubError, Unauthenticated, Unavailable
from hub.runtime import Runtime

PROTECTED = ("/graphql", "/audit/", "/photos/")
PURPOSE_HEADER = b"x-hub-purpose"


def _wants_ide(scope: Scope) -> bool:
    """A browser asking for the GraphiQL page itself (it sends its token per request)."""
    if (
        scope["path"] != "/graphql"
        or scope["method"] != "GET"
        or b"query=" in scope.get("query_string", b"")
    ):
        return False
    accept = dict(scope["headers"]).get(b"accept", b"")
    return b"text/html" in accept


async def _refuse(send: Send, error: HubError) -> None:
    status = 503 if isinstance(error, Unavailable) else 401
    body = json.dumps(
        {"errors": [{"message": error.message, "extensions": {"code": error.code}}]}
    ).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if isinstance(error, Unauthenticated):
        headers.append((b"www-authenticate", b'Bearer error="invalid_token"'))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class AuthMiddleware:
    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(PROTECTED) or _wants_ide(scope):
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
