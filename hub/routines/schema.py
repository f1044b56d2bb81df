from __future__ import annotations

import strawberry

from hub.graphql.actions import mutation
from hub.graphql.context import Info
from hub.graphql.ids import parse_id
from hub.graphql.pagination import Connection, connection, page_request
from hub.policy.actions import Action
from hub.routines import service
from hub.routines.types import CompleteTaskInput, CompleteTaskPayload, TaskType


@strawberry.type
class TaskQuery:
    @strawberry.field(description="Your organisation's open tasks, soonest deadline first.")
    async def my_tasks(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        overdue_only: bool = False,
    ) -> Connection[TaskType]:
        ctx = info.context
        request = page_request(first, after)
        rows, total = await service.mine(ctx.actor, overdue_only, request)
        return connection(rows, request, total, node=TaskType.of, row_id=lambda t: t.id)


@strawberry.type
class TaskMutation:
    @mutation(
        Action.COMPLETE_TASK,
        "Mark one of your organisation's tasks done.",
    )
    async def complete_task(self, info: Info, input: CompleteTaskInput) -> CompleteTaskPayload:
        ctx = info.context
        task = await service.complete(ctx.actor, parse_id(input.task_id))
        return CompleteTaskPayload(task=TaskType.of(task))
