"""Handovers as mutations (moveChild, requestTransfer, acceptTransfer, declineTransfer,
appointGuardian) and the `transfers` query, with their inputs and payloads."""

from __future__ import annotations

from datetime import datetime

import strawberry

from hub.children import handover
from hub.children.handover_types import TransferType
from hub.children.schema import child_after
from hub.children.types import ChildPayload
from hub.graphql.actions import mutation
from hub.graphql.categories import bounded
from hub.graphql.context import Info
from hub.graphql.ids import parse_id
from hub.policy.actions import Action


@strawberry.input
class MoveChildInput:
    child_id: strawberry.ID
    residence_id: strawberry.ID | None = None
    placement_address: str | None = None
    moved_at: datetime = strawberry.field(description="When the new placement began.")


@strawberry.input
class RequestTransferInput:
    child_id: strawberry.ID
    to_municipality_id: strawberry.ID
    reason: str


@strawberry.input
class AcceptTransferInput:
    transfer_id: strawberry.ID


@strawberry.input
class DeclineTransferInput:
    transfer_id: strawberry.ID
    reason: str


@strawberry.input
class AppointGuardianInput:
    child_id: strawberry.ID
    guardian_sub: str = strawberry.field(description="The god man's subject in their token.")
    guardian_name: str | None = None


@strawberry.type
class MoveChildPayload(ChildPayload):
    pass


@strawberry.type
class AppointGuardianPayload(ChildPayload):
    pass


@strawberry.type(description="The transfer after the change.")
class TransferPayload:
    transfer: TransferType


@strawberry.type
class HandoverQuery:
    @bounded(
        handover.MAX_TRANSFERS,
        "Transfers from or to your municipality, newest first: a request reaches the "
        "receiving municipality before it may see the child.",
    )
    async def transfers(self, info: Info, pending_only: bool = False) -> list[TransferType]:
        found = await handover.transfers(info.context.actor, pending_only)
        return [TransferType.of(t) for t in found]


@strawberry.type
class HandoverMutation:
    @mutation(Action.MOVE_CHILD, "Social services place the child anew (placement history).")
    async def move_child(self, info: Info, input: MoveChildInput) -> MoveChildPayload:
        child_id = await handover.move_child(
            info.context.actor,
            parse_id(input.child_id),
            str(input.residence_id) if input.residence_id else None,
            input.placement_address,
            input.moved_at,
        )
        return MoveChildPayload(child=await child_after(info, child_id))

    @mutation(
        Action.REQUEST_TRANSFER,
        "The responsible municipality asks another to take responsibility for the child.",
    )
    async def request_transfer(self, info: Info, input: RequestTransferInput) -> TransferPayload:
        transfer = await handover.request_transfer(
            info.context.actor,
            parse_id(input.child_id),
            str(input.to_municipality_id),
            input.reason,
        )
        return TransferPayload(transfer=TransferType.of(transfer))

    @mutation(
        Action.ACCEPT_TRANSFER,
        "The receiving municipality accepts: from now the sharing follows it.",
    )
    async def accept_transfer(self, info: Info, input: AcceptTransferInput) -> TransferPayload:
        transfer = await handover.accept_transfer(info.context.actor, parse_id(input.transfer_id))
        return TransferPayload(transfer=TransferType.of(transfer))

    @mutation(Action.DECLINE_TRANSFER, "The receiving municipality declines, saying why.")
    async def decline_transfer(self, info: Info, input: DeclineTransferInput) -> TransferPayload:
        transfer = await handover.decline_transfer(
            info.context.actor, parse_id(input.transfer_id), input.reason
        )
        return TransferPayload(transfer=TransferType.of(transfer))

    @mutation(Action.APPOINT_GUARDIAN, "A new god man for the child.")
    async def appoint_guardian(
        self, info: Info, input: AppointGuardianInput
    ) -> AppointGuardianPayload:
        child_id = await handover.appoint_guardian(
            info.context.actor, parse_id(input.child_id), input.guardian_sub, input.guardian_name
        )
        return AppointGuardianPayload(child=await child_after(info, child_id))
