"""The retention run: pseudonymise children long after their last case closed, and drop
audit months older than the audit retention period. Dry run by default; every change it
makes is itself in the audit trail (kind RETENTION), which is never pseudonymised."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg

from hub.audit import repository as audit
from hub.audit.models import AuditKind, NewAuditEntry
from hub.retention import repository
from hub.settings import Settings

_BATCH = 500


@dataclass(frozen=True, slots=True)
class RetentionReport:
    applied: bool
    children_closed_before: datetime
    children: int
    audit_before: datetime
    partitions: tuple[tuple[str, int], ...]  # name, rows

    def lines(self) -> list[str]:
        verb = "pseudonymised" if self.applied else "would pseudonymise"
        drop = "dropped" if self.applied else "would drop"
        found = [
            f"{verb} {self.children} children whose last case closed before "
            f"{self.children_closed_before:%Y-%m-%d}",
            f"{drop} {len(self.partitions)} audit months ending before "
            f"{self.audit_before:%Y-%m-%d}",
        ]
        found += [f"  {name}: {rows} rows" for name, rows in self.partitions]
        return found


def _month_start(at: datetime) -> datetime:
    return at.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


async def run(pool: asyncpg.Pool, settings: Settings, *, apply: bool) -> RetentionReport:
    now = datetime.now(UTC)
    closed_before = now - timedelta(days=settings.retention_days)
    # whole months only: the cutoff is the start of the month the period reaches into
    audit_before = _month_start(now - timedelta(days=settings.audit_retention_days))
    async with pool.acquire() as conn, conn.transaction():
        due = await repository.due(conn, closed_before)
        if not apply:
            partitions = await audit.droppable_partitions(conn, audit_before)
            return RetentionReport(False, closed_before, len(due), audit_before, tuple(partitions))
        for start in range(0, len(due), _BATCH):
            await repository.pseudonymise(conn, due[start : start + _BATCH])
        dropped = await audit.drop_partitions(conn, audit_before)
        run_id = uuid.uuid4().hex
        entries = [_entry(run_id, "pseudonymise", child_id=c) for c in due]
        if dropped:
            details = {
                "partitions": [name for name, _ in dropped],
                "rows": sum(n for _, n in dropped),
            }
            entries.append(_entry(run_id, "dropAuditMonths", details=details))
        await audit.append(conn, lambda _at: entries)
    return RetentionReport(True, closed_before, len(due), audit_before, tuple(dropped))


def _entry(
    run_id: str,
    action: str,
    *,
    child_id: uuid.UUID | None = None,
    details: dict[str, object] | None = None,
) -> NewAuditEntry:
    return NewAuditEntry(
        kind=AuditKind.RETENTION,
        action=action,
        request_id=run_id,
        trace_id=None,
        operation="retention",
        sub=None,
        organisation_id=None,
        roles=(),
        purpose=None,
        child_id=child_id,
        details=dict(details or {}),
    )
