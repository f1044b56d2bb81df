"""The long-lived parts of one hub process, started and stopped by the app's lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime

import asyncpg
import httpx
import strawberry

from hub.audit import housekeeping
from hub.audit.appender import AuditAppender
from hub.audit.verifier import AuditVerifier
from hub.auth.authenticator import Authenticator
from hub.auth.dev_issuer import DEV_ISSUER, DevIssuer
from hub.auth.jwks import JwksClient
from hub.auth.tokens import TokenValidator
from hub.db.kept import Kept
from hub.db.pool import close_pool, create_pool
from hub.errors import ConfigurationError
from hub.events import notifier, webhooks
from hub.events.bus import EventBus
from hub.events.cohorts import Cohorts
from hub.events.parked import Parking
from hub.events.scheduler import DeadlineScheduler
from hub.graphql.express import Express
from hub.graphql.limits import Limits
from hub.graphql.persisted import Safelist
from hub.graphql.schema import build_schema
from hub.graphql.slots import Slots
from hub.organisations.registry import OrganisationRegistry
from hub.policy.engine import Policy
from hub.policy.versions import Standing, standing
from hub.routines.config import Routines, load_routines, organisation_ids
from hub.settings import Environment, Settings
from hub.telemetry import setup as telemetry

log = logging.getLogger("hub.runtime")


async def notify(parts: webhooks.Parts, http: httpx.AsyncClient, now: datetime) -> None:
    """The notifier's pass (inbox, mails, webhook deliveries), then what waits to be sent:
    mail when SMTP is set, and the webhook deliveries due by `now`."""
    s = parts.settings
    console = s.console_url or f"http://{s.host}:{s.port}/console/"
    await notifier.step(parts.pool, console)
    if s.smtp_url:
        await notifier.send_pending(parts.pool, notifier.Smtp.parse(s.smtp_url), s.mail_from)
    await webhooks.send_due(parts, now, http)


@dataclass
class Runtime:
    settings: Settings
    database_url: str
    schema: strawberry.Schema = field(init=False)
    safelist: Safelist | None = field(init=False, default=None)  # HUB_PERSISTED_ONLY
    # open live connections (WebSockets and SSE streams) per user, org/sub
    streams: Slots = field(init=False, default_factory=Slots)
    replays: Slots = field(init=False, default_factory=Slots)  # running, per user
    cohorts: Cohorts = field(init=False, default_factory=Cohorts)  # shared deliveries
    parking: Parking = field(init=False, default_factory=Parking)  # members at the live edge
    policy: Policy = field(default_factory=Policy)
    audit_enabled: bool = True  # only the benchmark's "without audit" hub turns it off
    early_records: bool = True  # only the benchmark's "record after the answer" hub turns it off
    routines: Routines = field(default_factory=load_routines)
    dev_issuer: DevIssuer | None = None
    _pool: asyncpg.Pool | None = None
    _registry: OrganisationRegistry | None = None
    _authenticator: Authenticator | None = None
    _http: httpx.AsyncClient | None = None
    scheduler: DeadlineScheduler | None = None
    policy_standing: Standing = field(init=False)
    _bus: EventBus | None = None
    appender: AuditAppender | None = None
    verifier: AuditVerifier | None = None
    kept: Kept | None = None  # single statements' connections between requests

    @property
    def live_subscribers(self) -> int:
        """Subscriptions this replica serves: on the bus, and parked with their cohort."""
        bus = self._bus
        return (bus.subscriber_count if bus is not None else 0) + self.parking.member_count

    def __post_init__(self) -> None:
        s = self.settings
        self.policy_standing = standing(s.accept_unreviewed_policy, prod=s.env is Environment.PROD)
        if self.policy_standing.accepted_unreviewed:
            log.warning(
                "running policy version %s without an approving review "
                "(HUB_ACCEPT_UNREVIEWED_POLICY)",
                self.policy_standing.version,
            )
        self.safelist = Safelist.load(s.persisted_only) if s.persisted_only else None
        self.schema = build_schema(
            Limits(
                depth=s.max_depth,
                aliases=s.max_aliases,
                tokens=s.max_tokens,
                cost=s.max_cost,
                introspection=s.introspection_enabled,
                persisted=self.safelist,
            ),
            traced=telemetry.enabled(),
            compiled=s.compiled,
        )
        self.express = Express.of(self)  # the compiled reads' straight way, when it may run
        if self.settings.dev_issuer_enabled:
            self.dev_issuer = DevIssuer(
                self.settings.data_dir, audience=self.settings.oidc_audience
            )

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("the hub has not started")
        return self._pool

    @property
    def registry(self) -> OrganisationRegistry:
        if self._registry is None:
            raise RuntimeError("the hub has not started")
        return self._registry

    @property
    def bus(self) -> EventBus:
        if self._bus is None:
            raise RuntimeError("the hub has not started")
        return self._bus

    @property
    def authenticator(self) -> Authenticator:
        if self._authenticator is None:
            raise RuntimeError("the hub has not started")
        return self._authenticator

    def _trusted_issuer(self) -> tuple[str, str | None]:
        s = self.settings
        if s.oidc_issuer is not None:
            return s.oidc_issuer, s.jwks_url
        if self.dev_issuer is None:
            raise ConfigurationError("no token issuer: set HUB_OIDC_ISSUER")
        # the dev issuer's keys are fetched over HTTP from this very process, so demo and
        # tests run the same validation path as production
        return DEV_ISSUER, s.jwks_url or f"http://{s.host}:{s.port}/.well-known/jwks.json"

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Runtime]:
        s = self.settings
        issuer, jwks_url = self._trusted_issuer()
        self._pool = await create_pool(
            self.database_url,
            min_size=s.pool_min_size,
            max_size=s.pool_max_size,
            role=s.database_role,
        )
        self.kept = Kept(self._pool, acquire_timeout=s.pool_timeout)
        self._http = httpx.AsyncClient(follow_redirects=False)
        try:
            self._registry = OrganisationRegistry(self._pool)
            await self._registry.load()
            known = {o.id for o in self._registry.all()}
            for org_id in sorted(organisation_ids(self.routines)):
                # an empty registry is a new installation, not a typo in routines.yaml
                if known and org_id not in known:
                    raise ConfigurationError(
                        f"routines.yaml names organisation {org_id!r}, unknown to the registry"
                    )
            validator = TokenValidator(
                keys=JwksClient(jwks_url=jwks_url, issuer=issuer, http=self._http),
                issuer=issuer,
                audience=s.oidc_audience,
                algorithms=s.token_algorithms,
                leeway=s.token_leeway_seconds,
            )
            self._authenticator = Authenticator(validator, self._registry, self.policy.may_declare)
            self.appender = AuditAppender(
                self._pool, acquire_timeout=s.pool_timeout, early=self.early_records
            )
            self._bus = EventBus(self.database_url, self._pool, queue_size=s.subscriber_queue)
            await self._bus.start()
            if telemetry.enabled():
                pool = self._pool
                telemetry.observe_runtime(
                    lambda: self.live_subscribers,
                    lambda: (pool.get_size() - pool.get_idle_size(), pool.get_idle_size()),
                )
            await housekeeping.ensure_partitions(self._pool)
            self.verifier = AuditVerifier(self._pool)
            self.scheduler = DeadlineScheduler(
                self._pool,
                interval=s.scheduler_interval,
                housekeeping=functools.partial(housekeeping.run, self._pool, s),
                every_tick=self.verifier.step,
                notify=functools.partial(
                    notify,
                    webhooks.Parts(self._pool, self.policy, self._registry, self.routines, s),
                    self._http,
                ),
            )
            sweeping = asyncio.create_task(self.scheduler.run(), name="deadline-scheduler")
            try:
                yield self
            finally:
                sweeping.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sweeping
                await self.verifier.close()
                await self._bus.stop()
                await self.appender.close()
        finally:
            await self._http.aclose()
            await self.kept.close()
            await close_pool(self._pool)
            self._pool = None
