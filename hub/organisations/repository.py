"""All SQL about organisations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import asyncpg

from hub.db.session import Db
from hub.organisations.models import Organisation, OrganisationKind

_COLUMNS = "id, kind, name, municipality_id"
_ALL = f"SELECT {_COLUMNS} FROM organisations ORDER BY kind, name"
_BY_IDS = f"SELECT {_COLUMNS} FROM organisations WHERE id = ANY($1::text[])"
_UPSERT = """
INSERT INTO organisations (id, kind, name, municipality_id) VALUES ($1, $2, $3, $4)
ON CONFLICT (id) DO UPDATE
   SET kind = EXCLUDED.kind, name = EXCLUDED.name, municipality_id = EXCLUDED.municipality_id
"""


def _model(row: asyncpg.Record) -> Organisation:
    return Organisation(
        id=row["id"],
        kind=OrganisationKind(row["kind"]),
        name=row["name"],
        municipality_id=row["municipality_id"],
    )


async def list_all(db: Db) -> list[Organisation]:
    return [_model(r) for r in await db.fetch(_ALL)]


async def by_ids(db: Db, ids: Sequence[str]) -> dict[str, Organisation]:
    return {r["id"]: _model(r) for r in await db.fetch(_BY_IDS, list(ids))}


async def upsert_many(db: Db, organisations: Iterable[Organisation]) -> None:
    await db.executemany(
        _UPSERT, [(o.id, o.kind.value, o.name, o.municipality_id) for o in organisations]
    )
