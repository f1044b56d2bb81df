"""Rules about emergency access: who may open what, with which reason, and its review.

The reason (kind, words, and the police's report number) is written into the grant and
into its chained audit row; the event that tells the network says only that access was
opened. Every grant waits for an auditor's verdict (emergencyAccessGrants lists them).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from hub.actor import Actor
from hub.audit.models import AuditKind
from hub.audit.refusals import refuse_cursor
from hub.cases import service as cases
from hub.db.paging import PageRequest
from hub.emergency import repository
from hub.emergency.models import Grant, Reason, Verdict
from hub.errors import Conflict, Forbidden, InvalidInput, NotFound
from hub.events import outbox
from hub.events.models import EventType, NewEvent
from hub.policy.actions import Action
from hub.policy.categories import DataCategory
from hub.validation import required_text, text

NO_CASE = "no case with this id"
NO_GRANT = "no emergency access grant with this id"
MIN_REASON = 10


def _reason(actor: Actor, reason: Reason) -> Reason:
    words = reason.text.strip()
    if len(words) < MIN_REASON:
        raise InvalidInput(
            f"state the reason in at least {MIN_REASON} characters; it is reviewed", field="reason"
        )
    reference = text(reason.reference, "reference", max_length=100, required=False)
    if reference is None and actor.policy.emergency_needs_reference(actor.principal):
        raise InvalidInput(
            "give the police report number (reference); the review checks it against the report",
            field="reference",
        )
    return Reason(reason.kind, required_text(words, "reason", max_length=2000), reference)


async def request(
    actor: Actor,
    *,
    case_id: uuid.UUID | None,
    category: DataCategory,
    reason: Reason,
    minutes: int,
) -> uuid.UUID:
    visible = await cases.visible_one(actor, case_id)
    if visible is None:
        raise NotFound(NO_CASE)
    actor.policy.authorize(actor.principal, Action.REQUEST_EMERGENCY_ACCESS, visible.row.facts)
    stated = _reason(actor, reason)
    if not actor.policy.emergency_opens(actor.principal, visible.row.facts, category):
        raise Forbidden(
            f"emergency access cannot open {category.value} of this case for your organisation"
        )
    grant_id = await repository.grant(
        actor.db,
        case_id=visible.row.id,
        organisation_id=actor.principal.organisation_id,
        sub=actor.principal.sub,
        category=category.value,
        reason=stated,
        minutes=minutes,
    )
    event = NewEvent.by(
        actor.principal,
        EventType.EMERGENCY_ACCESS,
        child_id=visible.row.child_id,
        case_id=visible.row.id,
        category=category.value,
    )
    # the event says that access was opened; the reason is for the chained audit row only
    await outbox.record(
        actor.db,
        [event],
        audit_details={
            "grantId": str(grant_id),
            "category": category.value,
            "reasonKind": stated.kind.value,
            "reason": stated.text,
            "reference": stated.reference,
        },
    )
    await actor.db.flush()
    return visible.row.id


async def grants(
    actor: Actor,
    *,
    unreviewed_only: bool,
    request: PageRequest,
) -> tuple[list[Grant], int]:
    """Grants an auditor may review: its organisation's and those on its children."""
    scope = actor.policy.audit_scope(actor.principal).organisation_id
    if request.after is not None and not await repository.in_scope(actor.db, scope, request.after):
        raise refuse_cursor("emergencyAccessGrants")
    actor.audit.record(
        AuditKind.AUDIT, "emergencyAccessGrants", details={"unreviewedOnly": unreviewed_only}
    )
    rows = await repository.page(actor.db, scope, unreviewed_only, request.after, request.limit)
    return rows, await repository.count(actor.db, scope, unreviewed_only)


async def review(
    actor: Actor,
    *,
    grant_id: uuid.UUID | None,
    verdict: Verdict,
    note: str | None,
) -> Grant:
    actor.policy.authorize_auditor(actor.principal, Action.REVIEW_EMERGENCY_ACCESS)
    scope = actor.policy.audit_scope(actor.principal).organisation_id
    found = await repository.by_id(actor.db, grant_id) if grant_id else None
    if found is None or not await repository.in_scope(actor.db, scope, found.id):
        raise NotFound(NO_GRANT)
    if (found.organisation_id, found.sub) == (actor.principal.organisation_id, actor.principal.sub):
        raise Forbidden("nobody reviews their own emergency access")
    words = text(note, "note", max_length=4000, required=verdict is Verdict.NOT_JUSTIFIED)
    by = (actor.principal.sub, actor.principal.organisation_id)
    if not await repository.review(actor.db, found.id, verdict, words, by):
        raise Conflict("this grant has been reviewed already")
    actor.audit.record(
        AuditKind.AUDIT,
        "reviewEmergencyAccess",
        child_id=found.child_id,
        case_ids=[found.case_id],
        details={"grantId": str(found.id), "verdict": verdict.value},
    )
    reviewed = await repository.by_id(actor.db, found.id)
    assert reviewed is not None
    return reviewed


async def open_for_me(actor: Actor, case_id: uuid.UUID) -> list[tuple[DataCategory, datetime]]:
    """What the caller's own emergency access holds open on a case they may see, and until
    when: for marking opened fields. Says nothing about anyone else's access."""
    rows = await repository.open_for(
        actor.db, case_id, actor.principal.organisation_id, actor.principal.sub
    )
    return [(DataCategory(category), until) for category, until in rows]


async def holders_in_my_organisation(actor: Actor, case_id: uuid.UUID) -> frozenset[str]:
    """Who in the caller's organisation sees this case through emergency access now: their
    view is their own (a cohort's shared delivery is not theirs)."""
    return await repository.holders(actor.db, case_id, actor.principal.organisation_id)
