"""Verifying the audit chain in the background, so asking for the result costs nothing.

The leader (see `hub.events.scheduler`) runs `tick` on every sweep: it re-hashes only the
rows written since the last verified checkpoint, and takes up a full run when the county
board's auditor (or `hub audit verify`) asked for one. `verifyAuditChain` answers the
latest finished run; before the first one has finished it runs one, once, for everyone.
A broken chain stays the latest answer until a full run finds it whole again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import asyncpg

from hub.audit import repository as trail
from hub.audit import service
from hub.audit import verification_repository as repository
from hub.audit.models import AuditKind
from hub.audit.recorder import Recorder
from hub.audit.verification_repository import Verification
from hub.auth.principal import Principal
from hub.policy.actions import Action
from hub.policy.engine import Policy

log = logging.getLogger(__name__)


class AuditVerifier:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._lock = asyncio.Lock()  # one run at a time in this process
        self._task: asyncio.Task[None] | None = None
        self.runs = 0  # runs finished here (for tests)

    async def step(self) -> None:
        """Start a run in the background unless one is going (the scheduler's chore: a
        full run must not hold up the deadline sweep)."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._logged(), name="audit-verifier")

    async def _logged(self) -> None:
        try:
            await self.tick()
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            log.warning("audit chain verification failed; retrying next sweep", exc_info=True)

    async def settle(self) -> None:
        """Wait for the background run, if one is going."""
        if self._task is not None:
            await asyncio.shield(self._task)

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(BaseException):
                await task

    async def latest(self) -> Verification:
        """The latest finished run; the first one is made on demand."""
        async with self._pool.acquire() as conn:
            found = await repository.latest(conn)
        if found is not None:
            return found
        return await self.tick()

    async def request_full(self, sub: str | None, organisation_id: str | None) -> bool:
        """Queue a full run (False: one waits or runs already); `step` starts it here."""
        async with self._pool.acquire() as conn:
            return await repository.request_full(conn, sub, organisation_id)

    async def tick(self, progress: Callable[[int], None] | None = None) -> Verification:
        """A queued full run if there is one, else the rows since the checkpoint."""
        async with self._lock, self._pool.acquire() as conn:
            full = await repository.pending_full(conn)
            if full is not None:
                await repository.start(conn, full)
                return await self._run(conn, full, None, progress)
            latest = await repository.latest(conn)
            if latest is not None and not latest.result.ok:
                return latest  # broken stays broken until a full run says otherwise
            point = await repository.checkpoint(conn)
            since = None
            if point is not None and point.last_hash is not None:
                since = (point.result.last_seq or 0, point.last_hash)
                if latest is not None and await trail.head(conn) == since:
                    return latest  # nothing written since
            run = await repository.begin_incremental(conn)
            return await self._run(conn, run, since, progress)

    async def _run(
        self,
        conn: Any,
        run: int,
        since: tuple[int, str] | None,
        progress: Callable[[int], None] | None,
    ) -> Verification:
        result, last_hash = await service.walk(conn, progress, since=since)
        await repository.finish(conn, run, result, last_hash if result.ok else None)
        self.runs += 1
        found = await repository.latest(conn)
        assert found is not None
        return found


async def answer(
    verifier: AuditVerifier, policy: Policy, principal: Principal, audit: Recorder
) -> Verification:
    """verifyAuditChain: any auditor, recorded; the latest finished run."""
    policy.authorize_auditor(principal, Action.VERIFY_AUDIT_CHAIN)
    audit.record(AuditKind.AUDIT, Action.VERIFY_AUDIT_CHAIN)
    return await verifier.latest()


async def ask_full(
    verifier: AuditVerifier,
    policy: Policy,
    principal: Principal,
    audit: Recorder,
    reason: str | None,
) -> bool:
    """requestFullAuditVerification: the county board's auditor queues a full run and
    starts it here; False when one already waits or runs."""
    policy.authorize_auditor(principal, Action.REQUEST_FULL_AUDIT_VERIFICATION)
    audit.record(
        AuditKind.AUDIT,
        Action.REQUEST_FULL_AUDIT_VERIFICATION,
        details={"reason": reason} if reason else None,
    )
    queued = await verifier.request_full(principal.sub, principal.organisation_id)
    await verifier.step()
    return queued
