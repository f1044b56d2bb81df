"""GraphiQL for developers, at /graphiql, in dev only.

A route of its own: /graphql never renders a page, so no header or encoding of a
request can make it run an operation without a token. The page sends the token the
developer pastes into its headers pane to /graphql, like any client. A browser opening
/graphql itself (no query string at all) is sent here; nothing runs.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.http.ides import get_graphql_ide_html

from hub.auth.routes import public

IDE_PATH = "/graphiql"
# strawberry's page posts to its own URL; this one lives beside the endpoint
_OWN_URL = 'window.location.href.split("?")[0]'
_ENDPOINT = 'new URL("/graphql", window.location.href).href'


def routes() -> list[Route]:
    html = get_graphql_ide_html("graphiql")
    assert _OWN_URL in html, "strawberry's GraphiQL page changed; update hub/graphql/ide.py"
    page = html.replace(_OWN_URL, _ENDPOINT)

    async def graphiql(_: Request) -> HTMLResponse:
        return HTMLResponse(page, headers={"cache-control": "no-store"})

    return [Route(IDE_PATH, public(graphiql), methods=["GET"])]


class RedirectBrowsers:
    """In front of /graphql in dev: a browser opening the endpoint gets the IDE."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _opens_ide(scope):
            headers = [(b"location", IDE_PATH.encode()), (b"content-length", b"0")]
            await send({"type": "http.response.start", "status": 307, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        await self.app(scope, receive, send)


def _opens_ide(scope: Scope) -> bool:
    """GET /graphql with no query string at all, from a browser: no operation to run."""
    if scope["method"] != "GET" or scope.get("query_string"):
        return False
    return b"text/html" in dict(scope["headers"]).get(b"accept", b"")
