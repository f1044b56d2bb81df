"""A record begun early (`AuditAppender.begin`: the compiled reads start writing theirs
before they build the answer) is written once, whatever is recorded after it follows it,
and its caller still learns of a write that failed before it sends anything."""

from __future__ import annotations

import asyncpg
import pytest

from hub.audit.appender import AuditAppender
from hub.audit.models import AuditKind
from hub.audit.recorder import Recorder
from hub.audit.writing import recorder_for
from tests.audit.helpers import CLOSED_CHILD, MISSING_CHILD
from tests.conftest import RunningHub

BOARD = "{ cases(first: 50) { edges { node { id status child { id givenName } } } } }"


def _recorder(hub: RunningHub, operation: str) -> Recorder:
    audit = recorder_for(None, hub.runtime.settings, {}, kind=AuditKind.DENIED)
    audit.operation = operation
    return audit


async def test_a_record_begun_early_is_written_once_and_what_came_after_follows_it(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    appender = AuditAppender(hub.runtime.pool)
    audit = _recorder(hub, "Early")
    audit.record(AuditKind.DENIED, "probe", child_id=MISSING_CHILD)
    await appender.begin(audit)
    audit.record(AuditKind.DENIED, "probe", child_id=CLOSED_CHILD)  # after it was begun
    await appender.append(audit)
    await appender.append(audit)  # nothing left to write
    await appender.close()
    written = await db.fetch(
        "SELECT child_id FROM audit_log WHERE request_id = $1 ORDER BY seq", audit.request_id
    )
    assert [r["child_id"] for r in written] == [MISSING_CHILD, CLOSED_CHILD]


async def test_a_record_begun_early_that_the_database_refuses_fails_its_append(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    appender = AuditAppender(hub.runtime.pool)
    audit = _recorder(hub, "Refused\x00")  # NUL: PostgreSQL refuses the text
    audit.record(AuditKind.DENIED, "probe")
    await appender.begin(audit)
    with pytest.raises((asyncpg.PostgresError, ValueError)):
        await appender.append(audit)
    await appender.close()
    assert not await db.fetch("SELECT 1 FROM audit_log WHERE request_id = $1", audit.request_id)


async def test_a_compiled_read_begins_its_record_before_it_builds_its_answer(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    appender = hub.runtime.appender
    assert appender is not None
    before = appender.begun
    board = hub.token("stockholm", sub="board-early")
    assert (await hub.query(board, BOARD))["cases"]["edges"]
    assert appender.begun == before + 1
    written = await db.fetch("SELECT kind FROM audit_log WHERE sub = 'board-early'")
    assert {r["kind"] for r in written} == {"READ"}
