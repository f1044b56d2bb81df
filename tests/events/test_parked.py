"""Members of a cohort at the live edge park: no task or generator of their own, their
cohort's one task writes the leader's answer to each socket, in order and once, each
with its own audit record, a change's burst of events at once; when the leader leaves, a
parked member leads from where it was and nobody misses an event; a member whose socket
takes no more is cut off with its cursor."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg

from hub.websocket_protocol import TEXT_FRAMES
from tests.conftest import RunningHub, until
from tests.events.reports import MISSING_CASE, sight
from tests.events.wsclient import Subscription, subscribe


async def _sightings(sub: Subscription, n: int) -> list[int]:
    """The cursors of the next `n` events, which must be sightings."""
    cursors = []
    for _ in range(n):
        event = await sub.next()
        assert event["type"] == "SIGHTING_ADDED", event
        cursors.append(int(event["cursor"]))
    return cursors


@contextlib.asynccontextmanager
async def _three_officers(
    hub: RunningHub, prefix: str
) -> AsyncIterator[tuple[Subscription, Subscription, Subscription]]:
    """Three officers (`prefix`-0..2) subscribed to the missing child's case: the first
    leads their cohort, the other two have parked."""
    tokens = [hub.token("polisen-stockholm", "officer", sub=f"{prefix}-{n}") for n in range(3)]
    async with (
        subscribe(hub, tokens[0], case_id=MISSING_CASE) as a,
        subscribe(hub, tokens[1], case_id=MISSING_CASE) as b,
        subscribe(hub, tokens[2], case_id=MISSING_CASE) as c,
    ):
        await until(lambda: hub.runtime.parking.member_count == 2, what="two members parked")
        yield a, b, c


async def test_members_at_the_live_edge_park_and_their_cohorts_task_serves_them_in_order(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    parking = hub.runtime.parking
    async with _three_officers(hub, "parked") as (a, b, c):
        await sight(hub, "Slussen")
        await sight(hub, "Skanstull")
        seen = [await _sightings(sub, 2) for sub in (a, b, c)]
        assert parking.member_count == 2  # served, and parked still
        await c.nothing_for(0.3)  # exactly once: nothing more came
    assert seen[0] == seen[1] == seen[2]
    assert seen[0][0] < seen[0][1]
    rows = await db.fetch(
        """SELECT sub, (details->>'eventId')::bigint AS event FROM audit_by_child
            WHERE kind = 'DELIVERY' AND details->>'event' = 'SIGHTING_ADDED'
              AND case_ids @> ARRAY[$1::uuid] AND sub LIKE 'parked-%'""",
        uuid.UUID(MISSING_CASE),
    )
    # each recipient of each event is named in the trail, the parked ones too
    assert {(r["sub"], r["event"]) for r in rows} == {
        (f"parked-{n}", cursor) for n in range(3) for cursor in seen[0]
    }


SCHEDULED = frozenset({"TASK_DUE", "TASK_OVERDUE", "TASK_ESCALATED"})
FOUND = """mutation($input: ReportFoundInput!) { reportFound(input: $input) { case { id } } }"""


async def test_the_many_events_of_one_change_reach_parked_members_in_order_and_once(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    """Reporting a child found closes its tasks and opens others in one transaction; the
    cohort's task gives the burst to each parked member in one go, as the leader got it."""
    parking = hub.runtime.parking
    async with _three_officers(hub, "burst") as (a, b, c):
        # every event from here on is after all three subscribed (the scheduler's too)
        before = await db.fetchval("SELECT coalesce(max(id), 0) FROM case_events")
        found = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
        await hub.query(
            hub.token("polisen-stockholm", "officer"),
            FOUND,
            input={"caseId": MISSING_CASE, "foundAt": found, "place": "Slussen"},
        )
        made = [
            (r["id"], r["type"])
            for r in await db.fetch(
                """SELECT id, type FROM case_events WHERE id > $1 AND case_id = $2
                      AND type <> ALL($3::text[]) ORDER BY id""",
                before,
                uuid.UUID(MISSING_CASE),
                list(SCHEDULED),
            )
        ]
        assert len(made) > 2  # a burst: the status, and the tasks it closes and opens
        got = [await _changes(sub, len(made)) for sub in (a, b, c)]
        for sub in (a, b, c):
            await _no_changes_for(sub, 0.3)  # exactly once: nothing more came
        assert parking.member_count == 2  # served, and parked still
    assert got[0] == got[1] == got[2] == made


async def _changes(sub: Subscription, n: int) -> list[tuple[int, str]]:
    """The cursors and types of the next `n` events, the scheduler's passed over (its
    timers make task events of their own, at any time)."""
    found: list[tuple[int, str]] = []
    while len(found) < n:
        event = await sub.next(skip_tasks=False)
        if event["type"] not in SCHEDULED:
            found.append((int(event["cursor"]), event["type"]))
    return found


async def _no_changes_for(sub: Subscription, seconds: float) -> None:
    """Nothing but the scheduler's events for `seconds`."""
    deadline = asyncio.get_running_loop().time() + seconds
    while (left := deadline - asyncio.get_running_loop().time()) > 0:
        try:
            event = await sub.next(left, skip_tasks=False)
        except TimeoutError:
            return
        assert event["type"] in SCHEDULED, event


async def test_when_the_leader_leaves_a_parked_member_leads_and_nothing_is_missed(
    hub: RunningHub,
) -> None:
    parking = hub.runtime.parking
    officers = [hub.token("polisen-stockholm", "officer", sub=f"promoted-{n}") for n in range(3)]
    async with contextlib.AsyncExitStack() as leader_stack:
        await leader_stack.enter_async_context(
            subscribe(hub, officers[0], case_id=MISSING_CASE)  # leads: the first of its cohort
        )
        async with (
            subscribe(hub, officers[1], case_id=MISSING_CASE) as b,
            subscribe(hub, officers[2], case_id=MISSING_CASE) as c,
        ):
            await until(lambda: parking.member_count == 2, what="two members parked")
            await sight(hub, "Fridhemsplan")
            first = [await _sightings(sub, 1) for sub in (b, c)]
            await leader_stack.aclose()  # the leader goes
            await until(lambda: parking.member_count == 1, what="a member leads instead")
            await sight(hub, "Hornstull")
            second = [await _sightings(sub, 1) for sub in (b, c)]
            await b.nothing_for(0.3)
            await c.nothing_for(0.3)
    assert first[0] == first[1]
    assert second[0] == second[1]
    assert second[0][0] > first[0][0]


async def test_a_parked_member_whose_socket_will_not_take_more_is_cut_off_with_its_cursor(
    hub: RunningHub,
) -> None:
    """The server's transport says a parked member's socket is past its high-water mark
    (its client reads no more); the next event cuts it off with SLOW_CONSUMER and the
    cursor of the last event it got, and it resumes from there without a gap."""
    parking = hub.runtime.parking
    officers = [hub.token("polisen-stockholm", "officer", sub=f"slow-{n}") for n in range(2)]
    async with subscribe(hub, officers[0], case_id=MISSING_CASE) as leader:
        async with subscribe(hub, officers[1], case_id=MISSING_CASE) as slow:
            await until(lambda: parking.member_count == 1, what="a member parked")
            (group,) = parking.groups.values()
            (member,) = group.members
            last = member.last
            protocol = member.frames.handler.websocket.ws.scope["extensions"][TEXT_FRAMES]
            protocol.__self__.pause_writing()  # as uvicorn's transport does when full
            await sight(hub, "Medborgarplatsen")
            (seen,) = await _sightings(leader, 1)
            await until(lambda: parking.member_count == 0, what="the slow member cut off")
            protocol.__self__.resume_writing()  # the buffer drains: its last words go out
            message = await slow.message()
            (error,) = message["payload"]["errors"]
            assert error["extensions"]["code"] == "SLOW_CONSUMER"
            assert int(error["extensions"]["cursor"]) == last
            assert (await slow.message())["type"] == "complete"
        async with subscribe(hub, officers[1], after=str(last), case_id=MISSING_CASE) as again:
            assert await _sightings(again, 1) == [seen]  # no gap, nothing twice
