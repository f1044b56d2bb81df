"""Handovers through the service, on PostgreSQL: who may answer a transfer, what a
declined one leaves, and that reading transfers is recorded."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from hub.children import handover
from hub.children.models import TransferStatus
from hub.demo.seed import _id
from hub.errors import Conflict, InvalidInput, NotFound
from tests.services import Services

CHILD = _id("child", 10)  # Stockholm's


async def _requested(services: Services) -> uuid.UUID:
    async with services.acting("stockholm") as stockholm:
        transfer = await handover.request_transfer(stockholm, CHILD, "nacka", "flyttar")
    return transfer.id


async def test_only_the_municipality_asked_may_answer_a_transfer(services: Services) -> None:
    transfer_id = await _requested(services)
    with pytest.raises(NotFound):
        async with services.acting("sigtuna") as other:
            await handover.accept_transfer(other, transfer_id)
    with pytest.raises(Conflict):
        async with services.acting("stockholm") as again:
            await handover.request_transfer(again, CHILD, "sodertalje", "en till")


async def test_a_declined_transfer_leaves_the_child_where_it_was(
    services: Services, db: asyncpg.Connection
) -> None:
    transfer_id = await _requested(services)
    with pytest.raises(InvalidInput):
        async with services.acting("nacka") as nacka:
            await handover.decline_transfer(nacka, transfer_id, "")
    async with services.acting("nacka") as nacka:
        declined = await handover.decline_transfer(nacka, transfer_id, "ingen plats")
    assert declined.status is TransferStatus.DECLINED
    assert declined.decline_reason == "ingen plats"
    holder = await db.fetchval(
        "SELECT responsible_municipality_id FROM children WHERE id = $1", CHILD
    )
    assert holder == "stockholm"


async def test_reading_transfers_is_recorded_per_child(
    services: Services, db: asyncpg.Connection
) -> None:
    await _requested(services)
    async with services.acting("nacka") as nacka:
        found = await handover.transfers(nacka, pending_only=True)
    assert [t.child_id for t in found] == [CHILD]
    row = await db.fetchrow(
        "SELECT kind, action, child_id FROM audit_log WHERE organisation_id = 'nacka' "
        "ORDER BY seq DESC LIMIT 1"
    )
    assert row is not None
    assert dict(row) == {"kind": "READ", "action": "transfers", "child_id": CHILD}
    async with services.acting("polisen-stockholm", "officer") as police:
        assert await handover.transfers(police, pending_only=False) == []
