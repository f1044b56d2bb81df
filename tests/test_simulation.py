"""`hub demo --simulate` plays whole episodes through the public API."""

from __future__ import annotations

import random

import asyncpg
import httpx

from hub.demo.simulate import Client, episode
from tests.conftest import RunningHub


async def test_an_episode_goes_from_absent_to_closed_through_the_api(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    before = await db.fetchval("SELECT count(*) FROM cases")
    async with httpx.AsyncClient(base_url=hub.base_url, timeout=30) as http:
        await episode(Client(http, hub.issuer), pace=0.01, rng=random.Random(7))
    case = await db.fetchrow(
        """SELECT k.id, k.status, k.outcome, k.police_report_number, k.return_interview,
                  (SELECT count(*) FROM sightings s WHERE s.case_id = k.id) AS sightings
           FROM cases k ORDER BY opened_at DESC LIMIT 1"""
    )
    assert await db.fetchval("SELECT count(*) FROM cases") == before + 1
    assert case is not None
    assert case["status"] == "CLOSED"
    assert case["outcome"] == "RETURNED"
    assert case["police_report_number"]
    assert case["return_interview"]
    assert 1 <= case["sightings"] <= 3
    events = await db.fetch(
        "SELECT type FROM case_events WHERE case_id = $1 AND type NOT LIKE 'TASK_%' ORDER BY id",
        case["id"],
    )
    types = [e["type"] for e in events]
    assert types[0] == "CASE_OPENED"
    assert types.count("STATUS_CHANGED") == 4  # reported, found, follow-up, closed
    assert 1 <= types.count("SIGHTING_ADDED") <= 3
