"""A subscription event whose response was worked out already (for a cohort: see
`hub.events.cohorts`): the executor hands it back instead of executing the selection, or
(`hub.graphql.frames`) its payload, encoded once, goes straight to each member's socket."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import orjson
from graphql import ExecutionResult, GraphQLError
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from hub.audit.recorder import Disclosures


class Publisher(Protocol):
    """Where a cohort's leader leaves its answer for the rest of the cohort."""

    def publish(self, result: ExecutionResult, disclosures: Disclosures) -> None: ...

    def abandon(self) -> None: ...


class Precomputed:
    """One cohort's answer to one event, shared by every member that takes it."""

    __slots__ = ("_payload", "result")

    def __init__(self, result: ExecutionResult) -> None:
        self.result = result
        self._payload: str | None = None

    def payload(self, coded: Callable[[GraphQLError], GraphQLError]) -> str:
        """The `next` message's payload as JSON text, as strawberry would write it (data,
        then errors each `coded`); encoded for the first member, reused by the rest."""
        if self._payload is None:
            body: dict[str, Any] = {"data": self.result.data}
            if self.result.errors:
                body["errors"] = [coded(e).formatted for e in self.result.errors]
            self._payload = orjson.dumps(body).decode()
        return self._payload


class _Ready:
    """What graphql-core runs for a precomputed event: its answer, no executor copied."""

    __slots__ = ("result",)

    def __init__(self, result: ExecutionResult) -> None:
        self.result = result

    def execute_operation(self, *_: Any) -> ExecutionResult:
        return self.result


class SharingExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor, except for an event that arrives `Precomputed`."""

    def build_per_event_executor(self, payload: Any) -> Any:
        if isinstance(payload, Precomputed):
            return _Ready(payload.result)
        return super().build_per_event_executor(payload)
