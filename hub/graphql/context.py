"""The typed context every resolver receives.

A WebSocket shares one context among all its operations, which run concurrently; so the
per-operation state (database session, DataLoaders) lives in a context variable set by
the `Transaction` extension for the operation's own task, never on the shared object.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.types import Info as StrawberryInfo

from hub.auth.principal import Principal
from hub.db.session import Session
from hub.errors import Unauthenticated
from hub.events.bus import EventBus
from hub.graphql.loaders import Loaders
from hub.organisations.registry import OrganisationRegistry
from hub.policy.engine import Policy
from hub.routines.config import Routines
from hub.settings import Settings

_NO_TOKEN = "no access token; send 'Authorization: Bearer <token>'"


@dataclass(frozen=True, slots=True)
class Operation:
    session: Session
    loaders: Loaders | None


_operation: ContextVar[Operation | None] = ContextVar("hub_operation", default=None)


@dataclass
class Context:
    request: Request | WebSocket
    settings: Settings
    pool: asyncpg.Pool
    policy: Policy
    registry: OrganisationRegistry
    routines: Routines
    bus: EventBus
    principal_or_none: Principal | None = None
    connection_params: dict[str, Any] | None = field(default=None)

    @property
    def principal(self) -> Principal:
        if self.principal_or_none is None:
            raise Unauthenticated(_NO_TOKEN)
        return self.principal_or_none

    def begin(
        self, *, readonly: bool = False, acquire_timeout: float = 5.0
    ) -> Token[Operation | None]:
        """Start one operation: its own session and loaders, for the current task."""
        session = Session(self.pool, readonly=readonly, acquire_timeout=acquire_timeout)
        p = self.principal_or_none
        loaders = Loaders(session, self.policy, p, self.registry) if p is not None else None
        return _operation.set(Operation(session, loaders))

    @staticmethod
    def end(token: Token[Operation | None]) -> None:
        _operation.reset(token)

    async def end_operation(self, token: Token[Operation | None]) -> None:
        """Finish the current operation's session (read-only: commit is a release) and
        restore the operation that was current before it."""
        try:
            await self.session.finish(commit=True)
        finally:
            _operation.reset(token)

    @property
    def _current(self) -> Operation:
        operation = _operation.get()
        if operation is None:
            raise RuntimeError("no operation in progress (the Transaction extension sets one)")
        return operation

    @property
    def session(self) -> Session:
        return self._current.session

    @property
    def load(self) -> Loaders:
        loaders = self._current.loaders
        if loaders is None:
            raise Unauthenticated(_NO_TOKEN)
        return loaders


Info = StrawberryInfo[Context, None]
