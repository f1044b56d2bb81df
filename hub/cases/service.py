"""Rules about cases. No SQL, no GraphQL: repositories and the policy do the work."""

from __future__ import annotations

import uuid

from hub.audit.refusals import refuse_cursor
from hub.auth.principal import Principal
from hub.cases import repository
from hub.cases.models import Case, CaseFilter, Sighting
from hub.db.paging import PageRequest
from hub.db.session import Session
from hub.policy.categories import DataCategory
from hub.policy.engine import Policy
from hub.policy.scope import RowScope
from hub.policy.visible import Visible


def _scope(policy: Policy, principal: Principal) -> RowScope:
    """A case shows only where its CASE_STATUS may be read (a consent that covers only
    the description shows the child, never that a case exists)."""
    return policy.scope(principal).for_category(DataCategory.CASE_STATUS)


def _visible(policy: Policy, principal: Principal, case: Case) -> Visible[Case]:
    return Visible(case, policy.view(principal, case.facts))


async def visible_by_ids(
    db: Session, policy: Policy, principal: Principal, ids: list[uuid.UUID]
) -> dict[uuid.UUID, Visible[Case]]:
    found = await repository.by_ids(db, _scope(policy, principal), ids)
    return {i: _visible(policy, principal, c) for i, c in found.items()}


async def visible_by_children(
    db: Session, policy: Policy, principal: Principal, child_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Visible[Case]]]:
    found = await repository.by_children(db, _scope(policy, principal), child_ids)
    return {i: [_visible(policy, principal, c) for c in cs] for i, cs in found.items()}


async def page(
    db: Session, policy: Policy, principal: Principal, where: CaseFilter, request: PageRequest
) -> tuple[list[Visible[Case]], int]:
    scope = _scope(policy, principal)
    if request.after is not None and not await repository.by_ids(db, scope, [request.after]):
        raise refuse_cursor("cases")
    rows, total = await repository.page(db, scope, where, request)
    return [_visible(policy, principal, c) for c in rows], total


async def sightings(db: Session, case_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Sighting]]:
    """Sightings of cases the caller already holds as visible."""
    return await repository.sightings_by_cases(db, case_ids)


async def visible_one(
    db: Session, policy: Policy, principal: Principal, case_id: uuid.UUID | None
) -> Visible[Case] | None:
    """One case as the principal may see it; None when absent, hidden, or no id at all."""
    if case_id is None:
        return None
    return (await visible_by_ids(db, policy, principal, [case_id])).get(case_id)
