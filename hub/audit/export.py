"""GET /audit/export.csv: the audit log as CSV, streamed, with `auditLog`'s filters.

Query parameters: childId, caseId, organisation, sub, purpose, kind, flag, from, to
(ISO 8601). Oldest first. The export is itself recorded before the first byte is sent.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from hub.audit import service, writing
from hub.audit.models import AuditEntry, AuditFilter, AuditFlag, AuditKind
from hub.audit.writing import recorder_for
from hub.auth.routes import protected
from hub.db.session import Session
from hub.errors import HubError, InvalidInput, Unavailable
from hub.graphql.ids import parse_id
from hub.http_errors import json_error
from hub.parts import Parts, actor_of
from hub.text import is_unsafe

log = logging.getLogger("hub.audit")

COLUMNS = (
    "seq",
    "at",
    "kind",
    "action",
    "operation",
    "organisation_id",
    "sub",
    "roles",
    "purpose",
    "child_id",
    "case_ids",
    "disclosed",
    "withheld",
    "legal_bases",
    "flags",
    "request_id",
    "trace_id",
    "details",
    "hash",
)
_ROWS_PER_CHUNK = 500


def _row(e: AuditEntry) -> list[str]:
    return [
        str(e.seq),
        e.at.isoformat(),
        e.kind.value,
        e.action,
        e.operation or "",
        e.organisation_id or "",
        e.sub or "",
        " ".join(e.roles),
        e.purpose or "",
        str(e.child_id or ""),
        " ".join(str(c) for c in e.case_ids),
        " ".join(e.disclosed),
        " ".join(e.withheld),
        "; ".join(f"{c}: {b}" for c, b in e.bases.items()),
        " ".join(e.flags),
        e.request_id,
        e.trace_id or "",
        json.dumps(e.details, sort_keys=True) if e.details else "",
        e.hash,
    ]


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    """A spreadsheet must not run a cell as a formula: quote one that could start one."""
    return "'" + value if value.startswith(_FORMULA) else value


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([[_cell(v) for v in r] for r in rows])
    return out.getvalue()


def _filter(request: Request) -> AuditFilter:
    q = request.query_params
    known = {"childId", "caseId", "organisation", "sub", "purpose", "kind", "flag", "from", "to"}
    unknown = sorted(set(q) - known)
    bad = next((k for k, v in q.multi_items() if is_unsafe(k) or is_unsafe(v)), None)
    if bad is not None:
        raise InvalidInput("text may not contain NUL characters or unpaired surrogates", field=bad)
    if unknown:
        raise InvalidInput(
            f"unknown filter {', '.join(unknown)}; use {', '.join(sorted(known))}",
            field=unknown[0],
        )

    def uid(name: str) -> uuid.UUID | None:
        raw = q.get(name)
        if raw is None:
            return None
        value = parse_id(raw)
        if value is None:
            raise InvalidInput(f"{name} is not an id the hub issued", field=name)
        return value

    def when(name: str) -> datetime | None:
        raw = q.get(name)
        if raw is None:
            return None
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            raise InvalidInput(f"{name} is not an ISO 8601 time", field=name) from None
        if value.tzinfo is None:
            raise InvalidInput(f"{name} needs a time zone, e.g. 2026-11-23T08:00:00Z", field=name)
        return value

    def choice(name: str, enum: type[AuditKind] | type[AuditFlag]) -> object:
        raw = q.get(name)
        if raw is None:
            return None
        try:
            return enum(raw)
        except ValueError:
            allowed = ", ".join(e.value for e in enum)
            raise InvalidInput(f"{name} must be one of {allowed}", field=name) from None

    return AuditFilter(
        child_id=uid("childId"),
        case_id=uid("caseId"),
        organisation_id=q.get("organisation"),
        sub=q.get("sub"),
        purpose=q.get("purpose"),
        kind=choice("kind", AuditKind),  # type: ignore[arg-type]
        flag=choice("flag", AuditFlag),  # type: ignore[arg-type]
        since=when("from"),
        until=when("to"),
    )


def routes(runtime: Parts) -> list[Route]:
    async def export(request: Request) -> Response:
        principal = request.scope["principal"]
        audit = recorder_for(
            principal, runtime.settings, request.headers, policy_version=runtime.policy.version
        )
        actor = actor_of(runtime, Session(runtime.pool), principal, audit)
        try:
            f = _filter(request)
            service.require_auditor(actor)
        except InvalidInput as exc:
            return json_error(exc, status=400)
        except HubError as exc:
            return json_error(exc, status=403)

        async def body() -> AsyncIterator[str]:
            yield _csv([list(COLUMNS)])
            async with runtime.pool.acquire() as conn, conn.transaction(readonly=True):
                chunk: list[list[str]] = []
                async for entry in service.export(actor, conn, f):
                    chunk.append(_row(entry))
                    if len(chunk) >= _ROWS_PER_CHUNK:
                        yield _csv(chunk)
                        chunk = []
                if chunk:
                    yield _csv(chunk)

        rows = body()
        # the export is recorded (and committed) before its first row leaves
        service.record_export(audit, f)
        try:
            await writing.finish(actor.db, audit, None, commit=True)
        except Exception:
            log.exception("export not sent: its audit record could not be written")
            return json_error("try again shortly", Unavailable.code, 503)
        return StreamingResponse(
            rows,
            media_type="text/csv; charset=utf-8",
            headers={
                "content-disposition": 'attachment; filename="audit.csv"',
                "cache-control": "private, no-store",
            },
        )

    return [Route("/audit/export.csv", protected(runtime, export), methods=["GET"])]
