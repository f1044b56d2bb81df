"""The unit of work's end: every request's transaction finishes here, with its audit
record (GraphQL operations and subscription deliveries through `hub.graphql.context`,
photos and the CSV export directly). Nothing else commits a request's work."""

from __future__ import annotations

from collections.abc import Mapping

import asyncpg

from hub.audit import repository
from hub.audit.appender import AuditAppender
from hub.audit.models import AuditKind
from hub.audit.recorder import AuditPolicy, Record, Recorder
from hub.auth.principal import Principal
from hub.db.session import Session
from hub.settings import Settings
from hub.telemetry import request_id


def recorder_for(
    principal: Principal | None,
    settings: Settings,
    headers: Mapping[str, str],
    *,
    kind: AuditKind = AuditKind.READ,
    enabled: bool = True,
    policy_version: str | None = None,
) -> Recorder:
    """The recorder of one request (GraphQL operation, photo, export), with its request id
    (see hub.telemetry.request_id) and the flags' settings."""
    return Recorder(
        principal,
        kind=kind,
        request_id=request_id.current(),
        client_request_id=request_id.client(),
        policy=AuditPolicy(settings.audit_bulk_children, settings.office_hours, policy_version),
        enabled=enabled,
    )


async def finish(
    session: Session, audit: Recorder, appender: AuditAppender | None, *, commit: bool
) -> None:
    """End `session`'s transaction with `audit`'s record.

    Committed work carries its record in the same transaction, written last; a read-only
    one (a query, a delivery) has it written by the appender, before this returns; work
    rolled back (a failed mutation) still leaves the record of what was attempted and
    refused. Raises when the record cannot be written: the caller must not send the data.
    """
    if commit and session.readonly:
        # a read wrote nothing: its record joins the next group commit
        await session.finish(commit=True)
        await record_read(session.pool, audit, appender)
        return
    if commit:
        await commit_with_record(session, audit)
        return
    await session.finish(commit=False)
    await record_alone(session.pool, audit)


async def record_read(pool: asyncpg.Pool, audit: Record, appender: AuditAppender | None) -> None:
    """Write the record of a read that needed no transaction of its own (a delivery of an
    answer its cohort worked out): with the next group commit, or alone without one."""
    if appender is not None:
        await appender.append(audit)
    else:
        await record_alone(pool, audit)


async def commit_with_record(session: Session, audit: Record) -> None:
    """Commit `session` with the record written last in its transaction; raises (and
    commits nothing) when the record cannot be written."""
    if audit.pending:
        session.before_commit(lambda conn: repository.append(conn, audit.entries))
    await session.finish(commit=True)


async def record_alone(pool: asyncpg.Pool, audit: Record) -> None:
    """Write the record in a transaction of its own (the work itself was rolled back, so
    the changes it recorded did not happen: only its reads and refusals are kept)."""
    audit.forget_changes()
    if audit.pending:
        await commit_with_record(Session(pool), audit)
