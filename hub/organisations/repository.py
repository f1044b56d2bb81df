"""All SQL about organisations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import asyncpg

from hub.db.session import Db
from hub.organisations.models import ContactPoint, Organisation, OrganisationKind

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


_CONTACT_POINTS = """
SELECT organisation_id, label, phone, email, hours, on_call FROM contact_points
 WHERE organisation_id = ANY($1::text[]) ORDER BY organisation_id, position
"""
_CLEAR_CONTACT_POINTS = "DELETE FROM contact_points WHERE organisation_id = $1"
_ADD_CONTACT_POINT = """
INSERT INTO contact_points (organisation_id, position, label, phone, email, hours, on_call)
VALUES ($1, $2, $3, $4, $5, $6, $7)
"""


async def contact_points(db: Db, ids: Sequence[str]) -> dict[str, list[ContactPoint]]:
    found: dict[str, list[ContactPoint]] = {i: [] for i in ids}
    for row in await db.fetch(_CONTACT_POINTS, list(ids)):
        found[row["organisation_id"]].append(
            ContactPoint(row["label"], row["phone"], row["email"], row["hours"], row["on_call"])
        )
    return found


async def replace_contact_points(
    db: Db, organisation_id: str, points: Sequence[ContactPoint]
) -> None:
    await db.execute(_CLEAR_CONTACT_POINTS, organisation_id)
    await db.executemany(
        _ADD_CONTACT_POINT,
        [
            (organisation_id, i, p.label, p.phone, p.email, p.hours, p.on_call)
            for i, p in enumerate(points)
        ],
    )
