"""Domain rules tested through their services against a real PostgreSQL, no HTTP.

    async def test_...(services: Services) -> None:
        async with services.acting("stockholm", "caseworker") as actor:
            found = await children.visible_one(actor, child_id)

`acting` gives one unit of work as `hub.audit.writing.finish` ends a request's: committed
with its audit record when the block ends, rolled back when it raises.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg

from hub.actor import Actor
from hub.audit import recorder, writing
from hub.audit.recorder import AuditPolicy, Recorder
from hub.auth.principal import Principal, Purpose, Role
from hub.db.session import Session
from hub.organisations.registry import OrganisationRegistry
from hub.policy.engine import Policy
from hub.routines.config import Routines


@dataclass
class Services:
    pool: asyncpg.Pool
    registry: OrganisationRegistry
    policy: Policy
    routines: Routines

    async def principal(
        self, org: str, role: str = "caseworker", *, sub: str | None = None, purpose: str = ""
    ) -> Principal:
        organisation = await self.registry.get(org)
        assert organisation is not None, org
        return Principal(
            sub=sub or f"{role}@{org}",
            organisation=organisation,
            roles=frozenset({Role(role)}),
            purpose=Purpose(purpose) if purpose else Purpose.PROTECTION,
            expires_at=datetime.now(UTC) + timedelta(minutes=10),
        )

    @asynccontextmanager
    async def acting(
        self, org: str, role: str = "caseworker", *, sub: str | None = None, purpose: str = ""
    ) -> AsyncIterator[Actor]:
        principal = await self.principal(org, role, sub=sub, purpose=purpose)
        db = Session(self.pool)
        stamp = AuditPolicy(policy_version=self.policy.version)
        audit = Recorder(principal, request_id=str(uuid.uuid4()), policy=stamp)
        actor = Actor(db, self.policy, principal, audit, self.routines, self.registry)
        current = recorder.use(audit)  # as Context.begin: refusals deep down record here
        try:
            try:
                yield actor
            except BaseException:
                await writing.finish(db, audit, None, commit=False)
                raise
            await writing.finish(db, audit, None, commit=True)
        finally:
            recorder.restore(current)
