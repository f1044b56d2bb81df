"""Recording events: in a request, deferred to just before commit; elsewhere, at once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hub.audit import recorder
from hub.audit.models import AuditFlag, AuditKind
from hub.db.session import Db, Session
from hub.events import repository
from hub.events.models import EventType, NewEvent


async def record(
    db: Db, events: Sequence[NewEvent], *, audit_details: dict[str, Any] | None = None
) -> None:
    """`audit_details` go into the events' audit rows (chained), never into the events."""
    if not events:
        return
    _audit(events, audit_details or {})
    if isinstance(db, Session):
        pending = list(events)

        async def flush(conn: Any) -> None:
            await repository.append(conn, pending)

        db.before_commit(flush)
        return
    await repository.append(db, events)


def _audit(events: Sequence[NewEvent], extra: dict[str, Any]) -> None:
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
            details={**event.payload, **extra},  # the event's ids and states, and `extra`
        )
