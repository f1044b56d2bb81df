"""What the compiled path's differential tests share: the fields of the compiled subset,
the principals and rows they ask about, the data they add, and how one operation is sent
to a compiled hub and a stock one and their answers and audit facts compared."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
import pytest
from hypothesis import strategies as st

from hub.demo.seed import _id
from tests.conftest import RunningHub, run_hub

T = TypeVar("T")

CASE = [
    "id",
    "version",
    "status",
    "openedAt",
    "policeReportNumber",
    "reportedMissingAt",
    "registeredAvvikenAt",
    "foundAt",
    "closedAt",
    "outcome",
    "lastSeenAt",
    "lastSeenPlace",
    "foundPlace",
    "circumstances",
    "returnInterview",
    "registeredReturnedAt",
    "__typename",
]
CHILD = [
    "id",
    "givenName",
    "familyName",
    "birthDate",
    "sex",
    "nationality",
    "languages",
    "dossierNumber",
    "placementAddress",
    "asylumStatus",
    "health",
    "riskLevel",
    "riskIndicators",
    "riskAssessment",
    "__typename",
]
DESCRIPTION = ["heightCm", "build", "hair", "eyes", "marks", "clothing", "photoUrl", "__typename"]
SIGHTING = ["id", "seenAt", "place", "note", "kind", "callbackPhone", "__typename"]
WITHHELD = ["category", "reason", "__typename"]
ALERT = ["reference", "issuedAt", "cancelledAt", "cancelReason", "__typename"]
TASK = [
    "id",
    "title",
    "routine",
    "status",
    "dueAt",
    "overdue",
    "completedAt",
    "closedReason",
    "personal",
    "__typename",
]
# (organisation, role, sub, purpose header)
PRINCIPALS = [
    ("stockholm", "caseworker", "caseworker@stockholm", None),
    ("sigtuna", "caseworker", "caseworker@sigtuna", None),
    ("polisen-stockholm", "officer", "officer@polisen", None),
    ("polisen-stockholm", "officer", "officer@polisen", "enforcement"),
    ("migrationsverket", "caseworker", "handlaggare@migrationsverket", None),
    ("hvb-solbacken", "staff", "staff@solbacken", None),
    ("stadsmissionen", "staff", "staff@stadsmissionen", None),
    ("overformyndare-stockholm", "guardian", "godman-1", None),
    ("lansstyrelsen-stockholm", "coordinator", "samordnare@lansstyrelsen", None),
    ("stockholm", "auditor", "revisor@stockholm", None),
]
CASES = [*(str(_id("case", n)) for n in (1, 5, 11, 17, 20, 42, 71)), str(_id("case", 9999))]
IDS = st.sampled_from([*CASES, "not-an-id"])
STATUSES = ["ABSENT", "REPORTED_MISSING", "FOUND", "FOLLOW_UP", "CLOSED"]
MUNICIPALITIES = ["stockholm", "sigtuna", "nacka", "hvb-solbacken"]
RESIDENCES = ["hvb-solbacken", "hvb-linden", "stockholm"]
CHILDREN = st.sampled_from([*(str(_id("child", n)) for n in (1, 5, 17, 71, 9999)), "not-an-id"])

FACTS = """SELECT kind, action, child_id::text, case_ids::text[], disclosed, withheld,
                  bases::text, flags
             FROM audit_by_child WHERE details->>'clientRequestId' = $1"""


async def prepare(db: asyncpg.Connection) -> None:
    """A consent, an emergency access, alerts (one cancelled), NULLs, Unicode and
    whole-second timestamps."""
    child = _id("child", 5)
    await db.execute(
        """INSERT INTO consents (child_id, recipient_organisation_id, categories,
               granted_by_sub, granted_by_organisation_id)
           SELECT id, 'stadsmissionen', '{CASE_STATUS,DESCRIPTION,IDENTITY}', 'test',
                  responsible_municipality_id FROM children WHERE id = $1""",
        child,
    )
    await db.execute(
        """INSERT INTO emergency_access (case_id, organisation_id, sub, category, reason,
               expires_at, reason_kind)
           VALUES ($1, 'polisen-stockholm', 'officer@polisen', 'HEALTH',
                   'akut fara för barnets liv', now() + interval '1 hour', 'LIFE_OR_HEALTH')""",
        _id("case", 11),
    )
    await db.execute(
        """UPDATE cases SET circumstances = 'Lämnade boendet — "okänd" bil 🚗, ñ',
                  last_seen_at = date_trunc('second', last_seen_at), last_seen_place = NULL
            WHERE id = $1""",
        _id("case", 5),
    )
    await db.execute(
        """UPDATE cases SET alert_reference = 'EFT-2026-17', alert_issued_at = now(),
                  alert_cancelled_at = CASE WHEN id = $2 THEN now() END,
                  alert_cancel_reason = CASE WHEN id = $2 THEN 'påträffad' END
            WHERE id = ANY($1::uuid[])""",
        [_id("case", 5), _id("case", 17)],
        _id("case", 17),
    )
    await db.execute(
        "UPDATE children SET height_cm = NULL, languages = '{}', given_name = 'Åsa Ødegård' "
        "WHERE id = $1",
        child,
    )


Answer = tuple[int, str, list[tuple[Any, ...]]]  # status, body, audit facts


@contextlib.asynccontextmanager
async def shadow_hubs(db_url: str, data_dir: Path, db: asyncpg.Connection) -> AsyncIterator[Shadow]:
    """The data `prepare` adds, and a compiled hub and a stock one on it."""
    await prepare(db)
    quiet: dict[str, Any] = {"scheduler_interval": 3600, "max_cost": 10_000_000}
    async with (
        run_hub(db_url, data_dir, **quiet) as compiled,
        run_hub(db_url, data_dir, compiled=False, **quiet) as stock,
    ):
        await compiled.swept()  # the scheduler's leader: one sweep, then nothing changes
        yield Shadow(compiled, stock, db)


def discloses(answer: Answer) -> bool:
    """An answer without errors that the audit trail recorded."""
    return '"errors"' not in answer[1] and bool(answer[2])


class Shadow:
    """One operation sent to both hubs as one principal, their answers compared. The
    operations come from hypothesis's thread; the database is the test's own loop's."""

    def __init__(self, compiled: RunningHub, stock: RunningHub, db: asyncpg.Connection) -> None:
        self.compiled, self.stock, self._db = compiled, stock, db
        self._loop = asyncio.get_running_loop()
        self.compared = 0

    def _wait(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(60)

    def _ask(
        self, hub: RunningHub, token: str, purpose: str | None, document: str, rid: str
    ) -> Answer:
        headers = {"authorization": f"Bearer {token}", "x-request-id": rid}
        if purpose:
            headers["x-hub-purpose"] = purpose
        with httpx.Client(timeout=30) as client:
            response = client.post(
                f"{hub.base_url}/graphql", json={"query": document}, headers=headers
            )
        facts = self._wait(self._db.fetch(FACTS, rid))
        body = json.dumps(response.json())
        return response.status_code, body, sorted((tuple(f) for f in facts), key=repr)

    def compare(self, principal: tuple[str, str, str, str | None], document: str) -> Answer:
        """The compiled hub's answer, having required the stock one's to be the same."""
        org, role, sub, purpose = principal
        token = self.compiled.token(org, role, sub=sub, purpose=["protection", "enforcement"])
        n = self.compared = self.compared + 1
        one = self._ask(self.compiled, token, purpose, document, f"compiled-{n}")
        other = self._ask(self.stock, token, purpose, document, f"stock-{n}")
        assert one == other, (principal, document)
        return one

    async def run(self, check: Callable[[], None], caplog: pytest.LogCaptureFixture) -> None:
        """Run hypothesis's `check` on a thread; neither hub may log a warning meanwhile."""
        with caplog.at_level(logging.WARNING):
            await asyncio.to_thread(check)
        assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []

    def express_answered(self) -> int:
        """How many operations the compiled hub's express lane answered whole."""
        express = self.compiled.runtime.express
        assert express is not None
        return express.answered
