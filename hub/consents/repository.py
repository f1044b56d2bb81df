"""All SQL about consents and emergency access."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import asyncpg

from hub.consents.models import Consent
from hub.db.session import Db

_COLUMNS = """id, child_id, recipient_organisation_id, categories, valid_from, valid_until,
    granted_by_sub, granted_by_organisation_id, granted_at, revoked_at"""
_INSERT = f"""
INSERT INTO consents (child_id, recipient_organisation_id, categories, valid_until,
    granted_by_sub, granted_by_organisation_id)
VALUES ($1, $2, $3, $4, $5, $6) RETURNING {_COLUMNS}
"""
_GET_FOR_UPDATE = f"SELECT {_COLUMNS} FROM consents WHERE id = $1 FOR UPDATE"
_REVOKE = f"""
UPDATE consents SET revoked_at = now(), revoked_by_sub = $2 WHERE id = $1 RETURNING {_COLUMNS}
"""
_BY_CHILDREN = f"""
SELECT {_COLUMNS} FROM consents WHERE child_id = ANY($1::uuid[]) ORDER BY granted_at DESC, id
"""


def _model(row: asyncpg.Record) -> Consent:
    return Consent(**{**dict(row), "categories": tuple(row["categories"])})


async def insert(
    db: Db,
    *,
    child_id: uuid.UUID,
    recipient: str,
    categories: Sequence[str],
    valid_until: datetime | None,
    sub: str,
    organisation_id: str,
) -> Consent:
    row = await db.fetchrow(
        _INSERT, child_id, recipient, list(categories), valid_until, sub, organisation_id
    )
    assert row is not None
    return _model(row)


async def get_for_update(db: Db, consent_id: uuid.UUID) -> Consent | None:
    row = await db.fetchrow(_GET_FOR_UPDATE, consent_id)
    return _model(row) if row else None


async def revoke(db: Db, consent_id: uuid.UUID, sub: str) -> Consent:
    row = await db.fetchrow(_REVOKE, consent_id, sub)
    assert row is not None
    return _model(row)


async def by_children(db: Db, child_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Consent]]:
    found: dict[uuid.UUID, list[Consent]] = {i: [] for i in child_ids}
    for row in await db.fetch(_BY_CHILDREN, list(child_ids)):
        found[row["child_id"]].append(_model(row))
    return found


_ACTIVE_BY_RECIPIENT = """
SELECT recipient_organisation_id, array_agg(DISTINCT cat) AS categories
  FROM valid_consents, unnest(categories) cat
 WHERE child_id = $1
 GROUP BY recipient_organisation_id
"""


async def active_by_recipient(db: Db, child_id: uuid.UUID) -> dict[str, frozenset[str]]:
    rows = await db.fetch(_ACTIVE_BY_RECIPIENT, child_id)
    return {r["recipient_organisation_id"]: frozenset(r["categories"]) for r in rows}
