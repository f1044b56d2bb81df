"""Typed settings, read once from `HUB_*` environment variables."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path

import platformdirs

from hub.errors import ConfigurationError

ALLOWED_ALGORITHMS = frozenset({"RS256", "ES256", "EdDSA"})


class Environment(StrEnum):
    DEV = "dev"
    PROD = "prod"


@dataclass(frozen=True, slots=True)
class Settings:
    env: Environment = Environment.DEV
    database_url: str | None = None
    data_dir: Path = field(default_factory=lambda: Path(platformdirs.user_data_dir("hub")))
    host: str = "127.0.0.1"
    port: int = 8000
    oidc_issuer: str | None = None
    oidc_audience: str = "hub"
    jwks_url: str | None = None
    token_algorithms: frozenset[str] = frozenset({"ES256", "RS256", "EdDSA"})
    token_leeway_seconds: int = 30
    pool_min_size: int = 1
    pool_max_size: int = 10
    pool_timeout: float = 15.0
    log_level: str = "INFO"
    log_format: str = "text"
    emergency_minutes: int = 30
    scheduler_interval: float = 15.0
    subscriber_queue: int = 1000
    ws_heartbeat: float = 15.0
    database_role: str | None = "hub_app"
    audit_bulk_children: int = 50
    office_hours: tuple[int, int] = (7, 18)
    retention_days: int = 5 * 365
    audit_retention_days: int = 10 * 365
    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 5000
    max_cost: int = 50_000
    max_body_bytes: int = 4 << 20  # a 2 MiB photo travels base64-encoded
    header_timeout: float = 10.0  # seconds for a request's headers to arrive
    body_timeout: float = 30.0  # seconds a request's body may pause
    ws_max_subscriptions: int = 20
    max_replays: int = 2  # replays from a cursor running at once, per user
    ws_max_connections: int = 20
    ws_init_timeout: float = 10.0
    persisted_only: Path | None = None
    compiled: bool = True  # hub/graphql/compiled/: reads in one statement; off: graphql-core
    express: bool = True  # hub/graphql/express.py: compiled reads skip strawberry's hooks
    cohorts: bool = True  # hub/events/cohorts.py; off: every delivery worked out alone
    accept_unreviewed_policy: str | None = None  # a policy version prod may run unreviewed
    smtp_url: str | None = None  # smtp://host:port or smtps://: e-mail to contact points
    mail_from: str = "navet@localhost"
    console_url: str | None = None  # where mails link to; default the hub's own /console/
    webhook_allow_private: tuple[str, ...] = ()  # CIDRs webhooks may reach though private

    @property
    def dev_issuer_enabled(self) -> bool:
        return self.env is Environment.DEV

    @property
    def graphiql_enabled(self) -> bool:
        return self.env is Environment.DEV

    @property
    def introspection_enabled(self) -> bool:
        """Schema introspection and "did you mean" suggestions: in dev only."""
        return self.env is Environment.DEV

    def with_overrides(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]


def _int(env: Mapping[str, str], name: str, default: int, *, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r} is not a whole number") from None
    if not low <= value <= high:
        raise ConfigurationError(f"{name}={value} is out of range; use {low}..{high}")
    return value


def _enum(env: Mapping[str, str], name: str, default: Environment) -> Environment:
    raw = env.get(name)
    if not raw:
        return default
    try:
        return Environment(raw)
    except ValueError:
        allowed = ", ".join(e.value for e in Environment)
        raise ConfigurationError(f"{name}={raw!r} is not one of: {allowed}") from None


def _algorithms(env: Mapping[str, str]) -> frozenset[str]:
    raw = env.get("HUB_TOKEN_ALGORITHMS")
    if not raw:
        return Settings().token_algorithms
    chosen = frozenset(a.strip() for a in raw.split(",") if a.strip())
    unknown = sorted(chosen - ALLOWED_ALGORITHMS)
    if unknown or not chosen:
        raise ConfigurationError(
            f"HUB_TOKEN_ALGORITHMS has {', '.join(unknown) or 'nothing'}; "
            f"choose from {', '.join(sorted(ALLOWED_ALGORITHMS))}"
        )
    return chosen


def _hours(env: Mapping[str, str], name: str, default: tuple[int, int]) -> tuple[int, int]:
    raw = env.get(name)
    if not raw:
        return default
    start, sep, end = raw.partition("-")
    if sep and start.strip().isdigit() and end.strip().isdigit():
        hours = int(start), int(end)
        if 0 <= hours[0] < hours[1] <= 24:
            return hours
    raise ConfigurationError(f"{name}={raw!r}; write office hours as START-END, e.g. 7-18")


def _url(env: Mapping[str, str], name: str, schemes: tuple[str, ...]) -> str | None:
    raw = env.get(name) or None
    if raw is not None and not raw.startswith(schemes):
        raise ConfigurationError(f"{name} must start with {' or '.join(schemes)}")
    return raw


def _existing_file(env: Mapping[str, str], name: str) -> Path | None:
    raw = env.get(name)
    if not raw:
        return None
    path = Path(raw).expanduser()
    if not path.is_file():
        raise ConfigurationError(f"{name}={raw!r}: no such file")
    return path


def _cidrs(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Comma-separated networks (10.0.0.0/8, 192.168.1.5/32), each checked."""
    found = []
    for part in (env.get(name) or "").split(","):
        if part.strip():
            try:
                found.append(str(ipaddress.ip_network(part.strip(), strict=False)))
            except ValueError:
                raise ConfigurationError(f"{name}: {part.strip()!r} is not a network") from None
    return tuple(found)


# settings this release no longer reads: named when the hub starts rather than ignored
RETIRED = {
    "HUB_PLANNED": "the planned executor was removed; a query the compiled path does not "
    "answer runs on graphql-core",
    "HUB_FAST_EXECUTOR": "the hub's own executor was removed; HUB_COMPILED=0 runs every "
    "read on graphql-core",
}


def retired(env: Mapping[str, str] | None = None) -> list[str]:
    """A line for each retired setting the environment still sets."""
    env = os.environ if env is None else env
    return [f"{name} is no longer read: {why}" for name, why in RETIRED.items() if name in env]


def load_settings(
    env: Mapping[str, str] | None = None, *, default_env: Environment = Environment.DEV
) -> Settings:
    """Read settings from the environment; any bad value is one clear ConfigurationError.
    `default_env` applies when HUB_ENV is not set (`hub serve` passes prod)."""
    env = os.environ if env is None else env
    defaults = Settings()
    settings = Settings(
        env=_enum(env, "HUB_ENV", default_env),
        database_url=_url(env, "HUB_DATABASE_URL", ("postgres://", "postgresql://")),
        data_dir=Path(env["HUB_DATA_DIR"]).expanduser()
        if env.get("HUB_DATA_DIR")
        else defaults.data_dir,
        host=env.get("HUB_HOST") or defaults.host,
        port=_int(env, "HUB_PORT", defaults.port, low=0, high=65535),
        oidc_issuer=_url(env, "HUB_OIDC_ISSUER", ("https://", "http://")),
        oidc_audience=env.get("HUB_OIDC_AUDIENCE") or defaults.oidc_audience,
        jwks_url=_url(env, "HUB_JWKS_URL", ("https://", "http://")),
        token_algorithms=_algorithms(env),
        token_leeway_seconds=_int(env, "HUB_TOKEN_LEEWAY", 30, low=0, high=300),
        pool_min_size=_int(env, "HUB_POOL_MIN", defaults.pool_min_size, low=0, high=100),
        pool_max_size=_int(env, "HUB_POOL_MAX", defaults.pool_max_size, low=1, high=500),
        pool_timeout=_int(env, "HUB_POOL_TIMEOUT", 15, low=1, high=300),
        log_level=(env.get("HUB_LOG_LEVEL") or defaults.log_level).upper(),
        log_format=(
            env.get("HUB_LOG_FORMAT")
            or ("json" if env.get("HUB_ENV", "").lower() == "prod" else "text")
        ).lower(),
        emergency_minutes=_int(env, "HUB_EMERGENCY_MINUTES", 30, low=1, high=24 * 60),
        scheduler_interval=_int(env, "HUB_SCHEDULER_INTERVAL", 15, low=1, high=3600),
        subscriber_queue=_int(env, "HUB_SUBSCRIBER_QUEUE", 1000, low=1, high=100_000),
        ws_heartbeat=_int(env, "HUB_WS_HEARTBEAT", 15, low=1, high=600),
        database_role=env.get("HUB_DATABASE_ROLE", defaults.database_role) or None,
        audit_bulk_children=_int(env, "HUB_AUDIT_BULK_CHILDREN", 50, low=1, high=100_000),
        office_hours=_hours(env, "HUB_OFFICE_HOURS", defaults.office_hours),
        retention_days=_int(env, "HUB_RETENTION_DAYS", defaults.retention_days, low=30, high=36500),
        audit_retention_days=_int(
            env, "HUB_AUDIT_RETENTION_DAYS", defaults.audit_retention_days, low=60, high=36500
        ),
        max_depth=_int(env, "HUB_MAX_DEPTH", defaults.max_depth, low=3, high=100),
        max_aliases=_int(env, "HUB_MAX_ALIASES", defaults.max_aliases, low=1, high=1000),
        max_tokens=_int(env, "HUB_MAX_TOKENS", defaults.max_tokens, low=100, high=1_000_000),
        max_cost=_int(env, "HUB_MAX_COST", defaults.max_cost, low=100, high=100_000_000),
        max_body_bytes=_int(
            env, "HUB_MAX_BODY_BYTES", defaults.max_body_bytes, low=1024, high=1 << 30
        ),
        header_timeout=_int(env, "HUB_HEADER_TIMEOUT", 10, low=1, high=300),
        body_timeout=_int(env, "HUB_BODY_TIMEOUT", 30, low=1, high=600),
        max_replays=_int(env, "HUB_MAX_REPLAYS", defaults.max_replays, low=1, high=1000),
        ws_max_subscriptions=_int(
            env, "HUB_WS_MAX_SUBSCRIPTIONS", defaults.ws_max_subscriptions, low=1, high=10_000
        ),
        ws_max_connections=_int(
            env, "HUB_WS_MAX_CONNECTIONS", defaults.ws_max_connections, low=1, high=100_000
        ),
        ws_init_timeout=_int(env, "HUB_WS_INIT_TIMEOUT", 10, low=1, high=600),
        persisted_only=_existing_file(env, "HUB_PERSISTED_ONLY"),
        compiled=_int(env, "HUB_COMPILED", 1, low=0, high=1) == 1,
        express=_int(env, "HUB_EXPRESS", 1, low=0, high=1) == 1,
        cohorts=_int(env, "HUB_COHORTS", 1, low=0, high=1) == 1,
        accept_unreviewed_policy=env.get("HUB_ACCEPT_UNREVIEWED_POLICY") or None,
        smtp_url=_url(env, "HUB_SMTP_URL", ("smtp://", "smtps://")),
        mail_from=env.get("HUB_MAIL_FROM") or defaults.mail_from,
        console_url=_url(env, "HUB_CONSOLE_URL", ("https://", "http://")),
        webhook_allow_private=_cidrs(env, "HUB_WEBHOOK_ALLOW_PRIVATE"),
    )
    if settings.log_level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ConfigurationError(
            f"HUB_LOG_LEVEL={settings.log_level!r}; use DEBUG, INFO, WARNING or ERROR"
        )
    if settings.log_format not in {"json", "text"}:
        raise ConfigurationError(f"HUB_LOG_FORMAT={settings.log_format!r}; use json or text")
    if settings.env is Environment.PROD and settings.oidc_issuer is None:
        unset = "" if "HUB_ENV" in env else " (prod is the default of hub serve)"
        raise ConfigurationError(
            f"HUB_ENV=prod{unset} needs HUB_OIDC_ISSUER, the identity provider whose tokens "
            "the hub trusts; for local development set HUB_ENV=dev, or run hub demo"
        )
    if settings.pool_min_size > settings.pool_max_size:
        raise ConfigurationError("HUB_POOL_MIN is larger than HUB_POOL_MAX")
    return settings


def refuse_exposed_dev(settings: Settings) -> None:
    """dev hands a token to anyone who asks (/dev/token): it listens on loopback only."""
    if settings.env is not Environment.DEV:
        return
    try:
        loopback = settings.host == "localhost" or ipaddress.ip_address(settings.host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ConfigurationError(
            f"HUB_ENV=dev hands out tokens to anyone who asks, so it listens on loopback only, "
            f"not {settings.host}; use HUB_ENV=prod with HUB_OIDC_ISSUER to serve others"
        )
