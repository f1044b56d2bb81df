"""All SQL about OAuth clients of the dev issuer."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from hub.db.session import Db

_GET = """
SELECT client_id, organisation_id, secret_sha256, roles FROM oauth_clients WHERE client_id = $1
"""
_UPSERT = """
INSERT INTO oauth_clients (client_id, organisation_id, secret_sha256, roles)
VALUES ($1, $2, $3, $4)
ON CONFLICT (client_id) DO UPDATE
   SET organisation_id = EXCLUDED.organisation_id, secret_sha256 = EXCLUDED.secret_sha256,
       roles = EXCLUDED.roles
"""


@dataclass(frozen=True, slots=True)
class OAuthClient:
    client_id: str
    organisation_id: str
    secret_sha256: str
    roles: tuple[str, ...]


async def get_client(db: Db, client_id: str) -> OAuthClient | None:
    row = await db.fetchrow(_GET, client_id)
    if row is None:
        return None
    return OAuthClient(
        row["client_id"], row["organisation_id"], row["secret_sha256"], tuple(row["roles"])
    )


async def save_client(db: Db, client: OAuthClient) -> None:
    await db.execute(
        _UPSERT, client.client_id, client.organisation_id, client.secret_sha256, list(client.roles)
    )


def secret_hash(secret: str) -> str:
    """Client secrets are long random strings, so one sha256 is a sufficient one-way store."""
    return hashlib.sha256(secret.encode()).hexdigest()
