"""`hub demo --simulate` plays whole episodes through the public API."""

from __future__ import annotations

import random

import asyncpg
import httpx

from hub.demo.simulate import Client, episode, handover_episode
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
    assert {"POLICE_ASSESSED", "AVVIKEN_REGISTERED", "RETURN_REGISTERED"} <= set(types)
    assert types.count("ALERT_ISSUED") == types.count("ALERT_CANCELLED")
    stale = await db.fetchval(
        "SELECT count(*) FROM tasks WHERE case_id = $1 AND status = 'OPEN'", case["id"]
    )
    assert stale == 0, "every task of a closed case is done or closed as not needed"


async def test_a_handover_episode_moves_transfers_and_appoints_through_the_api(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    async with httpx.AsyncClient(base_url=hub.base_url, timeout=30) as http:
        await handover_episode(Client(http, hub.issuer), pace=0.01, rng=random.Random(3))
    transfer = await db.fetchrow(
        "SELECT child_id, from_municipality_id, to_municipality_id, status FROM transfers"
    )
    assert transfer is not None
    assert transfer["status"] == "ACCEPTED"
    child = await db.fetchrow(
        "SELECT responsible_municipality_id, guardian_name FROM children WHERE id = $1",
        transfer["child_id"],
    )
    assert child is not None
    assert child["responsible_municipality_id"] == transfer["to_municipality_id"]
    assert child["guardian_name"]
    placements = await db.fetchval(
        "SELECT count(*) FROM placements WHERE child_id = $1", transfer["child_id"]
    )
    assert placements >= 1
