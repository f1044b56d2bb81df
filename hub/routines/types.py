from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from hub.graphql.context import Info
from hub.organisations.types import OrganisationType
from hub.routines.models import Task, TaskStatus

if TYPE_CHECKING:
    from hub.cases.types import CaseType
    from hub.children.types import ChildType

TaskStatusType = strawberry.enum(TaskStatus, name="TaskStatus")


@strawberry.type(name="Task", description="A task of the county plan's routines, with a deadline.")
class TaskType:
    id: strawberry.ID
    title: str
    routine: str = strawberry.field(description="The routine's key in policies/routines.yaml.")
    status: TaskStatusType  # type: ignore[valid-type]
    due_at: datetime
    overdue: bool
    completed_at: datetime | None
    closed_reason: str | None = strawberry.field(
        description="Why the task closed as NOT_NEEDED (a state change made it moot)."
    )
    row: strawberry.Private[Task]

    @strawberry.field(description="The organisation that must do it.")
    async def responsible(self, info: Info) -> OrganisationType | None:
        org = await info.context.registry.get(self.row.responsible_organisation_id)
        return OrganisationType.of(org) if org else None

    @strawberry.field(description="A person's own task (the god man's): for them alone.")
    def personal(self) -> bool:
        return self.row.responsible_sub is not None

    @strawberry.field(description="The child, as far as the caller may see it.")
    async def child(
        self, info: Info
    ) -> Annotated[ChildType, strawberry.lazy("hub.children.types")] | None:
        from hub.children.types import ChildType

        return ChildType.of_found(await info.context.load.child.load(self.row.child_id))

    @strawberry.field(description="The case, as far as the caller may see it.")
    async def case(
        self, info: Info
    ) -> Annotated[CaseType, strawberry.lazy("hub.cases.types")] | None:
        from hub.cases.types import CaseType

        if self.row.case_id is None:
            return None
        found = await info.context.load.case.load(self.row.case_id)
        return CaseType.of(found) if found else None

    @classmethod
    def of(cls, task: Task) -> TaskType:
        return cls(
            id=strawberry.ID(str(task.id)),
            title=task.title,
            routine=task.routine,
            status=task.status,
            due_at=task.due_at,
            overdue=task.overdue(datetime.now(UTC)),
            completed_at=task.completed_at,
            closed_reason=task.closed_reason,
            row=task,
        )


@strawberry.input
class CompleteTaskInput:
    task_id: strawberry.ID


@strawberry.type
class CompleteTaskPayload:
    task: TaskType
