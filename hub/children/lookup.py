"""Meeting a child you may not see: the outreach lookup and the contact report.

An outreach worker at Sergels torg, an NGO, the police or another municipality gives what
the child says (names, birth date or year) or the dossier number, and why it asks. The
answer names no child: for each match (at most five) the responsible municipality and its
on-call contact points, an opaque ref (the asker's own, for a day), the facts that matched,
and whether the child is reported missing where policies/lookup.csv gives the asker's kind
a basis for it. Every lookup is audited as LOOKUP with the reason, each person may look up
only so often, and a burst or a run of misses is refused and flagged for review.

With the ref, `report_contact` records the meeting for the responsible municipality (and,
on the open case, for the police while the child is missing) without showing the case.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from hub.actor import Actor
from hub.audit.models import AuditFlag, AuditKind
from hub.cases import repository as cases
from hub.cases.models import SightingKind
from hub.cases.repository import NewSighting
from hub.children import lookup_repository as repository
from hub.children import repository as children
from hub.children import search_repository
from hub.children.lookup_repository import ContactReport, NewContact
from hub.children.search import NAME_SIMILARITY, name_words
from hub.errors import InvalidInput, RateLimited
from hub.events import outbox as events
from hub.events.models import EventType, NewEvent, Person
from hub.organisations import service as organisations
from hub.organisations.models import ContactPoint, Organisation
from hub.policy.actions import Action
from hub.policy.facts import RowFacts
from hub.policy.states import MISSING
from hub.routines import service as routines
from hub.routines.models import Trigger
from hub.validation import past, phone, required_text, text

MAX_MATCHES = 5
REF_TTL = timedelta(hours=24)
WINDOW = timedelta(minutes=10)
MAX_LOOKUPS = 10  # per person in WINDOW
MAX_MISSES = 5  # lookups that matched nobody, per person in WINDOW: guessing
MIN_REASON = 10
_UNKNOWN_REF = "unknown or expired ref: look the child up again"


@dataclass(frozen=True, slots=True)
class LookupFacts:
    """What the asker knows of the child, and why it asks."""

    reason: str
    given_name: str | None = None
    family_name: str | None = None
    birth_date: date | None = None
    birth_year: int | None = None
    dossier_number: str | None = None


@dataclass(frozen=True, slots=True)
class Match:
    ref: str
    matched_on: list[str]
    reported_missing: bool | None  # None: the asker's kind has no basis to learn it
    responsible_municipality: Organisation
    on_call: list[ContactPoint]


def _checked(facts: LookupFacts) -> tuple[tuple[str, ...], tuple[str, ...], list[str]]:
    """The name words, and which facts were given; refuses too few to identify a child."""
    given = name_words(facts.given_name, "givenName") if facts.given_name else ()
    family = name_words(facts.family_name, "familyName") if facts.family_name else ()
    if facts.birth_date is not None and facts.birth_year is not None:
        raise InvalidInput("give birthDate or birthYear, not both", field="birthYear")
    if facts.birth_date is not None and facts.birth_date > datetime.now(UTC).date():
        raise InvalidInput("birthDate is in the future", field="birthDate")
    this_year = datetime.now(UTC).year
    if facts.birth_year is not None and not this_year - 25 <= facts.birth_year <= this_year:
        raise InvalidInput("birthYear is not a child's", field="birthYear")
    if facts.dossier_number is not None and not facts.dossier_number.strip().isdigit():
        raise InvalidInput("dossierNumber is digits only", field="dossierNumber")
    given_facts = [
        name
        for name, value in (
            ("givenName", given),
            ("familyName", family),
            ("birthDate", facts.birth_date),
            ("birthYear", facts.birth_year),
        )
        if value
    ]
    if facts.dossier_number is None and len(given_facts) < 2:
        raise InvalidInput(
            "give at least two of givenName, familyName and birthDate or birthYear, or the "
            "dossier number: one fact would point at too many children",
            field="input",
        )
    return given, family, [*given_facts, *(["dossierNumber"] if facts.dossier_number else [])]


@contextmanager
def _refusals_recorded(actor: Actor, action: str) -> Iterator[None]:
    """Bad input to a lookup is audited too (it may be a probe), naming the field only."""
    try:
        yield
    except InvalidInput as refused:
        details = {"code": refused.code, "field": refused.extensions.get("field")}
        actor.audit.record(AuditKind.DENIED, action, details=details)
        raise


async def _guard(actor: Actor, reason: str) -> None:
    """RATE_LIMITED for a burst or a run of misses, flagged for an auditor's review."""
    by = (actor.principal.organisation_id, actor.principal.sub)
    recent = await repository.recent(actor.db, by, WINDOW)
    if recent.lookups < MAX_LOOKUPS and recent.misses < MAX_MISSES:
        return
    actor.audit.record(
        AuditKind.DENIED,
        "lookupChild",
        flags=[AuditFlag.ENUMERATION],
        details={
            "code": RateLimited.code,
            "reason": reason,
            "lookups": recent.lookups,
            "misses": recent.misses,
        },
    )
    raise RateLimited(
        f"you have looked up {recent.lookups} children ({recent.misses} without a match) in "
        f"the last {WINDOW.seconds // 60} minutes; this is reviewed. Call the responsible "
        "municipality's socialjour instead",
        retryAfter=WINDOW.seconds,
    )


async def _on_call(actor: Actor, municipality_ids: set[str]) -> dict[str, list[ContactPoint]]:
    points = await organisations.contact_points(actor, sorted(municipality_ids))
    return {m: [p for p in ps if p.on_call] or ps for m, ps in points.items()}


async def lookup(actor: Actor, facts: LookupFacts) -> list[Match]:
    rule = actor.policy.lookup_rule(actor.principal, Action.LOOKUP_CHILD)
    with _refusals_recorded(actor, "lookupChild"):
        reason = required_text(facts.reason, "reason", max_length=1000)
        if len(reason) < MIN_REASON:
            raise InvalidInput("say why you look the child up, in a sentence", field="reason")
        given, family, matched_on = _checked(facts)
    await _guard(actor, reason)
    found = await search_repository.lookup(
        actor.db,
        given=given,
        family=family,
        birth_date=facts.birth_date,
        birth_year=facts.birth_year,
        dossier_number=facts.dossier_number.strip() if facts.dossier_number else None,
        similarity=NAME_SIMILARITY,
        limit=MAX_MATCHES,
    )
    by = (actor.principal.organisation_id, actor.principal.sub)
    await repository.log_lookup(actor.db, by, len(found))
    details = {"reason": reason, "matchedOn": matched_on, "basis": rule.basis}
    if not found:
        actor.audit.record(AuditKind.LOOKUP, "lookupChild", details={**details, "matches": 0})
    on_call = await _on_call(actor, {f.responsible_municipality_id for f in found})
    matches = []
    for child in found:
        ref = secrets.token_urlsafe(18)
        await repository.give_ref(actor.db, ref, child.child_id, by, REF_TTL)
        actor.audit.record(
            AuditKind.LOOKUP, "lookupChild", child_id=child.child_id, details=details
        )
        municipality = await actor.registry.get(child.responsible_municipality_id)
        assert municipality is not None, "a child's municipality is in the registry"
        matches.append(
            Match(
                ref=ref,
                matched_on=matched_on,
                reported_missing=child.missing if rule.reported_missing else None,
                responsible_municipality=municipality,
                on_call=on_call[municipality.id],
            )
        )
    return matches


@dataclass(frozen=True, slots=True)
class Reported:
    responsible_municipality: Organisation
    on_call: list[ContactPoint]


async def report_contact(
    actor: Actor,
    ref: str,
    seen_at: datetime,
    place: str,
    kind: SightingKind,
    note: str | None,
    callback_phone: str | None,
    willing_to_talk: bool | None,
) -> Reported:
    """Record the meeting with the child behind the asker's ref: for the responsible
    municipality (a task to follow it up) and, on an open case, as a sighting the police
    see while the child is missing. The reporter sees nothing of the case."""
    rule = actor.policy.lookup_rule(actor.principal, Action.REPORT_CONTACT)
    by = (actor.principal.organisation_id, actor.principal.sub)
    child_id = await repository.resolve(actor.db, ref.strip(), by) if ref.strip() else None
    with _refusals_recorded(actor, "reportContact"):
        if child_id is None:
            raise InvalidInput(_UNKNOWN_REF, field="ref")
    new = NewContact(
        seen_at=past(seen_at, "seenAt"),
        place=required_text(place, "place", max_length=500),
        kind=kind,
        note=text(note, "note", max_length=4000, required=False),
        callback_phone=phone(callback_phone, "callbackPhone"),
        willing_to_talk=willing_to_talk,
    )
    person = Person.of(actor.principal)
    open_cases = await cases.open_of_child(actor.db, child_id)
    missing = [case_id for case_id, status in open_cases if status in MISSING]
    case_id = missing[0] if missing else (open_cases[0][0] if open_cases else None)
    report = await repository.add_report(
        actor.db, child_id, case_id, (*by, person), new, rule.report_basis
    )
    if missing:
        sighting = NewSighting(new.seen_at, new.place, new.note, new.kind, new.callback_phone)
        await cases.add_sighting(actor.db, missing[0], sighting, by, person)
    facts = await _facts(actor, child_id)
    await events.record(
        actor.db,
        [
            NewEvent.by(
                actor.principal,
                EventType.CONTACT_REPORTED,
                child_id=child_id,
                case_id=case_id,
                contactReportId=str(report),
                basis=rule.report_basis,
            )
        ],
    )
    await routines.start(
        actor.db,
        actor.routines,
        Trigger.CONTACT_REPORTED,
        child_id=child_id,
        case_id=case_id,
        facts=facts,
        at=datetime.now(UTC),
        principal=actor.principal,
    )
    municipality = await actor.registry.get(facts.responsible_municipality_id)
    assert municipality is not None, "a child's municipality is in the registry"
    on_call = await _on_call(actor, {municipality.id})
    return Reported(municipality, on_call[municipality.id])


async def _facts(actor: Actor, child_id: uuid.UUID) -> RowFacts:
    """Whom the routines give the follow-up to; never shown to the reporter."""
    facts = await children.policy_facts(
        actor.db, child_id, actor.principal.organisation_id, actor.principal.sub
    )
    assert facts is not None, "a ref names a child that exists"
    return facts


async def reports_of_children(
    actor: Actor, child_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[ContactReport]]:
    """Of children the actor already holds as visible; newest first."""
    return await repository.reports_of_children(actor.db, child_ids)
