"""The asyncpg pool, with the codecs every connection needs."""

from __future__ import annotations

import json

import asyncpg

from hub.errors import ConfigurationError

Pool = asyncpg.Pool


async def _init_connection(conn: asyncpg.Connection) -> None:
    # uuid and timestamptz decode natively (uuid.UUID, aware datetime); jsonb needs a codec.
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    await conn.set_type_codec("json", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def create_pool(url: str, *, min_size: int = 1, max_size: int = 10) -> Pool:
    """Open a pool, turning the usual connection failures into one actionable line."""
    try:
        pool: Pool = await asyncpg.create_pool(
            url,
            min_size=min_size,
            max_size=max_size,
            init=_init_connection,
            command_timeout=30,
            timeout=10,
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


def redact(url: str) -> str:
    """The URL without its password, fit for an error message."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    credentials, _, location = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{location}" if ":" in credentials else url
