from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from hub.events.models import CaseEvent, EventType
from hub.events.repository import Notification
from hub.events.service import AcknowledgementState
from hub.graphql.categories import ORGANISATIONS, bounded
from hub.graphql.context import Info
from hub.organisations.types import OrganisationType, PersonType

if TYPE_CHECKING:
    from hub.cases.types import CaseType

EventTypeType = strawberry.enum(EventType, name="CaseEventType")


@strawberry.type(name="CaseEvent", description="Something that happened in a case.")
class CaseEventType:
    cursor: str
    type: EventTypeType  # type: ignore[valid-type]
    occurred_at: datetime
    row: strawberry.Private[CaseEvent]
    # a subscription delivers the case it has just authorized, so it is not read twice
    known_case: strawberry.Private[object] = None

    reason: str | None = strawberry.field(description="Why, as the one who acted said.")
    needs_acknowledgement: bool = strawberry.field(
        description="Whether partners acknowledge this event (policies/routines.yaml)."
    )

    @strawberry.field(
        description="Whether your organisation has acknowledged this event (false for one "
        "that needs no acknowledgement): the console offers to acknowledge the rest."
    )
    async def acknowledged_by_your_organisation(self, info: Info) -> bool:
        if not self.needs_acknowledgement:
            return False
        acknowledged: bool = await info.context.load.acknowledged.load(self.row.id)
        return acknowledged

    @strawberry.field(description="Who acted: name and role from the token; null for the hub.")
    async def by(self, info: Info) -> PersonType | None:
        if self.row.by.organisation_id is None:
            return None
        return await PersonType.named(info, self.row.by)

    @strawberry.field(description="The organisation that acted; null for the hub's scheduler.")
    async def actor(self, info: Info) -> OrganisationType | None:
        if self.row.actor_organisation_id is None:
            return None
        org = await info.context.registry.get(self.row.actor_organisation_id)
        return OrganisationType.of(org) if org else None

    @strawberry.field(description="The case, as the caller may see it now.")
    async def case(
        self, info: Info
    ) -> Annotated[CaseType, strawberry.lazy("hub.cases.types")] | None:
        from hub.cases.types import CaseType

        if self.known_case is not None:
            return self.known_case  # type: ignore[return-value]
        if self.row.case_id is None:
            return None
        found = await info.context.load.case.load(self.row.case_id)
        return CaseType.of(found) if found else None

    @classmethod
    def of(
        cls, event: CaseEvent, acknowledged: frozenset[str], case: object = None
    ) -> CaseEventType:
        """`acknowledged`: the event types partners acknowledge (`Routines.acknowledge`)."""
        return cls(
            cursor=str(event.id),
            type=event.type,
            occurred_at=event.occurred_at,
            reason=event.reason,
            needs_acknowledgement=event.type.value in acknowledged,
            row=event,
            known_case=case,
        )


@strawberry.type
class Acknowledged:
    organisation: OrganisationType
    at: datetime


@strawberry.type(description="Who has acknowledged one event, and who has not yet.")
class AcknowledgementStatus:
    event: CaseEventType
    acknowledged: list[Acknowledged] = bounded(ORGANISATIONS)
    pending: list[OrganisationType] = bounded(ORGANISATIONS)

    @classmethod
    def of(cls, state: AcknowledgementState) -> AcknowledgementStatus:
        return cls(
            event=CaseEventType.of(state.event, frozenset({state.event.type.value})),
            acknowledged=[
                Acknowledged(organisation=OrganisationType.of(o), at=at)
                for o, at in state.acknowledged
            ],
            pending=[OrganisationType.of(o) for o in state.pending],
        )


_SAYS = {
    EventType.TASK_DUE: "En uppgift närmar sig sin tidsgräns",
    EventType.TASK_OVERDUE: "En uppgift har passerat sin tidsgräns",
    EventType.TASK_ESCALATED: "En uppgift har eskalerats till er",
    EventType.TRANSFER_REQUESTED: "En annan kommun ber er ta över ansvaret för ett barn",
    EventType.CONTACT_REPORTED: "Någon har mött ett barn ni ansvarar för",
}


@strawberry.type(
    name="Notification", description="Something you (or your organisation) must act on."
)
class NotificationType:
    id: strawberry.ID
    kind: EventTypeType  # type: ignore[valid-type]
    text: str = strawberry.field(description="What happened, in Swedish, without names.")
    created_at: datetime
    read: bool
    row: strawberry.Private[Notification]

    @strawberry.field(description="The case, as far as you may see it.")
    async def case(
        self, info: Info
    ) -> Annotated[CaseType, strawberry.lazy("hub.cases.types")] | None:
        from hub.cases.types import CaseType

        if self.row.case_id is None:
            return None
        found = await info.context.load.case.load(self.row.case_id)
        return CaseType.of(found) if found else None

    @classmethod
    def of(cls, n: Notification) -> NotificationType:
        return cls(
            id=strawberry.ID(str(n.id)),
            kind=n.kind,
            text=_SAYS.get(n.kind, n.kind.value),
            created_at=n.created_at,
            read=n.read,
            row=n,
        )


@strawberry.type(description="Your inbox, newest first.")
class Inbox:
    unread: int
    notifications: list[NotificationType] = bounded(100)


@strawberry.input
class MarkNotificationsReadInput:
    ids: list[strawberry.ID]


@strawberry.type
class MarkNotificationsReadPayload:
    inbox: Inbox
