"""GraphiQL for developers, at /graphiql, in dev only.

A route of its own: /graphql never renders a page, so no header or encoding of a
request can make it run an operation without a token. The page sends the token the
developer pastes into its headers pane to /graphql, like any client.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route
from strawberry.http.ides import get_graphql_ide_html

from hub.auth.routes import IDE_PATH, public

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
