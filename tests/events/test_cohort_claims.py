"""A cohort's answer is taken only while fresh; a member that finds it gone stale while it
waited for its turn claims again (and leads a fresh working-out, or joins one) instead of
working the event out alone: thousands of members resuming one after another used to
read the case thousands of times (on an injected clock)."""

from __future__ import annotations

import asyncio

from graphql import ExecutionResult

from hub.events.cohorts import MAX_AGE, CohortKey, Cohorts

KEY = CohortKey("polisen-stockholm", ("officer",), "protection", None, b"\0" * 32)


async def test_a_member_takes_a_fresh_answer_and_claims_again_when_it_went_stale() -> None:
    now = [0.0]
    cohorts = Cohorts(clock=lambda: now[0])
    leading, answer = await cohorts.take(KEY, 7, "officer-0")
    assert leading is not None
    assert answer is None
    leading.publish(ExecutionResult(data={"status": "FOUND"}), {})

    now[0] = MAX_AGE / 2
    slot, taken = await cohorts.take(KEY, 7, "officer-1")
    assert slot is None
    assert taken is not None
    assert taken.result is not None
    assert taken.result.result.data == {"status": "FOUND"}

    now[0] = MAX_AGE * 1.5  # stale now: the next member leads a fresh working-out
    again, stale = await cohorts.take(KEY, 7, "officer-2")
    assert again is not None
    assert again is not leading
    assert stale is None

    waiting = asyncio.create_task(cohorts.take(KEY, 7, "officer-3"))  # joins it
    again.publish(ExecutionResult(data={"status": "CLOSED"}), {})
    slot, joined = await waiting
    assert slot is None
    assert joined is not None
    assert joined.result is not None
    assert joined.result.result.data == {"status": "CLOSED"}


async def test_a_member_whose_emergency_access_is_open_works_the_event_out_alone() -> None:
    cohorts = Cohorts(clock=lambda: 0.0)
    leading, _ = await cohorts.take(KEY, 8, "officer-0")
    assert leading is not None
    leading.personal = frozenset({"officer-opened"})
    leading.publish(ExecutionResult(data={}), {})
    assert await cohorts.take(KEY, 8, "officer-opened") == (None, None)


async def test_members_of_an_abandoned_slot_work_the_event_out_alone() -> None:
    cohorts = Cohorts(clock=lambda: 0.0)
    leading, _ = await cohorts.take(KEY, 9, "officer-0")
    assert leading is not None
    waiting = asyncio.create_task(cohorts.take(KEY, 9, "officer-1"))
    await asyncio.sleep(0)  # one turn of the loop: the member now waits on the slot
    leading.abandon()
    assert await waiting == (None, None)
    # a member that comes after the slot was abandoned leads the event anew
    again, _ = await cohorts.take(KEY, 9, "officer-2")
    assert again is not None
