"""All SQL about handing a child over: placements, transfers of responsibility between
municipalities, a new god man, and leaving the plan at 18."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime

import asyncpg

from hub.children.models import Transfer, TransferStatus
from hub.db.session import Db
from hub.errors import Conflict, InvalidInput

_OPEN_PLACEMENT = "SELECT from_at FROM placements WHERE child_id = $1 AND to_at IS NULL"
_END_PLACEMENT = "UPDATE placements SET to_at = $2 WHERE child_id = $1 AND to_at IS NULL"
_PLACE = """
INSERT INTO placements (child_id, residence_id, placement_address, from_at)
VALUES ($1, $2, $3, $4)
"""
_CHILD_PLACEMENT = """
UPDATE children SET residence_id = $2, placement_address = $3, version = version + 1,
       updated_at = now()
 WHERE id = $1
"""
# open tasks follow the child: from the old holder to the new
_HAND_TASKS = """
UPDATE tasks SET responsible_organisation_id = $3
 WHERE child_id = $1 AND status = 'OPEN' AND responsible_organisation_id = $2
"""
_HAND_PERSONAL_TASKS = """
UPDATE tasks SET responsible_sub = $3
 WHERE child_id = $1 AND status = 'OPEN' AND responsible_sub = $2
"""
_TRANSFER_COLUMNS = """id, child_id, from_municipality_id, to_municipality_id, reason, status,
    requested_at, decided_at, decline_reason"""
_REQUEST = f"""
INSERT INTO transfers (child_id, from_municipality_id, to_municipality_id, reason,
    requested_by_sub)
VALUES ($1, $2, $3, $4, $5) RETURNING {_TRANSFER_COLUMNS}
"""
_TRANSFER_FOR_UPDATE = f"SELECT {_TRANSFER_COLUMNS} FROM transfers WHERE id = $1 FOR UPDATE"
_DECIDE = f"""
UPDATE transfers SET status = $2, decided_at = now(), decided_by_sub = $3, decline_reason = $4
 WHERE id = $1 RETURNING {_TRANSFER_COLUMNS}
"""
_RESPONSIBLE = """
UPDATE children SET responsible_municipality_id = $2, version = version + 1, updated_at = now()
 WHERE id = $1 AND responsible_municipality_id = $3
"""
_BY_CHILDREN = f"""
SELECT {_TRANSFER_COLUMNS} FROM transfers WHERE child_id = ANY($1::uuid[])
 ORDER BY child_id, requested_at DESC
"""
_OF_MUNICIPALITY = f"""
SELECT {_TRANSFER_COLUMNS} FROM transfers
 WHERE (from_municipality_id = $1 OR to_municipality_id = $1)
   AND (NOT $2::bool OR status = 'REQUESTED')
 ORDER BY requested_at DESC LIMIT $3
"""
_GUARDIAN = """
UPDATE children SET guardian_sub = $2, guardian_name = $3, version = version + 1,
       updated_at = now()
 WHERE id = $1
"""
# children whose 18th birthday has come (`today`, Swedish time) and who are still in the plan
_COMING_OF_AGE = """
SELECT id FROM children
 WHERE left_plan_at IS NULL AND birth_date + interval '18 years' <= $1::date
 ORDER BY id FOR UPDATE SKIP LOCKED
"""
_LEAVE_PLAN = """
UPDATE children SET left_plan_at = now(), guardian_sub = NULL, guardian_name = NULL,
       residence_id = NULL, placement_address = NULL, version = version + 1, updated_at = now()
 WHERE id = $1
"""


def _transfer(row: asyncpg.Record) -> Transfer:
    return Transfer(**{**dict(row), "status": TransferStatus(row["status"])})


async def move(
    db: Db,
    child_id: uuid.UUID,
    residence_id: str | None,
    address: str | None,
    moved_at: datetime,
    previous_residence: str | None,
    fallback: str,
) -> None:
    """End the open placement at `moved_at` and begin the new one; the old residence's
    open tasks for the child go to the new one (or to `fallback`, social services)."""
    since = await db.fetchval(_OPEN_PLACEMENT, child_id)
    if since is not None and since > moved_at:
        raise InvalidInput("movedAt is before the current placement began", field="movedAt")
    await db.execute(_END_PLACEMENT, child_id, moved_at)
    await db.execute(_PLACE, child_id, residence_id, address, moved_at)
    await db.execute(_CHILD_PLACEMENT, child_id, residence_id, address)
    if previous_residence is not None and previous_residence != residence_id:
        await db.execute(_HAND_TASKS, child_id, previous_residence, residence_id or fallback)


async def request_transfer(
    db: Db, child_id: uuid.UUID, from_id: str, to_id: str, reason: str, sub: str
) -> Transfer:
    try:
        row = await db.fetchrow(_REQUEST, child_id, from_id, to_id, reason, sub)
    except asyncpg.UniqueViolationError:
        raise Conflict("a transfer of this child is already waiting for an answer") from None
    assert row is not None
    return _transfer(row)


async def transfer_for_update(db: Db, transfer_id: uuid.UUID) -> Transfer | None:
    row = await db.fetchrow(_TRANSFER_FOR_UPDATE, transfer_id)
    return _transfer(row) if row else None


async def decide(
    db: Db, transfer: Transfer, status: TransferStatus, sub: str, decline_reason: str | None
) -> Transfer:
    """Record the answer; on acceptance the child, and its open tasks, change hands."""
    if status is TransferStatus.ACCEPTED:
        moved = await db.execute(
            _RESPONSIBLE,
            transfer.child_id,
            transfer.to_municipality_id,
            transfer.from_municipality_id,
        )
        if moved != "UPDATE 1":
            raise Conflict("the child is no longer the requesting municipality's")
        await db.execute(
            _HAND_TASKS,
            transfer.child_id,
            transfer.from_municipality_id,
            transfer.to_municipality_id,
        )
    row = await db.fetchrow(_DECIDE, transfer.id, status.value, sub, decline_reason)
    assert row is not None
    return _transfer(row)


async def transfers_of_children(
    db: Db, child_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Transfer]]:
    found: dict[uuid.UUID, list[Transfer]] = {i: [] for i in child_ids}
    for row in await db.fetch(_BY_CHILDREN, list(child_ids)):
        found[row["child_id"]].append(_transfer(row))
    return found


async def transfers_of_municipality(
    db: Db, municipality_id: str, pending_only: bool, limit: int
) -> list[Transfer]:
    rows = await db.fetch(_OF_MUNICIPALITY, municipality_id, pending_only, limit)
    return [_transfer(r) for r in rows]


async def set_guardian(
    db: Db, child_id: uuid.UUID, previous: str | None, sub: str, name: str | None
) -> None:
    """The new god man; the previous one's open tasks for the child become theirs."""
    await db.execute(_GUARDIAN, child_id, sub, name)
    if previous is not None:
        await db.execute(_HAND_PERSONAL_TASKS, child_id, previous, sub)


async def coming_of_age(db: Db, today: date) -> list[uuid.UUID]:
    return [r["id"] for r in await db.fetch(_COMING_OF_AGE, today)]


async def leave_plan(db: Db, child_id: uuid.UUID, at: datetime) -> None:
    """The god man's appointment and the placement end; the child leaves the plan."""
    await db.execute(_END_PLACEMENT, child_id, at)
    await db.execute(_LEAVE_PLAN, child_id)
