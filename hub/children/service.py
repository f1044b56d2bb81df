"""Rules about children. No SQL, no GraphQL: repositories and the policy do the work."""

from __future__ import annotations

import uuid

from hub.audit.refusals import refuse_cursor
from hub.auth.principal import Principal
from hub.children import repository
from hub.children.models import Child, ChildFilter
from hub.db.paging import PageRequest
from hub.db.session import Session
from hub.policy.engine import Policy
from hub.policy.visible import Visible


async def visible_by_ids(
    db: Session, policy: Policy, principal: Principal, ids: list[uuid.UUID]
) -> dict[uuid.UUID, Visible[Child]]:
    found = await repository.by_ids(db, policy.scope(principal), ids)
    return {i: Visible(c, policy.view(principal, c.facts)) for i, c in found.items()}


async def page(
    db: Session, policy: Policy, principal: Principal, where: ChildFilter, request: PageRequest
) -> tuple[list[Visible[Child]], int]:
    scope = policy.scope(principal)
    if request.after is not None and not await repository.by_ids(db, scope, [request.after]):
        raise refuse_cursor("children")
    rows, total = await repository.page(db, scope, where, request)
    return [Visible(c, policy.view(principal, c.facts)) for c in rows], total


async def visible_one(
    db: Session, policy: Policy, principal: Principal, child_id: uuid.UUID | None
) -> Visible[Child] | None:
    """One child as the principal may see it; None when absent, hidden, or no id at all."""
    if child_id is None:
        return None
    return (await visible_by_ids(db, policy, principal, [child_id])).get(child_id)
