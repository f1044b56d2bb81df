"""Group commit for the audit records of reads.

A read writes nothing but its audit record, yet that record costs a transaction of its
own: the chain head's row lock, an insert and a WAL flush, one request after another
(the lock gives the chain its order). Under load the lock is the queue. The appender
takes every record that arrived while the previous batch was being written and writes
them all in one transaction: one lock, one insert, one flush. It remembers where it left
the chain, so a batch is one statement, committed in the round trip that sends it
(`repository.append_after`); only when another appender (a mutation, another replica)
has moved the chain's end does a batch take the head's lock and read it there.

Each caller still waits until its own record is durable before any data leaves the hub;
when the database refuses a batch, each record is written again alone, so only a caller
whose own record cannot be written gets the error (and sends nothing); when the database
cannot be reached, every caller in the batch gets the error.

Deliveries of one event to a cohort that meet in a batch share one entry naming every
recipient (`hub.audit.recipients`). Writes (mutations) keep their record inside their
own transaction, as before.
"""

from __future__ import annotations

import asyncio
import contextvars
import weakref
from datetime import UTC, datetime

import asyncpg

from hub.audit import repository
from hub.audit.models import NewAuditEntry
from hub.audit.recipients import merged
from hub.audit.recorder import Delivered, Record
from hub.db.kept import Kept

MAX_BATCH = 500  # recorders per transaction


class AuditAppender:
    def __init__(
        self, pool: asyncpg.Pool, *, acquire_timeout: float = 15.0, early: bool = True
    ) -> None:
        self._early = early  # False: `begin` leaves every record to `append` (a bench's foil)
        # the connection batches are written on, kept from one to the next: taking it from
        # the pool and giving it back cost a lone read's record more CPU than its
        # statement's bind (a task and a timeout at each release); as for reads, none is
        # kept from a pool of fewer than four, and one unused for a second goes back
        self._kept = Kept(pool, acquire_timeout=acquire_timeout, most=1)
        self._queue: list[tuple[Record, asyncio.Future[None]]] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._head: repository.Head | None = None
        self._writing = False  # a batch is being written
        self._sending: list[asyncio.Future[None]] = []  # `begin`s waiting for it to go
        # records begun early, until their callers append them (gone with the caller)
        self._begun: weakref.WeakKeyDictionary[Record, asyncio.Future[None]] = (
            weakref.WeakKeyDictionary()
        )
        self.batches = 0  # transactions written (for tests and telemetry)
        self.relocked = 0  # of them, those that found the chain's end moved by another
        self.begun = 0  # records begun early (`begin`)

    async def append(self, audit: Record) -> None:
        """Return once `audit`'s record is committed; raise if it could not be."""
        begun = self._begun.pop(audit, None)
        if begun is not None:
            await begun
        if not audit.pending:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((audit, future))
        self._started()
        await future

    async def begin(self, audit: Record) -> None:
        """Start writing what `audit` holds now, while its caller goes on working (the
        compiled reads build their answer meanwhile); `append` then waits for it, and
        writes whatever was recorded after. The caller must still `append` before it
        sends anything.

        Returns once the record's batch is on its way to the database (its statement
        is sent when this appender next waits), or at once when a batch is being written
        already (the record goes with the next, which starts when that one is done)."""
        if not self._early or not audit.pending or audit in self._begun:
            return
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        # `append` raises what it raised; a caller cancelled before then leaves it unread
        future.add_done_callback(_read)
        self._begun[audit] = future
        self.begun += 1
        self._queue.append((audit, future))
        if self._writing:
            self._started()
            return
        sent: asyncio.Future[None] = loop.create_future()
        self._sending.append(sent)
        self._started()
        await sent

    async def append_all(self, audits: list[Record]) -> list[BaseException | None]:
        """`append` for many records at once (a cohort's deliveries of one event): what
        each record's writing raised, or None once it is committed."""
        loop = asyncio.get_running_loop()
        futures: list[asyncio.Future[None]] = []
        for audit in audits:
            future: asyncio.Future[None] = loop.create_future()
            if audit.pending:
                self._queue.append((audit, future))
            else:
                future.set_result(None)
            futures.append(future)
        self._started()
        if futures:
            await asyncio.wait(futures)
        return [f.exception() for f in futures]

    def _started(self) -> None:
        if self._task is None or self._task.done():
            # a context of its own: not the first caller's trace, request id or operation
            self._task = asyncio.create_task(
                self._run(), name="audit-appender", context=contextvars.Context()
            )
        self._wake.set()

    async def close(self) -> None:
        """Write what is queued, then stop."""
        self._closing = True
        self._wake.set()
        task, self._task = self._task, None
        if task is not None:
            await task
        await self._kept.close()

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            self._writing = True
            while self._queue:
                batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
                try:
                    await self._write(batch)
                finally:
                    self._sent()
            self._writing = False
            if self._closing:
                return

    def _sent(self) -> None:
        """The batch's statement is about to go (or its writing ended): who `begin`s
        waits for that goes on once this appender waits."""
        sending, self._sending = self._sending, []
        for sent in sending:
            if not sent.done():
                sent.set_result(None)

    async def _write(
        self,
        batch: list[tuple[Record, asyncio.Future[None]]],
        made: dict[int, list[NewAuditEntry | Delivered]] | None = None,
    ) -> None:
        # a recorder hands out its entries once; a retry writes the ones it made
        made = {} if made is None else made
        try:
            try:
                await self._commit(batch, made)
            except _CONNECTION_LOST:
                # the database restarted under a pooled connection: nothing was committed,
                # so the same records go again, once, on a fresh connection
                await self._commit(batch, made)
        except asyncpg.PostgresError as refused:
            if len(batch) == 1:
                raise_into(batch, refused)
                return
            # one record the database refuses must not fail the others: each alone
            for one in batch:
                await self._write([one], made)
            return
        except BaseException as exc:  # every caller of the batch withholds its data
            raise_into(batch, exc)
            if not isinstance(exc, Exception):
                raise
            return
        for _, future in batch:
            if not future.done():
                future.set_result(None)

    async def _commit(
        self,
        batch: list[tuple[Record, asyncio.Future[None]]],
        made: dict[int, list[NewAuditEntry | Delivered]],
    ) -> None:
        def entries(at: datetime) -> list[NewAuditEntry]:
            for audit, _ in batch:
                if id(audit) not in made:
                    made[id(audit)] = audit.batched(at)
            return merged([e for audit, _ in batch for e in made[id(audit)]])

        # the chain's end as this appender last left it; unknown until a write succeeds
        # (after a failure nobody can tell whether the write was committed)
        head, self._head = self._head, None
        conn = await self._kept.take()
        written = False
        try:
            self._sent()
            if head is not None:
                at = datetime.now(UTC)
                head = await repository.append_after(conn, head, at, entries(at))
                self.relocked += head is None
            if head is None:  # not known, or moved by another appender: under its lock
                async with conn.transaction():
                    head = await repository.append(conn, entries)
            written = True
        finally:  # a connection whose statement failed goes back to the pool
            await self._kept.give(conn, ran=written)
        self._head = head
        self.batches += 1


_CONNECTION_LOST = (
    OSError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.AdminShutdownError,
    asyncpg.CannotConnectNowError,
)


def _read(future: asyncio.Future[None]) -> None:
    if not future.cancelled():
        future.exception()


def raise_into(batch: list[tuple[Record, asyncio.Future[None]]], exc: BaseException | None) -> None:
    for _, future in batch:
        if not future.done():
            future.set_exception(exc if isinstance(exc, Exception) else RuntimeError())
