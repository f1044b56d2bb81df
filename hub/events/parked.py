"""Members of a cohort parked at the live edge: a list of sockets, one task per cohort.

A graphql-transport-ws subscriber of a cohort (`hub.events.cohorts`) that has caught up
with the live edge, while another of its cohort leads, parks: its operation's task and
generator end, and what is left of it is a `Member` (its socket writer, the last event it
was given, what its audit records name). The cohort's leader is an ordinary subscriber:
it works every event out as every delivery is worked out and hands the event on here
(`Group.forward`). The cohort's one task then takes the answer the leader published and,
for every parked member, makes its audit record, commits them all with one group commit
(one entry naming every recipient), and writes the encoded answer to each socket with the
member's operation id; members are given each event in order, once (`Member.last`).

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
from hub.audit.recorder import Recorder
from hub.events.bus import SlowConsumerError
from hub.events.cohorts import MAX_AGE, WAIT, Answer, CohortKey, Slot
from hub.events.models import CaseEvent


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
    def write_now(self, message: str) -> bool: ...
    @staticmethod
    def unavailable(exc: BaseException) -> str: ...


log = logging.getLogger(__name__)


@dataclass(eq=False, slots=True)
class Member:
    """A parked subscriber: where its frames go and what its records say."""

    frames: Frames
    group: Group
    sub: str
    last: int  # the last event it was given (or had no part in)
    audit: Recorder  # an empty record of its subscription: who, which request, what selected

    def recorder(self, event: CaseEvent, answer: Answer) -> Recorder:
        audit = self.audit.sibling()
        audit.details = {"eventId": event.id, "event": event.type.value}
        if answer.disclosures is not None:
            audit.adopt(answer.disclosures)
        return audit


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
        if self._task is None or self._task.done():
            # a context of its own: not the leader's operation, request id or trace
            self._task = asyncio.create_task(
                self._run(), name="cohort", context=contextvars.Context()
            )

    def lead(self, frames: Frames) -> bool:
        """Lead the cohort unless another does; whether `frames`' operation leads it. Its
        socket's handler knows, so that the cohort hears when the operation ends however
        it ends."""
        operation = frames.operation
        if self.leader is None:
            self.leader = operation
        if self.leader is not operation:
            return False
        frames.handler.leads[frames.operation.id] = self
        return True

    def step_down(self, operation: object) -> None:
        """The leader has gone: the member furthest behind leads from where it was."""
        if self.leader is not operation:
            return
        self.leader = None
        while self.members and self.leader is None:
            first = min(self.members, key=lambda m: m.last)
            del self.members[first]
            frames = first.frames
            if frames.handler.resume(frames.operation, first.last):
                self.lead(frames)
        self._forget_if_empty()

    def _forget_if_empty(self) -> None:
        if self.leader is None and not self.members and not self._events:
            self._parking.forget(self)

    async def _run(self) -> None:
        while self._events:
            # every event the leader handed on meanwhile, in one go: one group commit
            batch = list(self._events)
            self._events.clear()
            try:
                await self._deliver(batch)
            except Exception:  # each member's own trouble is handled; this is a bug's net
                log.exception("cohort delivery failed; its members resume on their own")
                self._resume([m for m in self.members if m.last < batch[-1][0].id])

    async def _deliver(self, batch: list[tuple[CaseEvent, Slot | Answer]]) -> None:
        answers = [(event, await self._answer(slot)) for event, slot in batch]
        steps: dict[Member, list[tuple[CaseEvent, Answer, Recorder | None]]] = {}
        resumed: list[Member] = []
        audits: list[Recorder] = []
        for m in self.members:
            mine: list[tuple[CaseEvent, Answer, Recorder | None]] = []
            for event, answer in answers:
                if m.last >= event.id:
                    continue
                if answer is None or m.sub in answer.personal:
                    resumed.append(m)  # works this one out itself, once given the ones before
                    break
                audit = m.recorder(event, answer) if answer.shown else None
                if audit is not None:
                    audits.append(audit)
                mine.append((event, answer, audit))
            if mine:
                steps[m] = mine
        failures = await self._recorded(audits)
        payloads: dict[int, str] = {}
        sent = 0
        for m, mine in steps.items():
            for event, answer, audit in mine:
                if m not in self.members:
                    break  # gone, or cut off
                if audit is not None:
                    failed = failures[id(audit)]
                    if failed is not None:
                        text = m.frames.unavailable(failed)
                    elif id(answer) in payloads:
                        text = payloads[id(answer)]
                    else:  # encoded once for the cohort
                        assert answer.result is not None
                        text = payloads[id(answer)] = m.frames.payload(answer.result)
                    if not self._write(m, text):
                        break
                    sent += 1
                m.last = event.id
        if steps:
            next(iter(steps)).frames.context.cohorts.shared += sent
        self._resume([m for m in resumed if m in self.members])

    async def _recorded(self, audits: list[Recorder]) -> dict[int, BaseException | None]:
        """Commit the records (one group commit); what writing each one raised, if it did."""
        if not audits:
            return {}
        appender = next(iter(self.members)).frames.context.appender
        if appender is not None:
            failures = await appender.append_all(audits)
        else:
            failures = [await _alone(next(iter(self.members)), audit) for audit in audits]
        return {id(a): f for a, f in zip(audits, failures, strict=True)}

    def _write(self, member: Member, payload: str) -> bool:
        """Whether the frame went out; a member whose socket is gone or slow leaves."""
        frames = member.frames
        try:
            if frames.write_now(frames.message(payload)):
                return True
        except Exception:  # the socket is gone: its handler ends the operation
            self.leave(member)
            return False
        self.leave(member)
        # the operation's own task again (its socket's cleanup cancels it)
        frames.operation.task = asyncio.create_task(_cut_off(member), name="slow-consumer")
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


async def _alone(member: Member, audit: Recorder) -> BaseException | None:
    try:
        await writing.record_read(member.frames.context.pool, audit, None)
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
