"""Authenticate at the edge: a valid bearer token becomes `scope["principal"]`.

Every request under /graphql (whatever its method, headers or encoding), the auditors'
export and photos need a principal; health checks, the console's static files, the dev
issuer's endpoints and the GraphiQL page (dev only, at /graphiql) do not. WebSockets
authenticate in `connection_init` instead (see `hub.graphql.view`). In dev a browser
opening /graphql itself (no query string at all) is sent to /graphiql; nothing runs.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from hub.errors import HubError, Unauthenticated, Unavailable
from hub.http_errors import send_json_error
from hub.runtime import Runtime

PROTECTED = ("/graphql", "/audit/", "/photos/")
PURPOSE_HEADER = b"x-hub-purpose"


IDE_PATH = "/graphiql"


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


class AuthMiddleware:
    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime
        self.ide = runtime.settings.graphiql_enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(PROTECTED):
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
