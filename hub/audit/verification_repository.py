"""All SQL about verifications of the audit chain (`audit_verifications`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from hub.audit.models import ChainVerification


@dataclass(frozen=True, slots=True)
class Verification:
    """One finished run: its result, when, and the checkpoint it leaves."""

    id: int
    full: bool
    finished_at: datetime
    result: ChainVerification
    last_hash: str | None


_COLUMNS = """id, full_run, finished_at, ok, checked, first_seq, last_seq, last_hash,
    first_broken_seq, problem"""
_LATEST = f"""SELECT {_COLUMNS} FROM audit_verifications WHERE finished_at IS NOT NULL
 ORDER BY finished_at DESC, id DESC LIMIT 1"""
_CHECKPOINT = f"""SELECT {_COLUMNS} FROM audit_verifications
 WHERE finished_at IS NOT NULL AND ok AND last_seq IS NOT NULL
 ORDER BY last_seq DESC, id DESC LIMIT 1"""
_REQUEST_FULL = """
INSERT INTO audit_verifications (full_run, requested_by_sub, requested_by_org)
VALUES (true, $1, $2) ON CONFLICT (full_run) WHERE full_run AND finished_at IS NULL DO NOTHING
RETURNING id"""
_PENDING_FULL = """SELECT id FROM audit_verifications
 WHERE full_run AND finished_at IS NULL ORDER BY id LIMIT 1"""
_START = "UPDATE audit_verifications SET started_at = now() WHERE id = $1"
_BEGIN_INCREMENTAL = """INSERT INTO audit_verifications (full_run, started_at) VALUES (false, now())
RETURNING id"""
_FINISH = """
UPDATE audit_verifications SET finished_at = now(), ok = $2, checked = $3, first_seq = $4,
       last_seq = $5, last_hash = $6, first_broken_seq = $7, problem = $8
 WHERE id = $1"""


def _model(row: asyncpg.Record) -> Verification:
    return Verification(
        id=row["id"],
        full=row["full_run"],
        finished_at=row["finished_at"],
        result=ChainVerification(
            ok=row["ok"],
            checked=row["checked"],
            first_seq=row["first_seq"],
            last_seq=row["last_seq"],
            first_broken_seq=row["first_broken_seq"],
            problem=row["problem"],
        ),
        last_hash=row["last_hash"],
    )


async def latest(conn: Any) -> Verification | None:
    row = await conn.fetchrow(_LATEST)
    return _model(row) if row else None


async def checkpoint(conn: Any) -> Verification | None:
    """The run that verified the furthest, with a chain that held."""
    row = await conn.fetchrow(_CHECKPOINT)
    return _model(row) if row else None


async def request_full(conn: Any, sub: str | None, organisation_id: str | None) -> bool:
    """Queue a full run; False when one already waits or runs."""
    return await conn.fetchval(_REQUEST_FULL, sub, organisation_id) is not None


async def pending_full(conn: Any) -> int | None:
    found = await conn.fetchval(_PENDING_FULL)
    return int(found) if found is not None else None


async def start(conn: Any, verification_id: int) -> None:
    await conn.execute(_START, verification_id)


async def begin_incremental(conn: Any) -> int:
    return int(await conn.fetchval(_BEGIN_INCREMENTAL))


async def finish(
    conn: Any, verification_id: int, result: ChainVerification, last_hash: str | None
) -> None:
    await conn.execute(
        _FINISH,
        verification_id,
        result.ok,
        result.checked,
        result.first_seq,
        result.last_seq,
        last_hash,
        result.first_broken_seq,
        result.problem,
    )
