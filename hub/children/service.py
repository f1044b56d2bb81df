"""Children: the reads (what the actor may see) and the commands: register, describe
(signalement and photo), assess risk. No SQL (the repositories), no GraphQL (the schema).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from hub.actor import Actor
from hub.audit import repository as audit_repository
from hub.audit.models import AccessSummary, AuditKind
from hub.audit.refusals import refuse_cursor
from hub.children import history_repository as history
from hub.children import images, repository, search_repository
from hub.children.history_repository import DescriptionVersion
from hub.children.models import (
    Child,
    ChildFilter,
    NewChild,
    Placement,
    RiskAssessment,
    RiskLevel,
)
from hub.children.repository import Photo
from hub.children.search import NAME_SIMILARITY, name_words
from hub.db.paging import PageRequest
from hub.errors import Conflict, InvalidInput, NotFound
from hub.events import outbox as events
from hub.events.models import EventType, NewEvent, Person
from hub.organisations.models import OrganisationKind
from hub.policy.actions import Action
from hub.policy.categories import DataCategory
from hub.policy.facts import RowFacts
from hub.policy.visible import Visible
from hub.routines import service as routines
from hub.routines.models import Trigger
from hub.validation import birth_date, items, required_text, text


def _visible(actor: Actor, child: Child) -> Visible[Child]:
    return Visible(child, actor.policy.view(actor.principal, child.facts))


async def visible_by_ids(actor: Actor, ids: list[uuid.UUID]) -> dict[uuid.UUID, Visible[Child]]:
    found = await repository.by_ids(actor.db, actor.policy.scope(actor.principal), ids)
    return {i: _visible(actor, c) for i, c in found.items()}


async def page(
    actor: Actor, where: ChildFilter, request: PageRequest
) -> tuple[list[Visible[Child]], int]:
    db, scope = actor.db, actor.policy.scope(actor.principal)
    if request.after is not None and not await repository.by_ids(db, scope, [request.after]):
        raise refuse_cursor("children")
    rows, total = await repository.page(db, scope, where, request)
    return [_visible(actor, c) for c in rows], total


async def visible_one(actor: Actor, child_id: uuid.UUID | None) -> Visible[Child] | None:
    """One child as the actor may see it; None when absent, hidden, or no id at all."""
    if child_id is None:
        return None
    return (await visible_by_ids(actor, [child_id])).get(child_id)


async def description_history(
    actor: Actor, child_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[DescriptionVersion]]:
    """Earlier descriptions of children the actor already holds as visible."""
    return await history.by_children(actor.db, child_ids)


async def risk_assessments(
    actor: Actor, child_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[RiskAssessment]]:
    """Of children the actor already holds as visible; newest first."""
    return await history.risk_assessments(actor.db, child_ids)


async def placements(actor: Actor, child_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Placement]]:
    """Of children the actor already holds as visible; newest first."""
    return await history.placements(actor.db, child_ids)


def _event(
    actor: Actor, kind: EventType, child_id: uuid.UUID, reason: str | None = None, **payload: object
) -> NewEvent:
    return NewEvent.by(
        actor.principal, kind, child_id=child_id, case_id=None, reason=reason, **payload
    )


NO_CHILD = "no child with this id"
MAX_PHOTO = 2 * 1024 * 1024
_MAGIC = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/webp": (b"RIFF",),
}


async def _organisation(actor: Actor, org_id: str, kind: OrganisationKind, field: str) -> str:
    org = await actor.registry.get(org_id)
    if org is None or org.kind is not kind:
        raise InvalidInput(f"{field} names no {kind.value.lower().replace('_', ' ')}", field=field)
    return org.id


async def _refuse_duplicate_dossier(actor: Actor, dossier: str) -> None:
    """CONFLICT when the dossier number is registered: naming the child when the caller
    may see it; else saying nothing of whose it is, and recording the probe."""
    existing = await repository.with_dossier(actor.db, dossier)
    if existing is None:
        return
    if await visible_one(actor, existing):
        raise Conflict(
            "a child with this dossier number is already registered", childId=str(existing)
        )
    actor.audit.record(
        AuditKind.DENIED,
        "registerChild",
        child_id=existing,
        details={"code": "DOSSIER_NUMBER_TAKEN"},
    )
    raise Conflict(
        "this dossier number is already registered for a child you may not see; "
        "ask Migrationsverket which municipality is responsible"
    )


async def _refuse_probable_duplicate(actor: Actor, r: NewChild) -> None:
    """CONFLICT when a child of the same birth date has names that match however they are
    spelled: naming the candidates the caller may see; where it may see none, saying only
    that one exists (and recording the probe). `confirmNotDuplicate` overrides it."""
    try:
        given = name_words(r.given_name, "givenName")
        family = name_words(r.family_name, "familyName")
    except InvalidInput:
        return  # the names are checked (and refused) as names below
    found = await search_repository.lookup(
        actor.db,
        given=given,
        family=family,
        birth_date=r.birth_date,
        birth_year=None,
        dossier_number=None,
        similarity=NAME_SIMILARITY,
        limit=5,
    )
    if not found:
        return
    visible = await visible_by_ids(actor, [f.child_id for f in found])
    if visible:
        raise Conflict(
            "a child with a similar name and the same birth date is already registered; "
            "if this is another child, register again with confirmNotDuplicate: true",
            candidates=sorted(str(i) for i in visible),
        )
    actor.audit.record(
        AuditKind.DENIED,
        "registerChild",
        child_id=found[0].child_id,
        details={"code": "PROBABLE_DUPLICATE"},
    )
    raise Conflict(
        "a child with a similar name and the same birth date is registered with another "
        "municipality; ask Migrationsverket, or confirm with confirmNotDuplicate: true"
    )


async def register(actor: Actor, r: NewChild, *, confirm_not_duplicate: bool = False) -> uuid.UUID:
    municipality = await _organisation(
        actor,
        r.responsible_municipality_id,
        OrganisationKind.MUNICIPALITY,
        "responsibleMunicipalityId",
    )
    residence = (
        await _organisation(actor, r.residence_id, OrganisationKind.RESIDENCE, "residenceId")
        if r.residence_id
        else None
    )
    guardian = text(r.guardian_sub, "guardianSub", max_length=200, required=False)
    facts = RowFacts(municipality, residence, guardian, "NONE")
    actor.policy.authorize(actor.principal, Action.REGISTER_CHILD, facts)
    dossier = text(r.dossier_number, "dossierNumber", max_length=30, required=False)
    if dossier is not None:
        await _refuse_duplicate_dossier(actor, dossier)
    if not confirm_not_duplicate:
        await _refuse_probable_duplicate(actor, r)
    child_id = await repository.register(
        actor.db,
        NewChild(
            given_name=required_text(r.given_name, "givenName", max_length=100),
            family_name=required_text(r.family_name, "familyName", max_length=100),
            birth_date=birth_date(r.birth_date),
            sex=r.sex,
            nationality=required_text(r.nationality, "nationality", max_length=60),
            languages=items(r.languages, "languages", max_items=10, max_length=40),
            dossier_number=dossier,
            responsible_municipality_id=municipality,
            residence_id=residence,
            placement_address=text(
                r.placement_address, "placementAddress", max_length=300, required=False
            ),
            guardian_sub=guardian,
        ),
    )
    await events.record(actor.db, [_event(actor, EventType.CHILD_REGISTERED, child_id)])
    await routines.start(
        actor.db,
        actor.routines,
        Trigger.CHILD_REGISTERED,
        child_id=child_id,
        case_id=None,
        facts=facts,
        at=datetime.now(UTC),
        principal=actor.principal,
    )
    return child_id


async def _visible_child(actor: Actor, child_id: uuid.UUID | None, action: Action) -> Child:
    visible = await visible_one(actor, child_id)
    if visible is None:
        raise NotFound(NO_CHILD)
    actor.policy.authorize(actor.principal, action, visible.row.facts)
    return visible.row


def _photo_bytes(content_type: str, data_base64: str) -> bytes:
    if content_type not in _MAGIC:
        raise InvalidInput(
            f"photo type must be one of {', '.join(_MAGIC)}", field="photo.contentType"
        )
    if len(data_base64) > MAX_PHOTO * 4 // 3 + 4:
        raise InvalidInput("the photo is larger than 2 MB", field="photo.data")
    try:
        data = base64.b64decode(data_base64, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("photo.data is not base64", field="photo.data") from None
    if len(data) > MAX_PHOTO:
        raise InvalidInput("the photo is larger than 2 MB", field="photo.data")
    if not data.startswith(_MAGIC[content_type]) or (
        content_type == "image/webp" and data[8:12] != b"WEBP"
    ):
        raise InvalidInput(f"the photo's bytes are not {content_type}", field="photo.data")
    return data


async def _clean_photo(content_type: str, data_base64: str) -> bytes:
    """Checked, then decoded and encoded anew (off the event loop: it takes a while)."""
    data = _photo_bytes(content_type, data_base64)
    return await asyncio.to_thread(images.reencode, content_type, data)


def _photo_url(value: str | None) -> str | None:
    url = text(value, "photoUrl", max_length=2000, required=False)
    if url is not None and not url.startswith(("https://", "http://", "/photos/")):
        raise InvalidInput("photoUrl must be an http(s) address", field="photoUrl")
    return url


_DESCRIPTION_TEXT = ("build", "hair", "eyes", "marks", "clothing")


async def update_description(
    actor: Actor,
    child_id: uuid.UUID | None,
    changes: Mapping[str, object],
    photo: tuple[str, str] | None = None,
) -> uuid.UUID:
    """Change the fields named in `changes` (a None value clears one) and keep the
    description they replace as history; a photo alone changes only the photo."""
    child = await _visible_child(actor, child_id, Action.UPDATE_DESCRIPTION)
    cleaned: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "height_cm":
            if value is not None and not (isinstance(value, int) and 50 <= value <= 250):
                raise InvalidInput("heightCm must be between 50 and 250", field="heightCm")
            cleaned[name] = value
        elif name == "photo_url":
            cleaned[name] = _photo_url(value if isinstance(value, str) else None)
        elif name in _DESCRIPTION_TEXT:
            text_value = value if isinstance(value, str) else None
            cleaned[name] = text(text_value, name, max_length=500, required=False)
        else:
            raise ValueError(f"not a field of the description: {name}")
    if photo is not None:
        clean = await _clean_photo(*photo)
        photo_id = await repository.add_photo(actor.db, child.id, photo[0], clean)
        cleaned["photo_url"] = f"/photos/{photo_id}"
    if not cleaned:
        raise InvalidInput("name at least one field of the description to change", field="input")
    previous = await repository.lock_description(actor.db, child.id)
    await history.keep(actor.db, child.id, previous, actor.principal.organisation_id)
    await repository.update_description(actor.db, child.id, replace(previous, **cleaned))
    await events.record(actor.db, [_event(actor, EventType.DESCRIPTION_UPDATED, child.id)])
    return child.id


async def record_risk(
    actor: Actor,
    child_id: uuid.UUID | None,
    level: RiskLevel,
    indicators: list[str],
    assessment: str | None,
) -> uuid.UUID:
    child = await _visible_child(actor, child_id, Action.RECORD_RISK_ASSESSMENT)
    signs = items(indicators, "indicators", max_items=30, max_length=200)
    await repository.record_risk(
        actor.db,
        child.id,
        level,
        signs,
        text(assessment, "assessment", max_length=10_000, required=False),
        (actor.principal.sub, Person.of(actor.principal)),
    )
    await events.record(
        actor.db, [_event(actor, EventType.RISK_ASSESSED, child.id, riskLevel=level.value)]
    )
    if level is not RiskLevel.LOW:
        await routines.start(
            actor.db,
            actor.routines,
            Trigger.RISK_SIGNS,
            child_id=child.id,
            case_id=None,
            facts=child.facts,
            at=datetime.now(UTC),
            principal=actor.principal,
        )
    return child.id


async def photo(actor: Actor, photo_id: uuid.UUID) -> Visible[Photo] | None:
    """The photo, if its child is visible and its description may be shown; else None."""
    found = await repository.get_photo(actor.db, photo_id)
    if found is None:
        return None
    visible = await visible_one(actor, found.child_id)
    if visible is None or not visible.view.allows(DataCategory.DESCRIPTION):
        return None
    return Visible(found, visible.view)


async def ward_access_report(actor: Actor, child_id: uuid.UUID) -> list[AccessSummary]:
    """Who read the child's data: for its god man and its responsible municipality, as
    for an auditor but without person names (NPÖ's patient log, for the ward)."""
    visible = await visible_one(actor, child_id)
    if visible is None:
        raise NotFound(NO_CHILD)
    actor.policy.authorize(actor.principal, Action.ACCESS_REPORT, visible.row.facts)
    actor.audit.record(AuditKind.READ, "accessReport", child_id=child_id)
    found = await audit_repository.access_report(actor.db, child_id, None)
    return [replace(s, sub=None) for s in found]
