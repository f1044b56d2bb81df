"""GET /photos/{id}: an uploaded photo, to whoever may see the child's description."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hub.audit.models import AuditKind
from hub.audit.writing import commit_with_record, recorder_for
from hub.children import commands
from hub.db.session import Session
from hub.graphql.ids import parse_id
from hub.policy.categories import DataCategory
from hub.runtime import Runtime

log = logging.getLogger("hub.photos")
_PHOTO = frozenset({DataCategory.DESCRIPTION})
_UNAVAILABLE = {
    "errors": [
        {"message": "try again shortly", "extensions": {"code": "UNAVAILABLE"}},
    ]
}
_NOT_FOUND = {"errors": [{"message": "no photo with this id", "extensions": {"code": "NOT_FOUND"}}]}


def routes(runtime: Runtime) -> list[Route]:
    async def photo(request: Request) -> Response:
        photo_id = parse_id(request.path_params["photo_id"])
        if photo_id is None:
            return JSONResponse(_NOT_FOUND, 404)
        principal = request.scope["principal"]
        audit = recorder_for(principal, runtime.settings, request.headers)
        audit.action = "photo"
        db = Session(runtime.pool)
        try:
            found = await commands.photo(db, runtime.policy, principal, photo_id)
            if found is None:
                audit.record(AuditKind.DENIED, "photo", details={"code": "NOT_VISIBLE"})
            else:
                audit.disclosed("Photo", _PHOTO, found.view, child_id=found.row.child_id)
            await commit_with_record(db, audit)
        except Exception:
            await db.finish(commit=False)
            log.exception("photo not sent: its audit record could not be written")
            return JSONResponse(_UNAVAILABLE, 503)
        if found is None:  # absent and not allowed look the same
            return JSONResponse(_NOT_FOUND, 404)
        return Response(
            found.row.data,
            media_type=found.row.content_type,
            headers={"cache-control": "private, no-store", "x-content-type-options": "nosniff"},
        )

    return [Route("/photos/{photo_id}", photo)]
