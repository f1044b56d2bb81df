"""What the scheduler's leader does every few hours for the audit trail and retention."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import asyncpg

from hub.audit import repository
from hub.retention import service as retention
from hub.settings import Settings

log = logging.getLogger("hub.audit")

MONTHS_AHEAD = 3


async def ensure_partitions(pool: asyncpg.Pool) -> None:
    """This month's and the next months' audit partitions exist (or nothing is sent)."""
    created = await repository.ensure_partitions(pool, datetime.now(UTC).date(), MONTHS_AHEAD)
    if created:
        log.info("audit: created %d monthly partitions", created)


async def run(pool: asyncpg.Pool, settings: Settings) -> None:
    await ensure_partitions(pool)
    report = await retention.run(pool, settings, apply=True)
    if report.children or report.partitions:
        log.info("retention: %s", "; ".join(report.lines()))
