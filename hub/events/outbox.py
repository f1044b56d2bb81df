"""Recording events: in a request, deferred to just before commit; elsewhere, at once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hub.db.session import Db, Session
from hub.events import repository
from hub.events.models import NewEvent


async def record(db: Db, events: Sequence[NewEvent]) -> None:
    if not events:
        return
    if isinstance(db, Session):
        pending = list(events)

        async def flush(conn: Any) -> None:
            await repository.append(conn, pending)

        db.before_commit(flush)
        return
    await repository.append(db, events)
