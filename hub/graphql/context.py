"""The typed context every resolver receives.

A WebSocket shares one context among all its operations, which run concurrently; so the
per-operation state (database session, DataLoaders) lives in a context variable set by
the `Transaction` extension for the operation's own task, never on the shared object.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from dataclasses import dataclass, field

import asyncpg
from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.types import Info as StrawberryInfo

from hub.actor import Actor
from hub.audit import recorder, writing
from hub.audit.appender import AuditAppender
from hub.audit.models import AuditKind
from hub.audit.recorder import Recorder
from hub.audit.verifier import AuditVerifier
from hub.audit.writing import recorder_for
from hub.auth.principal import Principal
from hub.db.kept import Kept
from hub.db.session import Session
from hub.errors import Unauthenticated
from hub.events.bus import EventBus
from hub.events.cohorts import Cohorts
from hub.events.parked import Parking
from hub.graphql.loaders import Loaders
from hub.graphql.precomputed import Publisher
from hub.graphql.slots import Slots
from hub.organisations.registry import OrganisationRegistry
from hub.parts import Parts
from hub.policy.engine import Policy
from hub.routines.config import Routines
from hub.settings import Settings

_NO_TOKEN = "no access token; send 'Authorization: Bearer <token>'"


@dataclass(frozen=True, slots=True)
class Operation:
    session: Session
    actor: Actor | None  # None when no principal: the operation will be refused
    loaders: Loaders | None
    audit: Recorder
    audit_token: Token[Recorder | None]
    appender: AuditAppender | None = None
    # a subscription delivery whose answer others of its cohort reuse (hub.events.cohorts)
    publisher: Publisher | None = None


_operation: ContextVar[Operation | None] = ContextVar("hub_operation", default=None)


@dataclass(slots=True)
class Context:
    request: Request | WebSocket
    settings: Settings
    pool: asyncpg.Pool
    policy: Policy
    registry: OrganisationRegistry
    routines: Routines
    bus: EventBus
    principal_or_none: Principal | None = None
    # no connection_params: strawberry would keep a socket's connection_init payload,
    # bearer token and all, in it for as long as the socket is open
    audit_enabled: bool = True  # off only in the benchmark's "without audit" runs
    appender: AuditAppender | None = None  # group commit for reads' records
    verifier: AuditVerifier | None = None  # the audit chain's background verification
    kept: Kept | None = None  # single statements' connections between requests
    replays: Slots = field(default_factory=Slots)  # running replays per user
    cohorts: Cohorts = field(default_factory=Cohorts)  # deliveries shared by a cohort
    parking: Parking = field(default_factory=Parking)  # members served by their cohort

    @classmethod
    def of(cls, runtime: Parts, request: Request | WebSocket) -> Context:
        """The context of one HTTP request or WebSocket (whose principal the
        route's protected(...) wrapper put in its scope)."""
        return cls(
            request=request,
            settings=runtime.settings,
            pool=runtime.pool,
            policy=runtime.policy,
            registry=runtime.registry,
            routines=runtime.routines,
            bus=runtime.bus,
            principal_or_none=request.scope.get("principal"),
            audit_enabled=runtime.audit_enabled,
            appender=runtime.appender,
            verifier=runtime.verifier,
            kept=runtime.kept,
            replays=runtime.replays,
            cohorts=runtime.cohorts,
            parking=runtime.parking,
        )

    @property
    def principal(self) -> Principal:
        if self.principal_or_none is None:
            raise Unauthenticated(_NO_TOKEN)
        return self.principal_or_none

    def begin(
        self,
        *,
        readonly: bool = False,
        acquire_timeout: float | None = None,
        audit_kind: AuditKind = AuditKind.READ,
        publisher: Publisher | None = None,
        resolves: bool = True,
    ) -> Token[Operation | None]:
        """Start one operation: its own session, loaders and audit recorder, for the
        current task. A nested operation (a subscription's delivery) inherits what the
        outer one knows of the query. One that `resolves` nothing (a delivery of an answer
        its cohort worked out) gets no actor or loaders."""
        session = Session(
            self.pool,
            readonly=readonly,
            acquire_timeout=acquire_timeout or self.settings.pool_timeout,
            kept=self.kept,
        )
        p = self.principal_or_none
        audit = self.recorder(audit_kind)
        actor = (
            Actor(session, self.policy, p, audit, self.routines, self.registry)
            if p is not None and resolves
            else None
        )
        loaders = Loaders(actor) if actor is not None else None
        return _operation.set(
            Operation(session, actor, loaders, audit, recorder.use(audit), self.appender, publisher)
        )

    def recorder(self, kind: AuditKind = AuditKind.READ) -> Recorder:
        """An audit recorder for the caller; one made within an operation (a
        subscription's delivery) knows what that operation's query selects."""
        audit = recorder_for(
            self.principal_or_none,
            self.settings,
            self.request.headers,
            kind=kind,
            enabled=self.audit_enabled,
            policy_version=self.policy.version,
        )
        outer = _operation.get()
        if outer is not None:
            audit.selection = outer.audit.selection
            audit.operation = outer.audit.operation
            audit.action = outer.audit.action
        return audit

    @staticmethod
    def end(token: Token[Operation | None]) -> None:
        operation = _operation.get()
        if operation is not None:
            recorder.restore(operation.audit_token)
        _operation.reset(token)

    async def end_operation(self, token: Token[Operation | None], operation: Operation) -> None:
        """Write `operation`'s audit record and commit, and restore the operation that was
        current before it. Named, not taken from the context: a generator finalised by
        the garbage collector runs in whichever context was current then, where another
        request's operation may be current (and must be left alone)."""
        try:
            await audit_and_finish(operation, commit=True)
        finally:
            if _operation.get() is operation:
                Context.end(token)

    @property
    def _current(self) -> Operation:
        operation = _operation.get()
        if operation is None:
            raise RuntimeError("no operation in progress (the Transaction extension sets one)")
        return operation

    @property
    def operation(self) -> Operation:
        return self._current

    @property
    def session(self) -> Session:
        return self._current.session

    @property
    def audit(self) -> Recorder:
        return self._current.audit

    @property
    def actor(self) -> Actor:
        """The caller, for the services: `service.f(info.context.actor, ...)`."""
        actor = self._current.actor
        if actor is None:
            raise Unauthenticated(_NO_TOKEN)
        return actor

    @property
    def load(self) -> Loaders:
        loaders = self._current.loaders
        if loaders is None:
            raise Unauthenticated(_NO_TOKEN)
        return loaders


Info = StrawberryInfo[Context, None]


async def audit_and_finish(operation: Operation, *, commit: bool) -> None:
    """End the operation's transaction with its audit record (`hub.audit.writing.finish`)."""
    await writing.finish(operation.session, operation.audit, operation.appender, commit=commit)
