"""The deadline between a request body's pieces (`hub.body_limit.Pauses`), on a clock the
test moves: one timer looks over every waiting request, and only a wait past its
deadline is cut short, and reported as such."""

from __future__ import annotations

import asyncio

from hub.body_limit import Pauses


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _waiting() -> tuple[Clock, Pauses, asyncio.Task[object], asyncio.Future[object]]:
    """A request waiting for its body's next piece, watched by `Pauses` with a 30 s
    deadline on a clock the test moves."""
    clock = Clock()
    pauses = Pauses(30, clock)
    piece: asyncio.Future[object] = asyncio.get_running_loop().create_future()

    async def receive() -> object:
        return await piece

    task = asyncio.create_task(receive())
    pauses.wait(task)
    return clock, pauses, task, piece


async def test_a_wait_past_its_deadline_is_cancelled_and_reported_as_expired() -> None:
    clock, pauses, task, _ = _waiting()
    clock.now += 30
    pauses.look()
    await asyncio.wait([task], timeout=5)  # a bound: cancelled at once, or never
    assert task.cancelled()
    assert pauses.done(task) is True
    assert pauses.done(task) is False  # reported once


async def test_a_wait_within_its_deadline_is_left_alone() -> None:
    clock, pauses, task, piece = _waiting()
    clock.now += 29.9
    pauses.look()
    piece.set_result(None)
    await task
    assert pauses.done(task) is False


async def test_a_cancellation_from_elsewhere_is_not_taken_for_a_pause() -> None:
    clock, pauses, task, _ = _waiting()
    task.cancel()
    await asyncio.wait([task])
    clock.now += 60
    pauses.done(task)
    pauses.look()
    assert pauses.done(task) is False


async def test_the_timer_looks_a_tenth_of_the_timeout_apart_and_at_most_a_second() -> None:
    assert Pauses(1).tick == 0.1
    assert Pauses(30).tick == 1.0
