"""GET /photos/{id}: an uploaded photo, to whoever may see the child's description."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hub.children import commands
from hub.db.session import Session
from hub.graphql.ids import parse_id
from hub.runtime import Runtime

_NOT_FOUND = {"errors": [{"message": "no photo with this id", "extensions": {"code": "NOT_FOUND"}}]}


def routes(runtime: Runtime) -> list[Route]:
    async def photo(request: Request) -> Response:
        photo_id = parse_id(request.path_params["photo_id"])
        if photo_id is None:
            return JSONResponse(_NOT_FOUND, 404)
        async with Session(runtime.pool, readonly=True) as db:
            found = await commands.photo(db, runtime.policy, request.scope["principal"], photo_id)
        if found is None:  # absent and not allowed look the same
            return JSONResponse(_NOT_FOUND, 404)
        return Response(
            found.data,
            media_type=found.content_type,
            headers={"cache-control": "private, no-store", "x-content-type-options": "nosniff"},
        )

    return [Route("/photos/{photo_id}", photo)]
