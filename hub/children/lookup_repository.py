"""All SQL of the outreach lookup and contact reports, beside the matching itself
(`search_repository.lookup`): refs, the per-person lookup log, the reports."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from hub.cases.models import SightingKind
from hub.db.session import Db
from hub.events.models import Person

_REF = """
INSERT INTO lookup_refs (ref, child_id, organisation_id, sub, expires_at)
VALUES ($1, $2, $3, $4, now() + $5::interval)
"""
_RESOLVE = """
SELECT child_id FROM lookup_refs
 WHERE ref = $1 AND organisation_id = $2 AND sub = $3 AND expires_at > now()
"""
_FORGET_EXPIRED = "DELETE FROM lookup_refs WHERE expires_at <= now()"
_LOG = "INSERT INTO lookups (organisation_id, sub, matches) VALUES ($1, $2, $3)"
_RECENT = """
SELECT count(*) AS lookups, count(*) FILTER (WHERE matches = 0) AS misses FROM lookups
 WHERE organisation_id = $1 AND sub = $2 AND at > now() - $3::interval
"""
_REPORT = """
INSERT INTO contact_reports (child_id, case_id, organisation_id, sub, reporter_name,
    reporter_role, seen_at, place, kind, note, callback_phone, willing_to_talk, basis)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id
"""
_REPORTS = """
SELECT id, child_id, organisation_id, reporter_name, reporter_role, seen_at, place, kind,
       note, callback_phone, willing_to_talk, basis
  FROM contact_reports WHERE child_id = ANY($1::uuid[]) ORDER BY child_id, seen_at DESC
"""


@dataclass(frozen=True, slots=True)
class Recent:
    lookups: int
    misses: int


@dataclass(frozen=True, slots=True)
class NewContact:
    seen_at: datetime
    place: str
    kind: SightingKind
    note: str | None
    callback_phone: str | None
    willing_to_talk: bool | None


@dataclass(frozen=True, slots=True)
class ContactReport:
    id: uuid.UUID
    child_id: uuid.UUID
    reported_by: Person
    seen_at: datetime
    place: str
    kind: SightingKind
    note: str | None
    callback_phone: str | None
    willing_to_talk: bool | None
    basis: str


async def give_ref(
    db: Db, ref: str, child_id: uuid.UUID, by: tuple[str, str], ttl: timedelta
) -> None:
    await db.execute(_REF, ref, child_id, *by, ttl)


async def resolve(db: Db, ref: str, by: tuple[str, str]) -> uuid.UUID | None:
    """The child behind the asker's own, unexpired ref; None for any other."""
    found = await db.fetchval(_RESOLVE, ref, *by)
    return uuid.UUID(str(found)) if found else None


async def forget_expired(db: Db) -> None:
    await db.execute(_FORGET_EXPIRED)


async def log_lookup(db: Db, by: tuple[str, str], matches: int) -> None:
    await db.execute(_LOG, *by, matches)


async def recent(db: Db, by: tuple[str, str], within: timedelta) -> Recent:
    row = await db.fetchrow(_RECENT, *by, within)
    assert row is not None
    return Recent(int(row["lookups"]), int(row["misses"]))


async def add_report(
    db: Db,
    child_id: uuid.UUID,
    case_id: uuid.UUID | None,
    by: tuple[str, str, Person],
    new: NewContact,
    basis: str,
) -> uuid.UUID:
    org, sub, person = by
    found = await db.fetchval(
        _REPORT,
        child_id,
        case_id,
        org,
        sub,
        person.name,
        person.role,
        new.seen_at,
        new.place,
        new.kind.value,
        new.note,
        new.callback_phone,
        new.willing_to_talk,
        basis,
    )
    return uuid.UUID(str(found))


def _report(row: asyncpg.Record) -> ContactReport:
    return ContactReport(
        id=row["id"],
        child_id=row["child_id"],
        reported_by=Person(row["reporter_name"], row["reporter_role"], row["organisation_id"]),
        seen_at=row["seen_at"],
        place=row["place"],
        kind=SightingKind(row["kind"]),
        note=row["note"],
        callback_phone=row["callback_phone"],
        willing_to_talk=row["willing_to_talk"],
        basis=row["basis"],
    )


async def reports_of_children(
    db: Db, child_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ContactReport]]:
    """Newest first, of children already known to be visible."""
    found: dict[uuid.UUID, list[ContactReport]] = {i: [] for i in child_ids}
    for row in await db.fetch(_REPORTS, list(child_ids)):
        found[row["child_id"]].append(_report(row))
    return found
