"""All SQL about cases and sightings. Every read takes a `RowScope` from the policy."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from hub.cases.models import (
    Alert,
    Case,
    CaseFilter,
    CaseStatus,
    Outcome,
    PoliceAssessment,
    PoliceGrade,
    Sighting,
    SightingKind,
)
from hub.children.repository import CONSENTED, SCOPE_PREDICATE, facts
from hub.db.paging import PageRequest
from hub.db.session import Db
from hub.errors import Conflict
from hub.events.models import Person
from hub.policy.scope import RowScope

_EMERGENCY = """ARRAY(
    SELECT DISTINCT ea.category FROM emergency_access ea
     WHERE ea.case_id = k.id AND ea.organisation_id = $1 AND ea.sub = $2
       AND ea.expires_at > now()) AS emergency"""

_SELECT = f"""
SELECT k.*, ch.responsible_municipality_id, ch.residence_id, ch.guardian_sub, st,
       {CONSENTED}, {_EMERGENCY}
  FROM cases k
  JOIN children ch ON ch.id = k.child_id
  CROSS JOIN LATERAL (SELECT k.status AS st) s
"""

# Case rows are scoped by their CASE_STATUS (the service passes that scope), which is
# also what the status and municipality filters act on.
FILTER = """
   AND (cardinality($4::text[]) = 0 OR k.status = ANY($4::text[]))
   AND ($5::text IS NULL OR ch.responsible_municipality_id = $5)
   AND ($6::uuid IS NULL OR k.child_id = $6)
"""

_BY_IDS = f"{_SELECT} WHERE {SCOPE_PREDICATE} AND k.id = ANY($4::uuid[])"
_BY_CHILDREN = f"""{_SELECT} WHERE {SCOPE_PREDICATE} AND k.child_id = ANY($4::uuid[])
 ORDER BY k.opened_at DESC, k.id DESC"""

_PAGE = f"""{_SELECT}
 WHERE {SCOPE_PREDICATE} {FILTER}
   AND ($7::uuid IS NULL OR (k.opened_at, k.id) <
        (SELECT a.opened_at, a.id FROM cases a WHERE a.id = $7))
 ORDER BY k.opened_at DESC, k.id DESC
 LIMIT $8
"""
_COUNT = f"SELECT count(*) FROM ({_SELECT} WHERE {SCOPE_PREDICATE} {FILTER}) n"

_SIGHTINGS = """
SELECT id, case_id, seen_at, place, note, reported_by, kind, callback_phone,
       reported_by_name, reported_by_role
  FROM sightings WHERE case_id = ANY($1::uuid[]) ORDER BY seen_at, id
"""


def _assessment(row: asyncpg.Record) -> PoliceAssessment | None:
    if row["police_grade"] is None:
        return None
    by = row["police_assessed_by"] or {}
    return PoliceAssessment(
        grade=PoliceGrade(row["police_grade"]),
        rationale=row["police_rationale"],
        assessed_at=row["police_assessed_at"],
        assessed_by=Person(by.get("name"), by.get("role"), by.get("organisation")),
    )


def _alert(row: asyncpg.Record) -> Alert | None:
    if row["alert_reference"] is None:
        return None
    return Alert(
        row["alert_reference"],
        row["alert_issued_at"],
        row["alert_cancelled_at"],
        row["alert_cancel_reason"],
    )


def _model(row: asyncpg.Record) -> Case:
    return Case(
        id=row["id"],
        child_id=row["child_id"],
        status=CaseStatus(row["status"]),
        opened_at=row["opened_at"],
        opened_by=row["opened_by"],
        last_seen_at=row["last_seen_at"],
        last_seen_place=row["last_seen_place"],
        circumstances=row["circumstances"],
        police_report_number=row["police_report_number"],
        reported_missing_at=row["reported_missing_at"],
        registered_avviken_at=row["registered_avviken_at"],
        found_at=row["found_at"],
        found_place=row["found_place"],
        return_interview=row["return_interview"],
        closed_at=row["closed_at"],
        outcome=Outcome(row["outcome"]) if row["outcome"] else None,
        version=row["version"],
        facts=facts(row),
        police_assessment=_assessment(row),
        alert=_alert(row),
        registered_returned_at=row["registered_returned_at"],
    )


async def by_ids(db: Db, scope: RowScope, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Case]:
    return {r["id"]: _model(r) for r in await db.fetch(_BY_IDS, *scope.sql_args(), list(ids))}


async def by_children(
    db: Db, scope: RowScope, child_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Case]]:
    found: dict[uuid.UUID, list[Case]] = {i: [] for i in child_ids}
    for row in await db.fetch(_BY_CHILDREN, *scope.sql_args(), list(child_ids)):
        found[row["child_id"]].append(_model(row))
    return found


async def page(
    db: Db, scope: RowScope, where: CaseFilter, request: PageRequest
) -> tuple[list[Case], int]:
    filters = ([s.value for s in where.statuses], where.municipality_id, where.child_id)
    rows = await db.fetch(_PAGE, *scope.sql_args(), *filters, request.after, request.limit)
    total = await db.fetchval(_COUNT, *scope.sql_args(), *filters)
    return [_model(r) for r in rows], int(total)


async def sightings_by_cases(
    db: Db, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Sighting]]:
    """Sightings of cases already known to be visible (callers pass scoped case ids)."""
    found: dict[uuid.UUID, list[Sighting]] = {i: [] for i in case_ids}
    for row in await db.fetch(_SIGHTINGS, list(case_ids)):
        found[row["case_id"]].append(Sighting(**{**dict(row), "kind": SightingKind(row["kind"])}))
    return found


_INSERT = """
INSERT INTO cases (id, child_id, status, opened_at, opened_by, last_seen_at, last_seen_place,
    circumstances, police_report_number, reported_missing_at, reported_missing_by,
    registered_avviken_at, registered_avviken_by, found_at, found_place, return_interview,
    closed_at, outcome)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
ON CONFLICT (id) DO NOTHING
"""
_INSERT_SIGHTING = """
INSERT INTO sightings (id, case_id, seen_at, place, note, reported_by)
VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING
"""


async def insert_many(db: Db, cases: Sequence[tuple[Case, str | None, str | None]]) -> None:
    """Insert cases with who reported them missing and who registered avviken."""
    await db.executemany(
        _INSERT,
        [
            (
                k.id,
                k.child_id,
                k.status.value,
                k.opened_at,
                k.opened_by,
                k.last_seen_at,
                k.last_seen_place,
                k.circumstances,
                k.police_report_number,
                k.reported_missing_at,
                missing_by,
                k.registered_avviken_at,
                avviken_by,
                k.found_at,
                k.found_place,
                k.return_interview,
                k.closed_at,
                k.outcome.value if k.outcome else None,
            )
            for k, missing_by, avviken_by in cases
        ],
    )


async def insert_sightings(db: Db, sightings: list[Sighting]) -> None:
    await db.executemany(
        _INSERT_SIGHTING,
        [(s.id, s.case_id, s.seen_at, s.place, s.note, s.reported_by) for s in sightings],
    )


# ---- writes: each returns nothing; callers re-read the case as the principal may see it

_OPEN = """
INSERT INTO cases (child_id, status, opened_by, last_seen_at, last_seen_place, circumstances)
VALUES ($1, 'ABSENT', $2, $3, $4, $5) RETURNING id
"""
# NOWAIT: a concurrent transition on the same case fails fast as CONFLICT instead of
# waiting and then acting on a state its caller never saw. NO KEY UPDATE, not UPDATE: rows
# referencing the case (events, tasks) take KEY SHARE locks, which must not conflict.
_LOCK = """
SELECT status, version, registered_avviken_at FROM cases WHERE id = $1 FOR NO KEY UPDATE NOWAIT
"""
_REPORTED_MISSING = """
UPDATE cases SET status = 'REPORTED_MISSING', police_report_number = $2,
       reported_missing_at = now(), reported_missing_by = $3, version = version + 1,
       updated_at = now()
 WHERE id = $1
"""
_AVVIKEN = """
UPDATE cases SET registered_avviken_at = now(), registered_avviken_by = $2,
       version = version + 1, updated_at = now()
 WHERE id = $1
"""
_FOUND = """
UPDATE cases SET status = 'FOUND', found_at = $2, found_place = $3, found_by = $4,
       version = version + 1, updated_at = now()
 WHERE id = $1
"""
_RETURN_INTERVIEW = """
UPDATE cases SET status = 'FOLLOW_UP', return_interview = $2, return_interview_at = now(),
       return_interview_by = $3, version = version + 1, updated_at = now()
 WHERE id = $1
"""
_CLOSE = """
UPDATE cases SET status = 'CLOSED', closed_at = now(), outcome = $2, closed_by = $3,
       version = version + 1, updated_at = now()
 WHERE id = $1
"""
_ADD_SIGHTING = """
INSERT INTO sightings (case_id, seen_at, place, note, reported_by, reported_by_sub, kind,
    callback_phone, reported_by_name, reported_by_role)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id
"""
# a newer sighting is where the child was last seen
_LAST_SEEN = """
UPDATE cases SET last_seen_at = $2, last_seen_place = $3, version = version + 1,
       updated_at = now()
 WHERE id = $1 AND (last_seen_at IS NULL OR last_seen_at < $2)
"""
_POLICE_ASSESSMENT = """
UPDATE cases SET police_grade = $2, police_rationale = $3, police_assessed_at = now(),
       police_assessed_by = $4, version = version + 1, updated_at = now()
 WHERE id = $1
"""
_ALERT = """
UPDATE cases SET alert_reference = $2, alert_issued_at = $3, alert_cancelled_at = NULL,
       alert_cancel_reason = NULL, version = version + 1, updated_at = now()
 WHERE id = $1
"""
_CANCEL_ALERT = """
UPDATE cases SET alert_cancelled_at = $2, alert_cancel_reason = $3, version = version + 1,
       updated_at = now()
 WHERE id = $1
"""
_RETURNED = """
UPDATE cases SET registered_returned_at = now(), registered_returned_by = $2,
       version = version + 1, updated_at = now()
 WHERE id = $1
"""
_RECENT_SIGHTINGS = """
SELECT count(*) FROM sightings
 WHERE case_id = $1 AND reported_by = $2 AND reported_by_sub = $3
   AND created_at > now() - $4::interval
"""


@dataclass(frozen=True, slots=True)
class Locked:
    status: CaseStatus
    version: int
    avviken_registered: bool


async def open_case(
    db: Db,
    child_id: uuid.UUID,
    organisation_id: str,
    last_seen_at: datetime,
    last_seen_place: str,
    circumstances: str | None,
) -> uuid.UUID:
    try:
        case_id = await db.fetchval(
            _OPEN, child_id, organisation_id, last_seen_at, last_seen_place, circumstances
        )
    except asyncpg.UniqueViolationError:
        raise Conflict("the child already has an open case; add to that one") from None
    return uuid.UUID(str(case_id))


async def lock(db: Db, case_id: uuid.UUID) -> Locked:
    try:
        row = await db.fetchrow(_LOCK, case_id)
    except asyncpg.LockNotAvailableError:
        raise Conflict("someone is changing this case right now; reload and try again") from None
    assert row is not None, "lock() is called on cases already read as visible"
    return Locked(
        CaseStatus(row["status"]), row["version"], row["registered_avviken_at"] is not None
    )


async def set_reported_missing(db: Db, case_id: uuid.UUID, number: str, org: str) -> None:
    await db.execute(_REPORTED_MISSING, case_id, number, org)


async def set_avviken(db: Db, case_id: uuid.UUID, org: str) -> None:
    await db.execute(_AVVIKEN, case_id, org)


async def set_found(db: Db, case_id: uuid.UUID, at: datetime, place: str, org: str) -> None:
    await db.execute(_FOUND, case_id, at, place, org)


async def set_return_interview(db: Db, case_id: uuid.UUID, summary: str, org: str) -> None:
    await db.execute(_RETURN_INTERVIEW, case_id, summary, org)


async def set_closed(db: Db, case_id: uuid.UUID, outcome: Outcome, org: str | None) -> None:
    await db.execute(_CLOSE, case_id, outcome.value, org)


@dataclass(frozen=True, slots=True)
class NewSighting:
    seen_at: datetime
    place: str
    note: str | None
    kind: SightingKind
    callback_phone: str | None


async def add_sighting(
    db: Db, case_id: uuid.UUID, new: NewSighting, by: tuple[str, str], person: Person
) -> uuid.UUID:
    """`by`: the reporting organisation and person; a newer sighting moves last seen."""
    found = await db.fetchval(
        _ADD_SIGHTING,
        case_id,
        new.seen_at,
        new.place,
        new.note,
        *by,
        new.kind.value,
        new.callback_phone,
        person.name,
        person.role,
    )
    await db.execute(_LAST_SEEN, case_id, new.seen_at, new.place)
    return uuid.UUID(str(found))


async def set_police_assessment(
    db: Db, case_id: uuid.UUID, grade: PoliceGrade, rationale: str, by: Person
) -> None:
    person = {"name": by.name, "role": by.role, "organisation": by.organisation_id}
    await db.execute(_POLICE_ASSESSMENT, case_id, grade.value, rationale, person)


async def set_alert(db: Db, case_id: uuid.UUID, reference: str, issued_at: datetime) -> None:
    await db.execute(_ALERT, case_id, reference, issued_at)


async def cancel_alert(
    db: Db, case_id: uuid.UUID, cancelled_at: datetime, reason: str | None
) -> None:
    await db.execute(_CANCEL_ALERT, case_id, cancelled_at, reason)


async def set_returned(db: Db, case_id: uuid.UUID, org: str) -> None:
    await db.execute(_RETURNED, case_id, org)


async def recent_sightings(
    db: Db, case_id: uuid.UUID, by: tuple[str, str], within: timedelta
) -> int:
    """How many sightings `by` (organisation, person) added to the case `within`."""
    return int(await db.fetchval(_RECENT_SIGHTINGS, case_id, *by, within))


_OPEN_OF_CHILD = """
SELECT id, status FROM cases WHERE child_id = $1 AND status <> 'CLOSED'
 FOR NO KEY UPDATE
"""


async def open_of_child(db: Db, child_id: uuid.UUID) -> list[tuple[uuid.UUID, CaseStatus]]:
    """Unscoped, for the hub's own jobs (a child turning 18): the child's open cases."""
    return [(r["id"], CaseStatus(r["status"])) for r in await db.fetch(_OPEN_OF_CHILD, child_id)]
