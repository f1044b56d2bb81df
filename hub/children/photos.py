"""GET /photos/{id}: an uploaded photo, to whoever may see the child's description."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hub.audit import writing
from hub.audit.models import AuditKind
from hub.audit.writing import recorder_for
from hub.auth.routes import protected
from hub.children import service
from hub.db.session import Session
from hub.errors import NotFound, Unavailable
from hub.graphql.ids import parse_id
from hub.http_errors import json_error
from hub.parts import Parts, actor_of
from hub.policy.categories import DataCategory

log = logging.getLogger("hub.photos")
_PHOTO = frozenset({DataCategory.DESCRIPTION})
_NOT_FOUND = "no photo with this id"


def routes(runtime: Parts) -> list[Route]:
    async def photo(request: Request) -> Response:
        photo_id = parse_id(request.path_params["photo_id"])
        if photo_id is None:
            return json_error(_NOT_FOUND, NotFound.code, 404)
        principal = request.scope["principal"]
        audit = recorder_for(
            principal, runtime.settings, request.headers, policy_version=runtime.policy.version
        )
        audit.action = "photo"
        db = Session(runtime.pool)
        try:
            found = await service.photo(actor_of(runtime, db, principal, audit), photo_id)
            if found is None:
                audit.record(AuditKind.DENIED, "photo", details={"code": "NOT_VISIBLE"})
            else:
                audit.disclosed("Photo", _PHOTO, found.view, child_id=found.row.child_id)
            await writing.finish(db, audit, None, commit=True)
        except Exception:
            await db.finish(commit=False)
            log.exception("photo not sent: its audit record could not be written")
            return json_error("try again shortly", Unavailable.code, 503)
        if found is None:  # absent and not allowed look the same
            return json_error(_NOT_FOUND, NotFound.code, 404)
        return Response(
            found.row.data,
            media_type=found.row.content_type,
            headers={"cache-control": "private, no-store", "x-content-type-options": "nosniff"},
        )

    return [Route("/photos/{photo_id}", protected(runtime, photo), methods=["GET"])]
