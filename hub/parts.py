"""What a running hub is made of, as routes and the GraphQL context see it.

A protocol (`hub.runtime.Runtime` has these parts), so route modules and the context need
no import of the composition root: only the app and the CLI import `hub.runtime`.
"""

from __future__ import annotations

from typing import Protocol

import asyncpg
import strawberry

from hub.actor import Actor
from hub.audit.appender import AuditAppender
from hub.audit.recorder import Recorder
from hub.audit.verifier import AuditVerifier
from hub.auth.authenticator import Authenticator
from hub.auth.principal import Principal
from hub.db.kept import Kept
from hub.db.session import Session
from hub.events.bus import EventBus
from hub.events.cohorts import Cohorts
from hub.events.parked import Parking
from hub.graphql.persisted import Safelist
from hub.graphql.slots import Slots
from hub.organisations.registry import OrganisationRegistry
from hub.policy.engine import Policy
from hub.policy.versions import Standing
from hub.routines.config import Routines
from hub.settings import Settings


class Parts(Protocol):
    settings: Settings
    schema: strawberry.Schema
    safelist: Safelist | None  # HUB_PERSISTED_ONLY
    streams: Slots  # open WebSockets and SSE streams, per user
    replays: Slots  # running replays, per user
    cohorts: Cohorts  # deliveries shared by subscribers who receive the same answer
    parking: Parking  # cohort members served by their cohort's task (hub.events.parked)
    policy_standing: Standing  # the policy version in force and its review
    policy: Policy
    routines: Routines
    audit_enabled: bool
    appender: AuditAppender | None
    verifier: AuditVerifier | None
    kept: Kept | None  # single statements' connections between requests

    @property
    def pool(self) -> asyncpg.Pool: ...

    @property
    def registry(self) -> OrganisationRegistry: ...

    @property
    def bus(self) -> EventBus: ...

    @property
    def authenticator(self) -> Authenticator: ...


def actor_of(parts: Parts, db: Session, principal: Principal, audit: Recorder) -> Actor:
    """The actor of a plain route (photos, the audit export): GraphQL has `Context.actor`."""
    return Actor(db, parts.policy, principal, audit, parts.routines, parts.registry)
