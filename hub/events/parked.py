"""Members of a cohort parked at the live edge: a list of sockets, one task per cohort.

A graphql-transport-ws subscriber of a cohort (`hub.events.cohorts`) that has caught up
with the live edge, while another of its cohort leads, parks: its operation's task and
generator end, and what is left of it is a `Member` (its socket writer, the last event it
was given, what its audit records name). The cohort's leader is an ordinary subscriber:
it works every event out as every delivery is worked out and hands the event on here
(`Group.forward`). The cohort's one task takes the answers the leader published, the
events of one change together (it waits, GATHER at most, while the leader has more of the
burst to hand on), commits their records in one group commit (per event, one record for
every member it goes to: `hub.audit.handed`), and then writes each member's frames of the
burst at once, serialised once for all members whose operations share an id
(`hub.websocket_protocol.text_frames`); members are given each event in order, once
(`Member.last`).

Whatever the cohort's answer cannot serve, the member works out itself: its operation is
resumed (`resume`) and replays the outbox from its last event, then parks again. That is
so when the leader published nothing in time or published an answer gone stale, for a
person whose emergency access (nödåtkomst) makes the view their own, and for the member
promoted when the leader leaves (the one furthest behind, so its replay serves all).

A socket whose write buffer is past the transport's high-water mark is a slow consumer:
it is cut off with SLOW_CONSUMER and its cursor, as a queue that overflows is.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from graphql import GraphQLError

from hub.audit import writing
from hub.audit.handed import Handed
from hub.audit.recorder import Record, Recorder
from hub.events.bus import SlowConsumerError
from hub.events.cohorts import MAX_AGE, WAIT, Answer, CohortKey, Slot
from hub.events.models import CaseEvent
from hub.websocket_protocol import text_frames


class Frames(Protocol):
    """How a member's messages are written (`hub.graphql.frames.Frames`)."""

    @property
    def operation(self) -> Any: ...  # strawberry's graphql-transport-ws operation
    @property
    def handler(self) -> Any: ...  # its socket's handler (hub.graphql.view)
    @property
    def context(self) -> Any: ...  # the socket's Context

    def payload(self, answer: Any) -> str: ...
    def message(self, payload: str) -> str: ...
    def write(self, frames: bytes) -> bool: ...
    @staticmethod
    def unavailable(exc: BaseException) -> str: ...


log = logging.getLogger(__name__)

GATHER = 0.1  # seconds a cohort's task waits, at most, for the rest of a burst of events


@dataclass(eq=False, slots=True)
class Member:
    """A parked subscriber: where its frames go and what its records say."""

    frames: Frames
    group: Group
    sub: str
    last: int  # the last event it was given (or had no part in)
    audit: Recorder  # an empty record of its subscription: who, which request, what selected


class Group:
    """One cohort's leader, its parked members, and the task that serves them."""

    def __init__(self, key: CohortKey, clock: Callable[[], float], parking: Parking) -> None:
        self.key = key
        self.leader: object | None = None  # the leading subscription's operation
        self.members: dict[Member, None] = {}  # in the order they parked
        self._clock = clock
        self._parking = parking
        self._events: deque[tuple[CaseEvent, Slot | Answer]] = deque()
        self._task: asyncio.Task[None] | None = None
        self._more = asyncio.Event()  # the leader handed on another event
        self._behind: Callable[[], bool] = _never  # whether the leader has events queued

    def park(self, member: Member) -> None:
        self.members[member] = None

    def leave(self, member: Member) -> None:
        self.members.pop(member, None)
        self._forget_if_empty()

    def forward(self, event: CaseEvent, slot: Slot | Answer) -> None:
        """The leader's event, with the slot its answer is (or will be) published in, or
        the answer it took from another of the cohort."""
        if not self.members:
            return
        self._events.append((event, slot))
        self._more.set()
        if self._task is None or self._task.done():
            # a context of its own: not the leader's operation, request id or trace
            self._task = asyncio.create_task(
                self._run(), name="cohort", context=contextvars.Context()
            )

    def lead(self, frames: Frames, behind: Callable[[], bool] | None = None) -> bool:
        """Lead the cohort unless another does; whether `frames`' operation leads it. Its
        socket's handler knows, so that the cohort hears when the operation ends however
        it ends. `behind` says whether the leader has events queued still."""
        operation = frames.operation
        if self.leader is None:
            self.leader = operation
            self._behind = _never
        if self.leader is not operation:
            return False
        if behind is not None:
            self._behind = behind
        frames.handler.leads[frames.operation.id] = self
        return True

    def step_down(self, operation: object) -> None:
        """The leader has gone: the member furthest behind leads from where it was;
        none does while the replica is closing every socket (each would replay the
        outbox only to be closed in turn)."""
        if self.leader is not operation:
            return
        self.leader = None
        self._behind = _never
        while self.members and self.leader is None and not self._parking.closing:
            first = min(self.members, key=lambda m: m.last)
            del self.members[first]
            frames = first.frames
            if frames.handler.resume(frames.operation, first.last):
                self.lead(frames)
                self._parking.promoted += 1
        self._forget_if_empty()

    def _forget_if_empty(self) -> None:
        if self.leader is None and not self.members and not self._events:
            self._parking.forget(self)

    async def _run(self) -> None:
        while self._events:
            await self._gathered()
            # every event the leader handed on meanwhile, in one go: one group commit, and
            # one write per member
            batch = list(self._events)
            self._events.clear()
            try:
                await self._deliver(batch)
            except Exception:  # each member's own trouble is handled; this is a bug's net
                log.exception("cohort delivery failed; its members resume on their own")
                self._resume([m for m in self.members if m.last < batch[-1][0].id])

    async def _gathered(self) -> None:
        """Wait, GATHER at most, while the leader has events still to hand on: the events
        of one change commit together, and its members' frames go out in one write."""
        deadline = self._clock() + GATHER
        while self._behind() and (left := deadline - self._clock()) > 0:
            self._more.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._more.wait(), left)

    async def _deliver(self, batch: list[tuple[CaseEvent, Slot | Answer]]) -> None:
        answers = [(event, await self._answer(slot)) for event, slot in batch]
        records = [_handed(event, answer) for event, answer in answers]
        given, resumed = self._given(answers, records)
        payloads = await self._payloads(answers, records)
        written: dict[tuple[str, tuple[int, ...]], bytes] = {}  # by operation id: one bytes
        sent = 0
        for m, (shown, last) in given.items():
            if m not in self.members:
                continue  # gone meanwhile (left, or resumed and parked anew)
            if shown:
                frames = m.frames
                key = (frames.operation.id, shown)
                data = written.get(key)
                if data is None:
                    messages = [frames.message(payloads[i]).encode() for i in shown]
                    data = written[key] = text_frames(messages)
                if not self._write(m, data):
                    continue
                sent += len(shown)
            m.last = last
        if given:
            next(iter(given)).frames.context.cohorts.shared += sent
        self._resume([m for m in resumed if m in self.members])

    def _given(
        self, answers: list[tuple[CaseEvent, Answer | None]], records: list[Handed | None]
    ) -> tuple[dict[Member, tuple[tuple[int, ...], int]], list[Member]]:
        """For each member, the shown answers it is given and the last event that covers
        (each named in that answer's record); and the members that must work an answer
        out themselves, after the ones before it."""
        given: dict[Member, tuple[tuple[int, ...], int]] = {}
        resumed: list[Member] = []
        for m in self.members:
            shown: list[int] = []
            last = m.last
            for i, (event, answer) in enumerate(answers):
                if last >= event.id:
                    continue
                if answer is None or m.sub in answer.personal:
                    resumed.append(m)
                    break
                if answer.shown:
                    record = records[i]
                    if record is not None:
                        record.add(m.audit)
                    shown.append(i)
                last = event.id
            given[m] = (tuple(shown), last)
        return given, resumed

    async def _payloads(
        self, answers: list[tuple[CaseEvent, Answer | None]], records: list[Handed | None]
    ) -> dict[int, str]:
        """Commit the records (one group commit), then each shown answer's payload: the
        data encoded once, or the error that says its record could not be written."""
        if not self.members:
            return {}
        # any member's: encoding and the error payload are alike for the whole cohort,
        # and stay so should this member leave while the records are written
        frames = next(iter(self.members)).frames
        pending: list[Record] = [r for r in records if r is not None and r.pending]
        failures: dict[int, BaseException | None] = {}
        if pending:
            appender = frames.context.appender
            if appender is not None:
                raised = await appender.append_all(pending)
            else:
                raised = [await _alone(frames, record) for record in pending]
            failures = {id(r): f for r, f in zip(pending, raised, strict=True)}
        payloads: dict[int, str] = {}
        for i, (_, answer) in enumerate(answers):
            if answer is None or not answer.shown:
                continue
            failed = failures.get(id(records[i]))
            if failed is not None:
                payloads[i] = frames.unavailable(failed)
            else:
                assert answer.result is not None
                payloads[i] = frames.payload(answer.result)
        return payloads

    def _write(self, member: Member, frames: bytes) -> bool:
        """Whether the frames went out; a member whose socket is gone or slow leaves."""
        try:
            if member.frames.write(frames):
                return True
        except Exception:  # the socket is gone: its handler ends the operation
            self.leave(member)
            return False
        self.leave(member)
        # the operation's own task again (its socket's cleanup cancels it)
        member.frames.operation.task = asyncio.create_task(_cut_off(member), name="slow-consumer")
        return False

    async def _answer(self, slot: Slot | Answer) -> Answer | None:
        if isinstance(slot, Answer):
            answer: Answer | None = slot
        else:
            try:
                answer = await asyncio.wait_for(asyncio.shield(slot.done), WAIT)
            except TimeoutError:
                return None
        if answer is None or self._clock() - answer.at > MAX_AGE:
            return None  # authorization at delivery time: a stale answer is worked out anew
        return answer

    def _resume(self, members: list[Member]) -> None:
        """Each works an event out itself, from its last, until it parks again."""
        for m in members:
            self.members.pop(m, None)
            m.frames.handler.resume(m.frames.operation, m.last)


def _never() -> bool:
    return False


def _handed(event: CaseEvent, answer: Answer | None) -> Handed | None:
    """The records of a shown answer, one for all its members (`hub.audit.handed`)."""
    if answer is None or not answer.shown or answer.disclosures is None:
        return None
    return Handed(answer.disclosures, {"eventId": event.id, "event": event.type.value})


async def _alone(frames: Frames, record: Record) -> BaseException | None:
    try:
        await writing.record_read(frames.context.pool, record, None)
    except Exception as exc:
        return exc
    return None


async def _cut_off(member: Member) -> None:
    """SLOW_CONSUMER with the member's cursor, then `complete`, once the buffer drains."""
    frames = member.frames
    cut_off = SlowConsumerError(member.last)
    error = GraphQLError(  # as a subscription that raised it is answered (CodedErrors)
        cut_off.message,
        path=["caseEvents"],
        extensions={"code": cut_off.code, **cut_off.extensions},
    )
    operation = frames.operation
    frames.handler.parked.pop(operation.id, None)
    operation.completed = False  # parked: these are its last two messages
    with contextlib.suppress(Exception):
        await operation.send_operation_message(
            {"id": operation.id, "type": "next", "payload": {"errors": [error.formatted]}}
        )
        await operation.send_operation_message({"id": operation.id, "type": "complete"})


class Parking:
    """The groups of one replica, by cohort."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.groups: dict[CohortKey, Group] = {}
        self.closing = False  # the replica is closing every socket (going away)
        self.promoted = 0  # members that took the lead when their leader left

    def group(self, key: CohortKey) -> Group:
        found = self.groups.get(key)
        if found is None:
            found = self.groups[key] = Group(key, self._clock, self)
        return found

    @property
    def member_count(self) -> int:
        return sum(len(g.members) for g in self.groups.values())

    def forget(self, group: Group) -> None:
        if self.groups.get(group.key) is group:
            del self.groups[group.key]
