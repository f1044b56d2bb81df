"""Recording events: in a request, deferred to just before commit; elsewhere, at once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hub.audit import recorder
from hub.audit.models import AuditFlag, AuditKind
from hub.db.session import Db, Session
from hub.events import repository
from hub.events.models import EventType, NewEvent


async def record(db: Db, events: Sequence[NewEvent]) -> None:
    if not events:
        return
    _audit(events)
    if isinstance(db, Session):
        pending = list(events)

        async def flush(conn: Any) -> None:
            await repository.append(conn, pending)

        db.before_commit(flush)
        return
    await repository.append(db, events)


def _audit(events: Sequence[NewEvent]) -> None:
    """Every change a person makes is in the audit trail too, one row per event, in the
    same transaction (the operation's record is written just before it commits)."""
    audit = recorder.current()
    if audit is None:
        return  # the hub's own changes (the scheduler) have no person behind them
    for event in events:
        emergency = event.type is EventType.EMERGENCY_ACCESS
        audit.record(
            AuditKind.EMERGENCY if emergency else AuditKind.MUTATION,
            event.type.value,
            child_id=event.child_id,
            case_ids=[event.case_id] if event.case_id else [],
            flags=[AuditFlag.EMERGENCY] if emergency else [],
            details=dict(event.payload),  # ids and states only, like the event itself
        )
