"""All SQL about emergency access grants."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

from hub.db.session import Db
from hub.emergency.models import Grant, Reason, ReasonKind, Verdict

_COLUMNS = """ea.id, ea.case_id, k.child_id, ea.organisation_id, ea.sub, ea.category,
    ea.reason_kind, ea.reason, ea.reference, ea.granted_at, ea.expires_at, ea.reviewed_at,
    ea.verdict, ea.review_note, ea.reviewed_by_sub, ea.reviewed_by_org"""
_GRANT = """
INSERT INTO emergency_access (case_id, organisation_id, sub, category, reason_kind, reason,
    reference, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(mins => $8)) RETURNING id
"""
_BY_ID = f"""SELECT {_COLUMNS} FROM emergency_access ea JOIN cases k ON k.id = ea.case_id
 WHERE ea.id = $1"""
# The grants an auditor of organisation $1 may see (NULL: the whole network): those its
# own people made and those on the children it is responsible for.
_IN_AUDIT_SCOPE = """emergency_access ea
  JOIN cases k ON k.id = ea.case_id JOIN children ch ON ch.id = k.child_id
 WHERE ($1::text IS NULL OR ea.organisation_id = $1 OR ch.responsible_municipality_id = $1)"""
_PAGE = f"""
SELECT {_COLUMNS} FROM {_IN_AUDIT_SCOPE}
   AND (NOT $2 OR ea.reviewed_at IS NULL)
   AND ($3::uuid IS NULL OR (ea.granted_at, ea.id) <
        (SELECT a.granted_at, a.id FROM emergency_access a WHERE a.id = $3))
 ORDER BY ea.granted_at DESC, ea.id DESC
 LIMIT $4
"""
_COUNT = f"SELECT count(*) FROM {_IN_AUDIT_SCOPE} AND (NOT $2 OR ea.reviewed_at IS NULL)"
_IN_SCOPE = f"SELECT EXISTS (SELECT 1 FROM {_IN_AUDIT_SCOPE} AND ea.id = $2)"
_MINE = """SELECT category, max(expires_at) AS expires_at FROM emergency_access
 WHERE case_id = $1 AND organisation_id = $2 AND sub = $3 AND expires_at > now()
 GROUP BY category ORDER BY category"""
_REVIEW = """
UPDATE emergency_access SET verdict = $2, review_note = $3, reviewed_by_sub = $4,
       reviewed_by_org = $5, reviewed_at = now()
 WHERE id = $1 AND reviewed_at IS NULL
RETURNING id
"""


def _model(row: asyncpg.Record) -> Grant:
    return Grant(
        id=row["id"],
        case_id=row["case_id"],
        child_id=row["child_id"],
        organisation_id=row["organisation_id"],
        sub=row["sub"],
        category=row["category"],
        reason=Reason(ReasonKind(row["reason_kind"]), row["reason"], row["reference"]),
        granted_at=row["granted_at"],
        expires_at=row["expires_at"],
        reviewed_at=row["reviewed_at"],
        verdict=Verdict(row["verdict"]) if row["verdict"] else None,
        review_note=row["review_note"],
        reviewed_by_sub=row["reviewed_by_sub"],
        reviewed_by_org=row["reviewed_by_org"],
    )


async def grant(
    db: Db,
    *,
    case_id: uuid.UUID,
    organisation_id: str,
    sub: str,
    category: str,
    reason: Reason,
    minutes: int,
) -> uuid.UUID:
    found = await db.fetchval(
        _GRANT,
        case_id,
        organisation_id,
        sub,
        category,
        reason.kind.value,
        reason.text,
        reason.reference,
        minutes,
    )
    return uuid.UUID(str(found))


async def by_id(db: Db, grant_id: uuid.UUID) -> Grant | None:
    row = await db.fetchrow(_BY_ID, grant_id)
    return _model(row) if row else None


async def page(
    db: Db, organisation_id: str | None, unreviewed_only: bool, after: uuid.UUID | None, limit: int
) -> list[Grant]:
    rows = await db.fetch(_PAGE, organisation_id, unreviewed_only, after, limit)
    return [_model(r) for r in rows]


async def count(db: Db, organisation_id: str | None, unreviewed_only: bool) -> int:
    return int(await db.fetchval(_COUNT, organisation_id, unreviewed_only))


async def in_scope(db: Db, organisation_id: str | None, grant_id: uuid.UUID) -> bool:
    """Whether an auditor of `organisation_id` (None: the network) may see the grant."""
    return bool(await db.fetchval(_IN_SCOPE, organisation_id, grant_id))


async def review(
    db: Db, grant_id: uuid.UUID, verdict: Verdict, note: str | None, by: tuple[str, str]
) -> bool:
    """Record the verdict; False when the grant was reviewed already."""
    return await db.fetchval(_REVIEW, grant_id, verdict.value, note, *by) is not None


async def open_for(
    db: Db, case_id: uuid.UUID, organisation_id: str, sub: str
) -> list[tuple[str, datetime]]:
    """The categories of a case this person's emergency access holds open now, and until
    when."""
    rows = await db.fetch(_MINE, case_id, organisation_id, sub)
    return [(r["category"], r["expires_at"]) for r in rows]


_HOLDERS = """SELECT DISTINCT sub FROM emergency_access
 WHERE case_id = $1 AND organisation_id = $2 AND expires_at > now()"""


async def holders(db: Db, case_id: uuid.UUID, organisation_id: str) -> frozenset[str]:
    """The people of an organisation whose emergency access holds part of a case open."""
    return frozenset(r["sub"] for r in await db.fetch(_HOLDERS, case_id, organisation_id))
