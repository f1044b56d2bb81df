"""lookupChild and reportContact, with their inputs and answers: minimal disclosure to
whoever meets a child it may not see (hub.children.lookup)."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from hub.cases.types import SightingKindType
from hub.children import lookup
from hub.graphql.actions import mutation
from hub.graphql.categories import bounded
from hub.graphql.context import Info
from hub.organisations.types import MAX_CONTACT_POINTS, ContactPointType, OrganisationType
from hub.policy.actions import Action


@strawberry.input
class LookupChildInput:
    reason: str = strawberry.field(description="Why you look the child up; audited.")
    given_name: str | None = None
    family_name: str | None = None
    birth_date: date | None = None
    birth_year: int | None = None
    dossier_number: str | None = None


@strawberry.type(description="A child the facts point at: whom to call, never who it is.")
class LookupMatch:
    ref: strawberry.ID = strawberry.field(
        description="Opaque, yours alone, for a day: pass it to reportContact."
    )
    matched_on: list[str] = bounded(5, "The facts you gave that matched.")
    reported_missing: bool | None = strawberry.field(
        description="Null where policies/lookup.csv gives your kind no basis to know."
    )
    responsible_municipality: OrganisationType
    on_call: list[ContactPointType] = bounded(MAX_CONTACT_POINTS, "Whom to call there now.")

    @classmethod
    def of(cls, match: lookup.Match) -> LookupMatch:
        return cls(
            ref=strawberry.ID(match.ref),
            matched_on=match.matched_on,
            reported_missing=match.reported_missing,
            responsible_municipality=OrganisationType.of(match.responsible_municipality),
            on_call=[ContactPointType.of(p) for p in match.on_call],
        )


@strawberry.input
class ReportContactInput:
    ref: strawberry.ID
    seen_at: datetime
    place: str
    kind: SightingKindType  # type: ignore[valid-type]
    note: str | None = None
    callback_phone: str | None = strawberry.field(
        default=None, description="Where social services (or the police) call you back."
    )
    willing_to_talk: bool | None = strawberry.field(
        default=None, description="Whether the child was willing to talk."
    )


@strawberry.type(description="Your report reached the responsible municipality.")
class ReportContactPayload:
    received: bool
    responsible_municipality: OrganisationType
    on_call: list[ContactPointType] = bounded(MAX_CONTACT_POINTS)


@strawberry.type
class LookupMutation:
    @mutation(
        Action.LOOKUP_CHILD,
        "Whom to call about a child you met and may not see: at least two of given name, "
        "family name and birth date or year, or the dossier number, and why; at most "
        f"{lookup.MAX_MATCHES} matches, audited, rate-limited.",
        max_items=lookup.MAX_MATCHES,
    )
    async def lookup_child(self, info: Info, input: LookupChildInput) -> list[LookupMatch]:
        found = await lookup.lookup(
            info.context.actor,
            lookup.LookupFacts(
                reason=input.reason,
                given_name=input.given_name,
                family_name=input.family_name,
                birth_date=input.birth_date,
                birth_year=input.birth_year,
                dossier_number=input.dossier_number,
            ),
        )
        return [LookupMatch.of(m) for m in found]

    @mutation(
        Action.REPORT_CONTACT,
        "Report meeting the child behind a lookup's ref: it reaches social services (and "
        "the police while the child is missing) at once, as a task to follow up.",
    )
    async def report_contact(self, info: Info, input: ReportContactInput) -> ReportContactPayload:
        reported = await lookup.report_contact(
            info.context.actor,
            str(input.ref),
            input.seen_at,
            input.place,
            input.kind,
            input.note,
            input.callback_phone,
            input.willing_to_talk,
        )
        return ReportContactPayload(
            received=True,
            responsible_municipality=OrganisationType.of(reported.responsible_municipality),
            on_call=[ContactPointType.of(p) for p in reported.on_call],
        )
