"""Committing work together with its audit record."""

from __future__ import annotations

import asyncpg

from hub.audit import repository
from hub.audit.recorder import AuditPolicy, Recorder
from hub.db.session import Session
from hub.settings import Settings


def audit_policy(settings: Settings) -> AuditPolicy:
    return AuditPolicy(settings.audit_bulk_children, settings.office_hours)


async def commit_with_record(session: Session, audit: Recorder) -> None:
    """Commit `session` with the record written last in its transaction; raises (and
    commits nothing) when the record cannot be written."""
    if audit.pending:
        session.before_commit(lambda conn: repository.append(conn, audit.entries))
    await session.finish(commit=True)


async def record_alone(pool: asyncpg.Pool, audit: Recorder) -> None:
    """Write the record in a transaction of its own (the work itself was rolled back)."""
    if audit.pending:
        await commit_with_record(Session(pool), audit)
