"""A subscription event whose response was worked out already (for a cohort: see
`hub.events.cohorts`): the executor hands it back instead of executing the selection."""

from __future__ import annotations

from typing import Any, Protocol

from graphql import ExecutionResult
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from hub.audit.recorder import Disclosures


class Publisher(Protocol):
    """Where a cohort's leader leaves its answer for the rest of the cohort."""

    def publish(self, result: ExecutionResult, disclosures: Disclosures) -> None: ...

    def abandon(self) -> None: ...


class Precomputed:
    __slots__ = ("result",)

    def __init__(self, result: ExecutionResult) -> None:
        self.result = result


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
