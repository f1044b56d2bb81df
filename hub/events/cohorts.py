"""Deliveries shared by a cohort: subscribers who would receive the same bytes.

A cohort is everything a delivery's answer depends on: the organisation, roles and
purpose, the person where access is personal (a god man's relation), the document,
operation and variables. For each event, the first of a cohort to reach it (the leader)
works the answer out as every delivery is worked out (its own transaction, the case read
through the policy, the selection executed) and leaves it here before its own audit record
is committed; the others take that answer, each with an audit record of its own committed
before it is sent, without a transaction, a read or an execution of their own.

Authorization stays at delivery time: an answer is taken only while it is fresh
(`MAX_AGE`); a member that finds it gone stale claims again and leads or joins a fresh
working-out. A person whose emergency access (nödåtkomst) holds a category of the case
open never takes it, since their view is their own; they, and members whose leader
disconnected before answering, work it out alone.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from graphql import ExecutionResult, OperationDefinitionNode, print_ast

from hub.audit.recorder import Disclosures, Shared
from hub.auth.principal import Principal, Role
from hub.graphql.precomputed import Precomputed

MAX_AGE = 1.0  # seconds an answer may be taken after it was worked out
WAIT = 2.0  # seconds a member waits for its leader before working the answer out alone
MAX_SLOTS = 20_000
PRUNE_EVERY = 256  # claims
CLAIMS = 3  # a member's claims on one event before it works the event out alone


@dataclass(frozen=True, slots=True)
class CohortKey:
    organisation_id: str
    roles: tuple[str, ...]
    purpose: str
    person: str | None  # the subject, where the policy reads it (a god man's relation)
    request: bytes  # digest of the operation, its fragments and its variables


def cohort_key(
    principal: Principal,
    operation: OperationDefinitionNode,
    fragments: dict[str, Any],
    variables: dict[str, Any],
) -> CohortKey:
    digest = hashlib.sha256(_text(operation, fragments).encode())
    digest.update(orjson.dumps(variables, option=orjson.OPT_SORT_KEYS, default=str))
    return CohortKey(
        organisation_id=principal.organisation_id,
        roles=tuple(sorted(r.value for r in principal.roles)),
        purpose=principal.purpose.value,
        person=principal.sub if Role.GUARDIAN in principal.roles else None,
        request=digest.digest(),  # 32 bytes kept, not the texts
    )


def _text(operation: OperationDefinitionNode, fragments: dict[str, Any]) -> str:
    """The operation and its fragments: as the client sent the document (with the
    operation's name, so one document's operations differ), or printed when it came
    from elsewhere. Printing a document leaves thousands of objects for the cyclic
    garbage collector to find, on every subscription."""
    if operation.loc is not None:
        name = operation.name.value if operation.name else ""
        return f"{operation.loc.source.body}\0{name}"
    return print_ast(operation) + "".join(print_ast(fragments[n]) for n in sorted(fragments))


@dataclass(slots=True)
class Answer:
    """One event's answer for a cohort: shown (a result), not shown, or left to each."""

    shown: bool
    result: Precomputed | None = None  # one for the cohort: its payload is encoded once
    disclosures: Shared | None = None  # adopted by every member, read only
    personal: frozenset[str] = frozenset()  # subjects whose emergency access is open here
    at: float = 0.0


@dataclass(slots=True)
class Slot:
    """One event for one cohort: its leader fills it."""

    clock: Callable[[], float]
    personal: frozenset[str] = frozenset()
    done: asyncio.Future[Answer | None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )

    def publish(self, result: Any, disclosures: Disclosures) -> None:
        if not self.done.done():
            answer = Precomputed(ExecutionResult(data=result.data, errors=result.errors))
            shared = Shared(disclosures)
            self.done.set_result(Answer(True, answer, shared, self.personal, self.clock()))

    def not_shown(self) -> None:
        if not self.done.done():
            self.done.set_result(Answer(False, personal=self.personal, at=self.clock()))

    def abandon(self) -> None:
        if not self.done.done():
            self.done.set_result(None)


class Cohorts:
    """The slots of one replica, by cohort and event."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._slots: dict[tuple[CohortKey, int], Slot] = {}
        self._claims = 0
        self.shared = 0  # deliveries that took a leader's answer

    def claim(self, key: CohortKey, event_id: int) -> tuple[Slot, bool]:
        """The event's slot for the cohort, and whether the caller leads it (fills it)."""
        found = self._slots.get((key, event_id))
        if found is not None and not self._stale(found):
            return found, False
        self._claims += 1
        if self._claims % PRUNE_EVERY == 0 or len(self._slots) >= MAX_SLOTS:
            self._prune()
        slot = Slot(clock=self._clock)
        self._slots[(key, event_id)] = slot
        return slot, True

    async def take(
        self, key: CohortKey, event_id: int, sub: str
    ) -> tuple[Slot | None, Answer | None]:
        """For one member and event: the cohort's answer to take, or the slot to fill (the
        member leads), or neither (it works the event out alone).

        An answer that went stale while the member waited for its turn (thousands of
        members resume one after another) is not taken: the member claims again, and
        leads a fresh working-out or joins one, instead of working it out alone.
        """
        for _ in range(CLAIMS):
            slot, leads = self.claim(key, event_id)
            if leads:
                return slot, None
            answer = await self._settled(slot)
            if answer is None or sub in answer.personal:
                return None, None
            if self._clock() - answer.at <= MAX_AGE:
                return None, answer
        return None, None

    async def _settled(self, slot: Slot) -> Answer | None:
        if slot.done.done():  # the usual case in a burst: no timer, no shield
            return slot.done.result()
        try:
            return await asyncio.wait_for(asyncio.shield(slot.done), WAIT)
        except TimeoutError:
            return None

    def _stale(self, slot: Slot) -> bool:
        if not slot.done.done():
            return False
        answer = slot.done.result()
        return answer is None or self._clock() - answer.at > MAX_AGE

    def _prune(self) -> None:
        for key, slot in list(self._slots.items()):
            if self._stale(slot):
                del self._slots[key]
        if len(self._slots) >= MAX_SLOTS:  # all fresh or pending: forget the oldest half
            for key in list(self._slots)[: MAX_SLOTS // 2]:
                del self._slots[key]
