"""Fan-out of case events within one replica.

One connection LISTENs on `case_events`; a notification only says "something new". The
pump then reads rows after the last id it saw and hands each to every local subscriber,
in order. Notifications can be lost (a dropped connection, a full queue), so the pump also
runs on a timer, and after every reconnect it catches up from the last id: nothing is
missed, and since ids only grow, nothing is delivered twice.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging

import asyncpg

from hub.errors import HubError
from hub.events import repository
from hub.events.models import CaseEvent

log = logging.getLogger(__name__)

BATCH = 500


class SlowConsumer(Exception):
    """The subscriber fell more than its queue behind and was cut off."""


class SlowConsumerError(HubError):
    """What a subscriber cut off for falling behind is told: where to resume from."""

    code = "SLOW_CONSUMER"

    def __init__(self, cursor: int) -> None:
        super().__init__(
            "you fell too far behind and were disconnected; subscribe again with after set "
            "to your last cursor",
            cursor=str(cursor),
        )


class Subscriber:
    """One subscriber's events not yet taken, at most `size` of them: a deque and, while
    its consumer waits, one future (no asyncio.Queue: idle subscribers are many)."""

    __slots__ = ("_items", "_size", "_waiter", "overflowed")

    def __init__(self, size: int) -> None:
        self._items: collections.deque[CaseEvent] = collections.deque()
        self._size = size
        self._waiter: asyncio.Future[None] | None = None
        self.overflowed = False

    def offer(self, event: CaseEvent) -> None:
        if self.overflowed:
            return
        if len(self._items) >= self._size:
            # free the memory now and tell the consumer at its next read
            self.overflowed = True
            self._items.clear()
        else:
            self._items.append(event)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    @property
    def caught_up(self) -> bool:
        """Nothing waits to be taken (and nothing was lost)."""
        return not self._items and not self.overflowed

    async def next(self) -> CaseEvent:
        while not self._items:
            if self.overflowed:
                raise SlowConsumer
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._items.popleft()


class EventBus:
    def __init__(
        self, url: str, pool: asyncpg.Pool, *, queue_size: int = 1000, poll_interval: float = 5.0
    ) -> None:
        self._url = url
        self._pool = pool
        self._queue_size = queue_size
        self._poll = poll_interval
        self._subscribers: set[Subscriber] = set()
        self._wake = asyncio.Event()
        self._listener: asyncpg.Connection | None = None
        self._task: asyncio.Task[None] | None = None
        self.position = 0
        self.reconnects = 0

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    def subscribe(self) -> tuple[Subscriber, int]:
        """A new subscriber, and the cursor from which it receives live events."""
        subscriber = Subscriber(self._queue_size)
        self._subscribers.add(subscriber)
        return subscriber, self.position

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.discard(subscriber)

    async def start(self) -> None:
        self.position = await repository.last_id(self._pool)
        await self._listen()
        self._task = asyncio.create_task(self._run(), name="event-bus")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._close_listener()

    def _notified(self, *_: object) -> None:
        self._wake.set()

    async def _listen(self) -> None:
        conn = await asyncpg.connect(self._url, timeout=10)
        await conn.add_listener("case_events", self._notified)
        conn.add_termination_listener(lambda _: self._wake.set())
        self._listener = conn

    async def _close_listener(self) -> None:
        conn, self._listener = self._listener, None
        if conn is not None and not conn.is_closed():
            with contextlib.suppress(Exception):
                await conn.close(timeout=2)

    async def _reconnect(self) -> None:
        await self._close_listener()
        delay = 0.1
        while True:
            try:
                await self._listen()
                self.reconnects += 1
                return
            except (OSError, asyncpg.PostgresError, TimeoutError):
                log.warning("event listener: reconnecting in %.1f s", delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll)
            self._wake.clear()
            try:
                if self._listener is None or self._listener.is_closed():
                    await self._reconnect()
                await self.pump()
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
                log.warning("event pump failed; retrying", exc_info=True)
                await asyncio.sleep(0.5)
                self._wake.set()

    async def pump(self) -> None:
        """Deliver every committed event after the last one delivered."""
        while True:
            events = await repository.after(self._pool, self.position, BATCH)
            for event in events:
                for subscriber in list(self._subscribers):
                    subscriber.offer(event)
                self.position = event.id
            if len(events) < BATCH:
                return
