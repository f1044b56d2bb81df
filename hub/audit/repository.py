"""All SQL about the audit trail."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import asyncpg

from hub.audit import chain
from hub.audit.models import (
    AccessSummary,
    AuditEntry,
    AuditFilter,
    AuditKind,
    NewAuditEntry,
)
from hub.db.session import Db
from hub.telemetry import instruments

_HEAD = "SELECT seq, hash FROM audit_head FOR UPDATE"
_COMMON = """seq, at, kind, request_id, trace_id, operation, action, sub, organisation_id,
       roles, purpose, child_id, case_ids, disclosed, withheld, bases, flags, details,
       prev_hash, hash, policy_version"""
_COLUMNS = f"{_COMMON}, child_ids, case_counts, recipients, case_bytes"  # as stored (the chain)
# The rows to insert: their small columns as JSON ($1), their cases and children as two
# flat uuid[] in binary ($2, $4), each row's share cut out by offsets ($3, $5; n + 1 of
# them), and a compact entry's cases, one bytea each, in binary too ($6): a 500-case
# entry's ids go as their bytes, not as text or hex for PostgreSQL to parse back.
_ROWS = f"""
INSERT INTO audit_log ({_COLUMNS})
SELECT r.seq, r.at, r.kind, r.request_id, r.trace_id, r.operation, r.action, r.sub,
       r.organisation_id, r.roles, r.purpose, r.child_id,
       ($2::uuid[])[($3::int[])[r.ordinality] + 1 : ($3::int[])[r.ordinality + 1]],
       r.disclosed, r.withheld, r.bases, r.flags, r.details, r.prev_hash, r.hash,
       r.policy_version,
       ($4::uuid[])[($5::int[])[r.ordinality] + 1 : ($5::int[])[r.ordinality + 1]],
       r.case_counts, r.recipients, ($6::bytea[])[r.ordinality]
  FROM jsonb_populate_recordset(NULL::audit_log, $1::jsonb) WITH ORDINALITY AS r
"""
# one statement per request, whatever the number of rows: move the head, insert the rows
_APPEND = f"WITH moved AS (UPDATE audit_head SET seq = $7, hash = $8){_ROWS}"
# the same, only where the head is still ($9, $10): a concurrent appender's move (waited
# for on the head's row lock, then seen) leaves the head as it is and inserts nothing
_APPEND_AFTER = f"""
WITH moved AS (
    UPDATE audit_head SET seq = $7, hash = $8 WHERE seq = $9 AND hash = $10 RETURNING 1
){_ROWS}, moved
"""
Head = tuple[int, str]  # the chain's end: the last row's seq and hash
_PARTS = f"SELECT {_COMMON}, part FROM audit_by_child a"


async def append(
    conn: Any,
    entries: Callable[[datetime], list[NewAuditEntry]],
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Head:
    """Place `entries(now)` at the end of the chain, and return its new end. The head's
    row lock, held to commit, gives the chain one order; `at` is taken under it, so order
    by seq is order in time."""
    row = await conn.fetchrow(_HEAD)
    at = clock()
    rows = entries(at)
    if not rows:
        return row["seq"], row["hash"]
    encoded, moved = _linked((row["seq"], row["hash"]), at, rows)
    await conn.execute(_APPEND, *encoded, *moved)
    instruments.audit_rows.add(len(rows))
    return moved


async def append_after(
    conn: Any, head: Head, at: datetime, rows: list[NewAuditEntry]
) -> Head | None:
    """Place `rows` after `head` in one statement, and return the chain's new end; None,
    with nothing written, when `head` is no longer the end (another appender moved it).

    Outside a transaction the statement is its own, committed in the same round trip: a
    read's record costs one, where `append` costs four. `at` is taken before the head is
    locked, yet order by seq stays order in time: `head` was written before `at` was
    taken; whoever moves the head before this statement does makes it find the head gone,
    and whoever moves it after took its own `at` later (under the lock, or after seeing
    this row's head).
    """
    if not rows:
        return head
    encoded, moved = _linked(head, at, rows)
    status = await conn.execute(_APPEND_AFTER, *encoded, *moved, *head)
    if status == "INSERT 0 0":
        return None
    instruments.audit_rows.add(len(rows))
    return moved


def _linked(head: Head, at: datetime, rows: list[NewAuditEntry]) -> tuple[_Encoded, Head]:
    """`rows` encoded for the statement (`_ROWS`), each chained to the one before, from
    `head` on."""
    seq, prev = head
    encoded: list[dict[str, Any]] = []
    cases: list[uuid.UUID] = []
    children: list[uuid.UUID] = []
    case_at, child_at = [0], [0]
    packed: list[bytes | None] = []
    for entry in rows:
        seq += 1
        digest = chain.link(prev, seq, at, entry)
        encoded.append(_encode(seq, at, entry, prev, digest))
        prev = digest
        cases += entry.case_ids
        children += entry.child_ids
        case_at.append(len(cases))
        child_at.append(len(children))
        packed.append(entry.case_bytes)
    return (encoded, cases, case_at, children, child_at, packed), (seq, prev)


_Encoded = tuple[
    list[dict[str, Any]],
    list[uuid.UUID],
    list[int],
    list[uuid.UUID],
    list[int],
    list[bytes | None],
]


def _encode(
    seq: int, at: datetime, e: NewAuditEntry, prev_hash: str, digest: str
) -> dict[str, Any]:
    """A row's columns but its cases and children (which go in binary, `_ROWS`)."""
    return {
        "seq": seq,
        "at": at.isoformat(),
        "kind": e.kind.value,
        "request_id": e.request_id,
        "trace_id": e.trace_id,
        "operation": e.operation,
        "action": e.action,
        "sub": e.sub,
        "organisation_id": e.organisation_id,
        "roles": list(e.roles),
        "purpose": e.purpose,
        "child_id": str(e.child_id) if e.child_id else None,
        "disclosed": list(e.disclosed),
        "withheld": list(e.withheld),
        "bases": e.bases,
        "flags": list(e.flags),
        "details": e.details,
        "prev_hash": prev_hash,
        "hash": digest,
        "policy_version": e.policy_version,
        "case_counts": list(e.case_counts),
        "recipients": list(e.recipients),
    }


def _entry(row: asyncpg.Record) -> AuditEntry:
    return AuditEntry(
        seq=row["seq"],
        at=row["at"],
        kind=AuditKind(row["kind"]),
        request_id=row["request_id"],
        trace_id=row["trace_id"],
        operation=row["operation"],
        action=row["action"],
        sub=row["sub"],
        organisation_id=row["organisation_id"],
        roles=tuple(row["roles"]),
        purpose=row["purpose"],
        child_id=row["child_id"],
        case_ids=tuple(row["case_ids"]),
        disclosed=tuple(row["disclosed"]),
        withheld=tuple(row["withheld"]),
        bases=dict(row["bases"]),
        flags=tuple(row["flags"]),
        details=dict(row["details"]),
        prev_hash=row["prev_hash"],
        hash=row["hash"],
        policy_version=row["policy_version"],
        **_stored_or_part(row),
    )


def _stored_or_part(row: asyncpg.Record) -> dict[str, Any]:
    if "part" in row.keys():  # noqa: SIM118 - `in` on a Record looks at its values
        return {"part": row["part"]}
    return {
        "child_ids": tuple(row["child_ids"]),
        "case_counts": tuple(row["case_counts"]),
        "recipients": tuple(row["recipients"]),
        "case_bytes": row["case_bytes"],
    }


@dataclass(frozen=True, slots=True)
class _Where:
    """A WHERE clause from fixed fragments for the filters present; values always bound.

    Built per call rather than `($1 IS NULL OR col = $1)`, so a generic plan still uses
    the index of the filter actually given.
    """

    sql: str
    args: tuple[object, ...]


def _where(f: AuditFilter, organisation_scope: str | None) -> _Where:
    parts: list[str] = []
    args: list[object] = []

    def add(fragment: str, value: object) -> None:
        args.append(value)
        parts.append(fragment.replace("?", f"${len(args)}"))

    if organisation_scope is not None:
        add(
            "(a.organisation_id = ? OR a.child_id IN "
            "(SELECT id FROM children WHERE responsible_municipality_id = ?))",
            organisation_scope,
        )
    # a child's entries through the indexes (the entry's child_id, or its child_ids),
    # then the part about that child
    if f.child_id is not None:
        add(
            "(a.entry_child_id = ? OR a.entry_child_ids @> ARRAY[?::uuid]) AND a.child_id = ?",
            f.child_id,
        )
    for word in f.child_named:  # as hub.children.search_repository compares a name's words
        named = (
            "ARRAY(SELECT ch.id FROM children ch "
            "WHERE ch.name_keys && name_keys(?) OR ? <% ch.search_name)"
        )
        add(
            f"(a.entry_child_id = ANY({named}) OR a.entry_child_ids && {named}) "
            f"AND a.child_id = ANY({named})",
            word,
        )
    # a case's entries: those of no children through their own case ids, compact ones
    # through the case's child (migrations/0019; their cases may be packed, 0020), then
    # the part that lists the case
    if f.case_id is not None:
        add(
            "a.seq = ANY(ARRAY(SELECT b.seq FROM audit_log b WHERE "
            "(cardinality(b.child_ids) = 0 AND b.case_ids @> ARRAY[?::uuid]) OR b.child_ids @> "
            "ARRAY[(SELECT k.child_id FROM cases k WHERE k.id = ?)])) "
            "AND a.case_ids @> ARRAY[?::uuid]",
            f.case_id,
        )
    if f.organisation_id is not None:
        add("a.organisation_id = ?", f.organisation_id)
    if f.sub is not None:  # the entry's sub, or its recipients, then that person's part
        add("(a.entry_sub = ? OR a.entry_recipients @> ARRAY[?::text]) AND a.sub = ?", f.sub)
    if f.purpose is not None:
        add("a.purpose = ?", f.purpose)
    if f.kind is not None:
        add("a.kind = ?", f.kind.value)
    if f.flag is not None:
        add("a.flags @> ARRAY[?::text]", f.flag.value)
    if f.since is not None:
        add("a.at >= ?", f.since)
    if f.until is not None:
        add("a.at < ?", f.until)
    return _Where(" AND ".join(parts) or "true", tuple(args))


Position = tuple[int, int]  # an entry's seq, and the part (child) of it


def page_sql(
    f: AuditFilter, organisation_scope: str | None, *, first: int, after: Position | None
) -> tuple[str, list[object]]:
    """The statement `page` runs (the benchmark explains it)."""
    where = _where(f, organisation_scope)
    args = list(where.args)
    keyset = ""
    if after is not None:
        args += after
        n = len(args)
        keyset = (
            f" AND (a.at, a.seq, a.part) < "
            f"((SELECT b.at FROM audit_log b WHERE b.seq = ${n - 1}), ${n - 1}, ${n})"
        )
    args.append(first + 1)
    sql = (
        f"{_PARTS} WHERE {where.sql}{keyset} "
        f"ORDER BY a.at DESC, a.seq DESC, a.part DESC LIMIT ${len(args)}"
    )
    return sql, args


# A generic plan of a filtered read of audit_by_child cannot know which filter is
# selective: after five runs PostgreSQL chose one that scans every row of the range (a
# child's count over a million rows: 9 ms planned for its values, 135 ms generic).
_CUSTOM_PLANS = "SET LOCAL plan_cache_mode = force_custom_plan"


async def page(
    db: Db,
    f: AuditFilter,
    organisation_scope: str | None,
    *,
    first: int,
    after: Position | None,
) -> list[AuditEntry]:
    """Newest first, a row per child an entry covers; `first + 1` rows so the caller
    knows whether more follow."""
    sql, args = page_sql(f, organisation_scope, first=first, after=after)
    await db.execute(_CUSTOM_PLANS)
    return [_entry(r) for r in await db.fetch(sql, *args)]


async def count(db: Db, f: AuditFilter, organisation_scope: str | None) -> int:
    where = _where(f, organisation_scope)
    await db.execute(_CUSTOM_PLANS)
    value = await db.fetchval(
        f"SELECT count(*) FROM audit_by_child a WHERE {where.sql}", *where.args
    )
    return int(value)


async def stream(
    conn: Any, f: AuditFilter, organisation_scope: str | None, *, batch: int = 1000
) -> AsyncIterator[AuditEntry]:
    """All matching rows, oldest first, without holding them in memory (a cursor; the
    caller holds `conn` in a transaction)."""
    where = _where(f, organisation_scope)
    sql = f"{_PARTS} WHERE {where.sql} ORDER BY a.at, a.seq, a.part"
    await conn.execute(_CUSTOM_PLANS)
    async for row in conn.cursor(sql, *where.args, prefetch=batch):
        yield _entry(row)


_REPORT = """
SELECT a.organisation_id, a.sub, a.purpose,
       ARRAY(SELECT DISTINCT c FROM unnest(array_agg_all) c ORDER BY c) AS categories,
       accesses, first_at, last_at,
       ARRAY(SELECT DISTINCT f FROM unnest(flags_all) f ORDER BY f) AS flags
  FROM (SELECT a.organisation_id, a.sub, a.purpose,
               array_agg(d) FILTER (WHERE d IS NOT NULL) AS array_agg_all,
               count(DISTINCT a.seq) AS accesses, min(a.at) AS first_at, max(a.at) AS last_at,
               array_agg(fl) FILTER (WHERE fl IS NOT NULL) AS flags_all
          FROM audit_by_child a
          LEFT JOIN LATERAL unnest(a.disclosed) d ON true
          LEFT JOIN LATERAL unnest(a.flags) fl ON true
         WHERE {where} AND a.kind IN ('READ', 'DELIVERY', 'MUTATION', 'EMERGENCY')
         GROUP BY a.organisation_id, a.sub, a.purpose) a
 ORDER BY last_at DESC
"""


async def access_report(
    db: Db, child_id: uuid.UUID, organisation_scope: str | None
) -> list[AccessSummary]:
    where = _where(AuditFilter(child_id=child_id), organisation_scope)
    await db.execute(_CUSTOM_PLANS)
    rows = await db.fetch(_REPORT.format(where=where.sql), *where.args)
    return [
        AccessSummary(
            organisation_id=r["organisation_id"],
            sub=r["sub"],
            purpose=r["purpose"],
            categories=tuple(r["categories"] or ()),
            accesses=r["accesses"],
            first_at=r["first_at"],
            last_at=r["last_at"],
            flags=tuple(r["flags"] or ()),
        )
        for r in rows
    ]


# --- the chain -------------------------------------------------------------------------

_IN_ORDER = f"SELECT {_COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq"
_LATEST_ANCHOR = "SELECT seq, hash FROM audit_anchors WHERE seq < $1 ORDER BY seq DESC LIMIT 1"
_HEAD_NOW = "SELECT seq, hash FROM audit_head"


async def in_order(
    conn: Any, *, after_seq: int = 0, batch: int = 2000
) -> AsyncIterator[AuditEntry]:
    async for row in conn.cursor(_IN_ORDER, after_seq, prefetch=batch):
        yield _entry(row)


async def anchor_before(conn: Any, seq: int) -> tuple[int, str] | None:
    row = await conn.fetchrow(_LATEST_ANCHOR, seq)
    return (row["seq"], row["hash"]) if row else None


async def head(conn: Any) -> Head:
    row = await conn.fetchrow(_HEAD_NOW)
    return row["seq"], row["hash"]


# --- partitions and retention ----------------------------------------------------------


async def ensure_partitions(db: Db, first_month: date, months: int) -> int:
    return int(await db.fetchval("SELECT audit_ensure_partitions($1, $2)", first_month, months))


async def drop_partitions(db: Db, cutoff: datetime) -> list[tuple[str, int]]:
    rows = await db.fetch("SELECT dropped, row_count FROM audit_drop_partitions($1)", cutoff)
    return [(r["dropped"], r["row_count"]) for r in rows]


async def droppable_partitions(db: Db, cutoff: datetime) -> list[tuple[str, int]]:
    """What `drop_partitions(cutoff)` would drop, with exact row counts, for a dry run."""
    rows = await db.fetch(_DROPPABLE, cutoff)
    return [(r["name"], r["rows"]) for r in rows]


_DROPPABLE = """
WITH parts AS (
    SELECT c.oid, c.relname AS name
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'audit_log'::regclass AND c.relname ~ '^audit_log_\\d{4}_\\d{2}$'
       AND (to_date(substr(c.relname, 11), 'YYYY_MM') + interval '1 month')
           ::timestamp AT TIME ZONE 'UTC' <= $1
), counted AS (
    SELECT tableoid AS oid, count(*) AS n FROM audit_log WHERE at < $1 GROUP BY tableoid
)
SELECT p.name, coalesce(c.n, 0) AS rows
  FROM parts p LEFT JOIN counted c USING (oid)
 ORDER BY p.name
"""
