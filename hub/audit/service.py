"""What auditors may ask of the trail, and chain verification. No SQL, no GraphQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg

from hub.actor import Actor
from hub.audit import chain, repository
from hub.audit.models import AccessSummary, AuditEntry, AuditFilter, AuditKind, ChainVerification
from hub.audit.recorder import Recorder


def _scope(actor: Actor) -> str | None:
    return actor.policy.audit_scope(actor.principal).organisation_id


def _audited(audit: Recorder, what: str, f: AuditFilter) -> None:
    """Auditors are audited too: which slice of the trail each one read."""
    details: dict[str, Any] = {
        k: " ".join(v) if isinstance(v, tuple) else str(v)
        for k, v in _filter_fields(f).items()
        if v is not None and v != ()
    }
    audit.record(
        AuditKind.AUDIT,
        what,
        child_id=f.child_id,
        case_ids=[f.case_id] if f.case_id else [],
        details=details,
    )


def _filter_fields(f: AuditFilter) -> dict[str, object]:
    return {name: getattr(f, name) for name in f.__dataclass_fields__}


async def page(
    actor: Actor,
    f: AuditFilter,
    *,
    first: int,
    after: repository.Position | None,
) -> tuple[list[AuditEntry], int]:
    scope = _scope(actor)
    _audited(actor.audit, "auditLog", f)
    rows = await repository.page(actor.db, f, scope, first=first, after=after)
    return rows, await repository.count(actor.db, f, scope)


async def access_report(actor: Actor, child_id: uuid.UUID) -> list[AccessSummary]:
    scope = _scope(actor)
    _audited(actor.audit, "accessReport", AuditFilter(child_id=child_id))
    return await repository.access_report(actor.db, child_id, scope)


def record_export(audit: Recorder, f: AuditFilter) -> None:
    _audited(audit, "export.csv", f)


async def export(actor: Actor, conn: Any, f: AuditFilter) -> AsyncIterator[AuditEntry]:
    """Every matching row, oldest first, streamed; `conn` is in a transaction."""
    scope = _scope(actor)
    async for entry in repository.stream(conn, f, scope):
        yield entry


def require_auditor(actor: Actor) -> None:
    """FORBIDDEN unless an auditor. Any auditor may verify the whole chain: the answer
    names sequence numbers, no content."""
    actor.policy.audit_scope(actor.principal)


async def verify(
    conn: asyncpg.Connection | Any, progress: Callable[[int], None] | None = None
) -> ChainVerification:
    """Walk the whole trail in order and re-hash every row; the first broken link wins."""
    result, _ = await walk(conn, progress)
    return result


async def walk(
    conn: asyncpg.Connection | Any,
    progress: Callable[[int], None] | None = None,
    *,
    since: tuple[int, str] | None = None,
) -> tuple[ChainVerification, str]:
    """Re-hash the rows after `since` (a verified seq and its hash; None: the whole
    trail) in order; the result and the hash of the last row that verified.

    A row is broken when its content does not give its hash, when it does not point at
    the row before it, or when a sequence number is missing (a deleted row). The end of
    the trail must be the chain's recorded head (rows cut off the end are found too).
    """
    checked = 0
    first: int | None = None
    prev_seq, prev_hash = since if since else (None, chain.GENESIS)
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        rows = repository.in_order(conn, after_seq=since[0] if since else 0)
        while True:
            try:
                row = await anext(rows)
            except StopAsyncIteration:
                break
            except ValueError:  # a kind the hub never writes: edited behind its back
                broken = (prev_seq or 0) + 1
                reason = f"row {broken} holds a value the hub never writes"
                return ChainVerification(False, checked, first, prev_seq, broken, reason), prev_hash
            if first is None:
                first = row.seq
                if since is None:
                    anchor = await repository.anchor_before(conn, row.seq)
                    prev_seq, prev_hash = anchor if anchor else (0, chain.GENESIS)
            problem = _problem(row, prev_seq, prev_hash)
            if problem:
                broken, reason = problem
                return ChainVerification(False, checked, first, prev_seq, broken, reason), prev_hash
            checked += 1
            prev_seq, prev_hash = row.seq, row.hash
            if progress is not None:
                progress(checked)
        head_seq, head_hash = await repository.head(conn)
    if (head_seq, head_hash) != ((prev_seq or 0), prev_hash):
        result = ChainVerification(
            False,
            checked,
            first,
            prev_seq,
            (prev_seq or 0) + 1,
            f"the chain's head is at {head_seq}, but the trail ends at {prev_seq or 0}",
        )
        return result, prev_hash
    return ChainVerification(True, checked, first, prev_seq, None, None), prev_hash


def _problem(row: AuditEntry, prev_seq: int | None, prev_hash: str) -> tuple[int, str] | None:
    """The first broken seq and what is wrong with it, or None."""
    expected_seq = (prev_seq or 0) + 1
    if row.seq != expected_seq:
        return expected_seq, f"row {expected_seq} is missing (the next row is {row.seq})"
    if row.prev_hash != prev_hash:
        return row.seq, f"row {row.seq} does not point at row {prev_seq}'s hash"
    if chain.link(row.prev_hash, row.seq, row.at, row) != row.hash:
        return row.seq, f"row {row.seq} was altered: its content does not give its hash"
    return None
