"""Refuse request bodies over HUB_MAX_BODY_BYTES with 413, before the app reads them all.

A declared Content-Length over the limit is refused at once; a chunked body is counted
as it arrives and refused when it passes the limit (unless the response has started).
Before the refusal the rest of the body is read and dropped, up to four times the limit
and two seconds (like nginx's lingering close), so a client still sending reads the 413
instead of a connection reset.

The deadline between a body's pieces is kept by `Pauses`, one timer for every request of
the process rather than a timer per piece: an `asyncio.timeout` around each `receive()`
cost some 6 µs a request, a percent of a case detail's CPU, to guard a wait that almost
never happens (a small body comes with its headers).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.http_errors import send_json_error

_CLOSE = [(b"connection", b"close")]


class _TooLarge(Exception):
    pass


class _TooSlow(Exception):
    pass


async def _refuse_slow(send: Send, seconds: float) -> None:
    message = f"the request body paused for more than {seconds:g} s"
    await send_json_error(send, 408, message, "REQUEST_TIMEOUT", headers=_CLOSE)


async def _refuse(send: Send, limit: int) -> None:
    message = f"the request body is larger than {limit} bytes"
    await send_json_error(send, 413, message, "PAYLOAD_TOO_LARGE", headers=_CLOSE, limit=limit)


LINGER_SECONDS = 2.0


async def _drain(receive: Receive, budget: int) -> None:
    async def read() -> None:
        dropped = 0
        while dropped <= budget:
            message = await receive()
            if message["type"] != "http.request" or not message.get("more_body"):
                return
            dropped += len(message.get("body", b""))

    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(read(), LINGER_SECONDS)


class Pauses:
    """The requests waiting for their body's next piece, each with its deadline. One timer
    looks them over every `tick` seconds (a tenth of the timeout, at most one) while any
    waits, and cancels the tasks past theirs: a piece that pauses longer than `timeout`
    is refused between `timeout` and `timeout + tick` after the wait began."""

    def __init__(self, timeout: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.timeout = timeout
        self.tick = min(1.0, timeout / 10)
        self._clock = clock
        self._waiting: dict[asyncio.Task[object], float] = {}  # task -> its deadline
        self._expired: set[asyncio.Task[object]] = set()
        self._timer: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None  # the timer's

    def wait(self, task: asyncio.Task[object]) -> None:
        """`task` is about to wait for a piece."""
        self._waiting[task] = self._clock() + self.timeout
        if self._timer is None or self._loop is not task.get_loop():
            self._loop = task.get_loop()
            self._timer = self._loop.call_later(self.tick, self._looked)

    def done(self, task: asyncio.Task[object]) -> bool:
        """`task`'s wait ended; whether it ended because its deadline passed."""
        self._waiting.pop(task, None)
        if task in self._expired:
            self._expired.discard(task)
            return True
        return False

    def look(self) -> None:
        """Cancel the waits past their deadline."""
        now = self._clock()
        late = [task for task, deadline in self._waiting.items() if deadline <= now]
        for task in late:
            del self._waiting[task]
            self._expired.add(task)
            task.cancel()

    def _looked(self) -> None:
        self._timer = None
        self.look()
        if self._waiting and self._loop is not None:
            self._timer = self._loop.call_later(self.tick, self._looked)


class BodyLimit:
    """Also a deadline between a body's pieces (HUB_BODY_TIMEOUT): a client that sends its
    body a byte a minute is answered 408 instead of holding a worker."""

    def __init__(self, app: ASGIApp, max_bytes: int, timeout: float = 30.0) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout
        self._pauses = Pauses(timeout)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _drain(receive, 4 * self.max_bytes)
            await _refuse(send, self.max_bytes)
            return
        received = 0
        started = False
        complete = False
        pauses = self._pauses

        async def counting_receive() -> Message:
            nonlocal received, complete
            if complete:  # afterwards only a disconnect comes: no deadline for that
                return await receive()
            task = asyncio.current_task()
            assert task is not None
            pauses.wait(task)
            try:
                message = await receive()
            except asyncio.CancelledError:
                if pauses.done(task) and task.uncancel() == 0:
                    raise _TooSlow from None
                raise  # cancelled by someone else as well: theirs to handle
            finally:
                pauses.done(task)
            complete = message["type"] != "http.request" or not message.get("more_body")
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except _TooSlow:
            if not started:
                await _refuse_slow(send, self.timeout)
        except _TooLarge:
            if not started:
                await _drain(receive, 4 * self.max_bytes)
                await _refuse(send, self.max_bytes)
