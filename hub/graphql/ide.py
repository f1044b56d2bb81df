"""GraphiQL for developers, at /graphiql, in dev only.

A route of its own: /graphql never renders a page, so no header or encoding of a
request can make it run an operation without a token. Its scripts and styles are served
from the hub (`ide_static/`, the npm registry's files byte for byte: the page keeps the
integrity hashes strawberry pins, so a changed file would not load); nothing comes from a
CDN. The page sends the token the
developer pastes into its headers pane to /graphql, like any client. A browser opening
/graphql itself (no query string at all) is sent here; nothing runs.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.http.ides import get_graphql_ide_html

from hub.auth.routes import public

IDE_PATH = "/graphiql"
# strawberry's page posts to its own URL; this one lives beside the endpoint
_OWN_URL = 'window.location.href.split("?")[0]'
_ENDPOINT = 'new URL("/graphql", window.location.href).href'
STATIC_DIR = Path(__file__).resolve().parent / "ide_static"
# where strawberry's page loads each file from, and the copy the hub serves
_ASSETS = {
    "https://unpkg.com/react@18.2.0/umd/react.production.min.js": "react.production.min.js",
    "https://unpkg.com/react-dom@18.2.0/umd/react-dom.production.min.js": (
        "react-dom.production.min.js"
    ),
    "https://unpkg.com/js-cookie@3.0.5/dist/js.cookie.min.js": "js.cookie.min.js",
    "https://unpkg.com/graphiql@3.8.3/graphiql.min.css": "graphiql.min.css",
    "https://unpkg.com/graphiql@3.8.3/graphiql.min.js": "graphiql.min.js",
    "https://unpkg.com/@graphiql/plugin-explorer@1.0.2/dist/style.css": "plugin-explorer.css",
    "https://unpkg.com/@graphiql/plugin-explorer@1.0.2/dist/index.umd.js": (
        "plugin-explorer.umd.js"
    ),
}


def page() -> str:
    """strawberry's GraphiQL page, posting to /graphql and loading its files from the hub."""
    html = get_graphql_ide_html("graphiql")
    assert _OWN_URL in html, "strawberry's GraphiQL page changed; update hub/graphql/ide.py"
    for remote, local in _ASSETS.items():
        assert remote in html, f"strawberry's GraphiQL page no longer loads {remote}"
        html = html.replace(remote, f"{IDE_PATH}/static/{local}")
    return html.replace(_OWN_URL, _ENDPOINT)


def routes() -> list[BaseRoute]:
    html = page()

    async def graphiql(_: Request) -> HTMLResponse:
        return HTMLResponse(html, headers={"cache-control": "no-store"})

    return [
        Route(IDE_PATH, public(graphiql), methods=["GET"]),
        Mount(f"{IDE_PATH}/static", public(StaticFiles(directory=STATIC_DIR))),
    ]


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
