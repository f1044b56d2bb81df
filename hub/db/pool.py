"""The asyncpg pool, with the codecs every connection needs."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import asyncpg
import orjson

from hub.errors import ConfigurationError

Pool = asyncpg.Pool
log = logging.getLogger("hub.db")
# asyncpg prepares a statement once per connection only up to this size, and parses and
# plans a longer one at every use; the compiled reads' statements, with a policy key's
# cells written in (`hub.children.repository.with_cells`), run to ~20 KiB
MAX_CACHED_STATEMENT = 64 * 1024


def encode_json(value: object) -> str:
    """JSON for a json or jsonb parameter: orjson, which the audit appender's batches
    (one jsonb array of entries each) spent a few per cent of a read's CPU waiting for
    in the standard encoder. Keys that are not strings become strings, as json.dumps
    makes them."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


async def _init_connection(conn: asyncpg.Connection) -> None:
    # uuid and timestamptz decode natively (uuid.UUID, aware datetime); jsonb needs a codec.
    for name in ("jsonb", "json"):
        await conn.set_type_codec(
            name, encoder=encode_json, decoder=orjson.loads, schema="pg_catalog"
        )


async def _reset(conn: asyncpg.Connection) -> None:
    """Make a returned connection fit for the next borrower, in no round trip at all
    when it is (asyncpg's default sends advisory-unlock-all, CLOSE ALL, UNLISTEN * and
    RESET ALL on every release: one round trip per request). The hub keeps no session
    state on pooled connections: requests work inside one transaction, ended before the
    release; the scheduler's session lock is unlocked, or its connection closed, before
    it goes back (hub.events.scheduler)."""
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")


_ROLE_USABLE = "SELECT pg_has_role(current_user, oid, 'MEMBER') FROM pg_roles WHERE rolname = $1"


async def _usable(url: str, role: str) -> bool:
    conn = await asyncpg.connect(url, timeout=10)
    try:
        return bool(await conn.fetchval(_ROLE_USABLE, role))
    finally:
        await conn.close()


def acquire(pool: Pool, timeout: float) -> Any:
    """`pool.acquire(timeout=timeout)`, without the timeout when a connection is idle:
    none is waited for then, and asyncpg enforces a timeout with `asyncio.wait_for`, a
    task of its own per acquisition (and another at release). A compiled read acquires
    twice: its statement, its audit record."""
    return pool.acquire(timeout=None if pool.get_idle_size() else timeout)


async def give_back(pool: Pool, conn: Any, *, begun: bool = False) -> None:
    """Return a connection whose transaction may have begun, rolled back (the pool would
    reset it too, logging an error for what is only a cancelled request). `begun`: a
    BEGIN was sent, and may still be under way (its statement cancelled): the ROLLBACK
    then goes regardless, after it, for the connection cannot yet tell."""
    try:
        if begun or conn.is_in_transaction():
            await conn.execute("ROLLBACK")
    except Exception:
        conn.terminate()  # in no state to be reused: the pool opens another
    await pool.release(conn)


async def create_pool(
    url: str, *, min_size: int = 1, max_size: int = 10, role: str | None = None
) -> Pool:
    """Open a pool, turning the usual connection failures into one actionable line.

    With `role` (HUB_DATABASE_ROLE, `hub_app` made by the migrations) every connection
    acts as that role, which may only append to the audit trail; where the role does not
    exist or the login may not use it, the login's own rights apply.
    """
    try:
        # ISO: the compiled reads hand timestamps over as text (`compiled_repository.held`)
        settings = {"DateStyle": "ISO"}
        if role and await _usable(url, role):
            settings["role"] = role
        elif role:
            log.warning("database role %s is not usable; running with the login's rights", role)
        pool: Pool = await asyncpg.create_pool(
            url,
            min_size=min_size,
            max_size=max_size,
            init=_init_connection,
            reset=_reset,
            command_timeout=30,
            max_cacheable_statement_size=MAX_CACHED_STATEMENT,
            timeout=10,
            server_settings=settings,
        )
    except (OSError, TimeoutError) as exc:
        raise ConfigurationError(
            f"cannot reach PostgreSQL at {redact(url)} ({type(exc).__name__}); "
            "is the server running and HUB_DATABASE_URL right?"
        ) from exc
    except asyncpg.InvalidCatalogNameError as exc:
        raise ConfigurationError(
            f"database in {redact(url)} does not exist; create it or fix HUB_DATABASE_URL"
        ) from exc
    except asyncpg.InvalidAuthorizationSpecificationError as exc:
        raise ConfigurationError(
            f"PostgreSQL refused the login in {redact(url)}; check user and password"
        ) from exc
    except (asyncpg.PostgresError, ValueError) as exc:
        raise ConfigurationError(
            f"cannot use HUB_DATABASE_URL {redact(url)}: {exc.__class__.__name__}"
        ) from exc
    return pool


async def close_pool(pool: Pool, *, within: float = 10.0) -> None:
    """Close gracefully, waiting for borrowed connections up to `within` seconds; a
    connection still held after that (a stuck request) is cut so shutdown always ends."""
    try:
        await asyncio.wait_for(pool.close(), within)
    except TimeoutError:
        log.warning("database pool: connections still in use after %.0f s; terminating", within)
        pool.terminate()


def redact(url: str) -> str:
    """The URL without its password, fit for an error message."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    credentials, _, location = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{location}" if ":" in credentials else url
