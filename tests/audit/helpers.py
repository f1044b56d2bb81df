"""Reading the audit trail straight from the database, as an auditor's tool would."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from hub.demo.seed import _id

MISSING_CHILD, MISSING_CASE = _id("child", 17), _id("case", 17)  # REPORTED_MISSING
CLOSED_CHILD, CLOSED_CASE = _id("child", 71), _id("case", 71)

CHILD = """query Child($id: ID!) { child(id: $id) {
    id givenName description { clothing } placementAddress health withheld { category } } }"""
STATUS_ONLY = """query Board { cases(first: 500) { edges { node { id status } } } }"""


async def rows(db: asyncpg.Connection, where: str = "true", *args: Any) -> list[asyncpg.Record]:
    """A row per child an entry covers, as auditors read the trail (audit_by_child)."""
    return list(
        await db.fetch(f"SELECT * FROM audit_by_child WHERE {where} ORDER BY seq, part", *args)
    )


async def responsible(db: asyncpg.Connection, child: uuid.UUID) -> str:
    return str(
        await db.fetchval("SELECT responsible_municipality_id FROM children WHERE id = $1", child)
    )


async def behind_the_hubs_back(db: asyncpg.Connection, sql: str, *args: object) -> None:
    """Change audit rows as whoever holds the database's own rights could: the trigger
    that keeps the trail append-only skipped."""
    async with db.transaction():
        await db.execute("SET LOCAL session_replication_role = replica")
        await db.execute(sql, *args)
