from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from hub.cases.models import (
    Case,
    CaseFilter,
    CaseStatus,
    Outcome,
    PoliceAssessment,
    PoliceGrade,
    SightingKind,
    possible_actions,
)
from hub.cases.models import Sighting as SightingModel
from hub.errors import InvalidInput
from hub.graphql.categories import (
    CATEGORY_COUNT,
    DataCategoryType,
    Withheld,
    bounded,
    masked,
    shared,
    shared_resolver,
)
from hub.graphql.context import Info
from hub.graphql.ids import parse_id
from hub.graphql.pagination import MAX_PAGE
from hub.organisations.models import OrganisationKind
from hub.organisations.types import CaseContact, ContactRole, OrganisationType, PersonType
from hub.policy.categories import DataCategory as C
from hub.policy.view import RowView
from hub.policy.visible import Visible

if TYPE_CHECKING:
    from hub.children.types import ChildType
    from hub.events.types import AcknowledgementStatus, CaseEventType
    from hub.routines.types import TaskType

CaseStatusType = strawberry.enum(CaseStatus, name="CaseStatus")
OutcomeType = strawberry.enum(Outcome, name="Outcome")
SightingKindType = strawberry.enum(SightingKind, name="SightingKind")
PoliceGradeType = strawberry.enum(PoliceGrade, name="PoliceGrade")


DEFAULT_SIGHTINGS = 100
MAX_TASKS = 50  # a case's routines make about fifteen
MAX_EVENTS = 100


@strawberry.type(description="An observation of the child while the case is open.")
class Sighting:
    id: strawberry.ID
    seen_at: datetime
    place: str
    note: str | None
    kind: SightingKindType  # type: ignore[valid-type]
    callback_phone: str | None
    row: strawberry.Private[SightingModel]

    @strawberry.field(description="Who reported it: the police call back.")
    async def reported_by(self, info: Info) -> PersonType:
        return await PersonType.named(info, self.row.reporter)

    @classmethod
    def of(cls, s: SightingModel) -> Sighting:
        return cls(
            id=strawberry.ID(str(s.id)),
            seen_at=s.seen_at,
            place=s.place,
            note=s.note,
            kind=s.kind,
            callback_phone=s.callback_phone,
            row=s,
        )


@strawberry.type(description="The police's risk grade of the missing child.")
class PoliceAssessmentType:
    grade: PoliceGradeType  # type: ignore[valid-type]
    rationale: str
    assessed_at: datetime
    row: strawberry.Private[PoliceAssessment]

    @strawberry.field
    async def assessed_by(self, info: Info) -> PersonType:
        return await PersonType.named(info, self.row.assessed_by)


@strawberry.type(
    description="A category your own emergency access (nödåtkomst) holds open on this case."
)
class EmergencyOpening:
    category: DataCategoryType  # type: ignore[valid-type]
    expires_at: datetime


@strawberry.type(name="Alert", description="The police's efterlysning.")
class AlertType:
    reference: str
    issued_at: datetime
    cancelled_at: datetime | None
    cancel_reason: str | None


@strawberry.type(name="Case", description="One missing episode of one child.")
class CaseType:
    id: strawberry.ID
    version: int | None = shared(C.CASE_STATUS, "Pass as expectedVersion to detect races.")
    status: CaseStatusType | None = shared(C.CASE_STATUS)  # type: ignore[valid-type]
    opened_at: datetime | None = shared(C.CASE_STATUS)
    police_report_number: str | None = shared(C.CASE_STATUS)
    reported_missing_at: datetime | None = shared(C.CASE_STATUS, "Police: reported missing.")
    registered_avviken_at: datetime | None = shared(
        C.CASE_STATUS, "Migrationsverket: registered as avviken (left the placement)."
    )
    found_at: datetime | None = shared(C.CASE_STATUS)
    closed_at: datetime | None = shared(C.CASE_STATUS)
    outcome: OutcomeType | None = shared(C.CASE_STATUS)  # type: ignore[valid-type]
    last_seen_at: datetime | None = shared(C.SIGHTINGS)
    last_seen_place: str | None = shared(C.SIGHTINGS)
    found_place: str | None = shared(C.SIGHTINGS)
    circumstances: str | None = shared(C.RISK, "How the child left: what the residence knows.")
    return_interview: str | None = shared(C.RETURN_INTERVIEW, "Summary of the återkomstsamtal.")
    registered_returned_at: datetime | None = shared(
        C.CASE_STATUS, "Migrationsverket: re-registered after the return."
    )
    alert: AlertType | None = shared(C.CASE_STATUS, "The police's efterlysning, if any.")
    withheld: list[Withheld] = bounded(
        CATEGORY_COUNT, "Each category held back from the caller, once, with the reason."
    )
    view: strawberry.Private[RowView]
    row: strawberry.Private[Case]

    @strawberry.field(description="The child, as far as the caller may see it.")
    async def child(
        self, info: Info
    ) -> Annotated[ChildType, strawberry.lazy("hub.children.types")] | None:
        from hub.children.types import ChildType

        return ChildType.of_found(await info.context.load.child.load(self.row.child_id))

    @shared_resolver(C.RISK, "The police's latest risk grade, with rationale and assessor.")
    async def police_assessment(self, info: Info) -> PoliceAssessmentType | None:
        found = self.row.police_assessment
        if found is None:
            return None
        return PoliceAssessmentType(
            grade=found.grade,
            rationale=found.rationale,
            assessed_at=found.assessed_at,
            row=found,
        )

    @shared_resolver(
        C.CASE_STATUS,
        "What your own emergency access holds open on this case now, and until when: mark "
        "those fields as opened. Nobody else's access is shown.",
        max_items=CATEGORY_COUNT,
    )
    async def emergency_access(self, info: Info) -> list[EmergencyOpening] | None:
        from hub.emergency import service as emergency

        found = await emergency.open_for_me(info.context.actor, self.row.id)
        return [EmergencyOpening(category=c, expires_at=until) for c, until in found]

    @shared_resolver(
        C.CASE_STATUS,
        "Whom to call: the responsible municipality (its socialjour), the residence, the "
        "god man, the police.",
        max_items=4,
    )
    async def whom_to_call(self, info: Info) -> list[CaseContact] | None:
        ctx, facts = info.context, self.row.facts
        wanted: list[tuple[ContactRole, str | None, str | None]] = [
            (ContactRole.RESPONSIBLE_MUNICIPALITY, facts.responsible_municipality_id, None),
            (ContactRole.RESIDENCE, facts.residence_id, None),
        ]
        if facts.guardian_sub is not None and ctx.routines.guardianship is not None:
            child = await ctx.load.child.load(self.row.child_id)
            shown = child is not None and child.view.allows(C.IDENTITY)
            name = child.row.guardian_name if child is not None and shown else None
            wanted.append((ContactRole.GUARDIAN, ctx.routines.guardianship, name))
        police = [o.id for o in ctx.registry.all() if o.kind is OrganisationKind.POLICE]
        wanted += [(ContactRole.POLICE, org_id, None) for org_id in police[:1]]
        found = []
        for role, org_id, person in wanted:
            org = await ctx.registry.get(org_id) if org_id else None
            if org is not None:
                found.append(
                    CaseContact(role=role, organisation=OrganisationType.of(org), person=person)
                )
        return found

    @shared_resolver(C.CASE_STATUS, "The organisation that opened the case.")
    async def opened_by(self, info: Info) -> OrganisationType | None:
        org = await info.context.registry.get(self.row.opened_by)
        return OrganisationType.of(org) if org else None

    @shared_resolver(C.SIGHTINGS, "In the order they were seen; `after` a sighting's id.")
    async def sightings(
        self, info: Info, first: int = DEFAULT_SIGHTINGS, after: strawberry.ID | None = None
    ) -> list[Sighting] | None:
        if not 0 <= first <= MAX_PAGE:
            raise InvalidInput(f"first must be between 0 and {MAX_PAGE}", field="first")
        found = await info.context.load.sightings.load(self.row.id)
        if after is not None:
            ids = [str(s.id) for s in found]
            if after not in ids:
                raise InvalidInput("after is not a sighting of this case", field="after")
            found = found[ids.index(after) + 1 :]
        return [Sighting.of(s) for s in found[:first]]

    @shared_resolver(
        C.CASE_STATUS,
        "The routine tasks of this case, soonest deadline first.",
        max_items=MAX_TASKS,
    )
    async def tasks(
        self, info: Info
    ) -> list[Annotated[TaskType, strawberry.lazy("hub.routines.types")]] | None:
        from hub.routines.types import TaskType

        found = await info.context.load.tasks.load(self.row.id)
        return [TaskType.of(t) for t in found[:MAX_TASKS]]

    @shared_resolver(
        C.CASE_STATUS,
        f"What happened, in order: the latest {MAX_EVENTS} (caseEvents(after) replays all); "
        "`cursor` resumes a subscription.",
        max_items=MAX_EVENTS,
    )
    async def events(
        self, info: Info
    ) -> list[Annotated[CaseEventType, strawberry.lazy("hub.events.types")]] | None:
        from hub.events.types import CaseEventType

        found = await info.context.load.events.load(self.row.id)
        acknowledged = info.context.routines.acknowledge
        return [CaseEventType.of(e, acknowledged) for e in found[-MAX_EVENTS:]]

    @bounded(
        MAX_EVENTS,
        "Per event (the latest), who has acknowledged it and who has not; "
        "null unless you are the responsible municipality.",
    )
    async def acknowledgements(
        self, info: Info
    ) -> list[Annotated[AcknowledgementStatus, strawberry.lazy("hub.events.types")]] | None:
        from hub.events import service
        from hub.events.types import AcknowledgementStatus

        ctx = info.context
        states = await service.acknowledgement_states(ctx.actor, self.row)
        return (
            None if states is None else [AcknowledgementStatus.of(s) for s in states][-MAX_EVENTS:]
        )

    @strawberry.field(
        description="The lifecycle mutations you may call on this case now: its state "
        "admits them and policies/actions.csv lets your organisation (a hint for buttons; "
        "the mutation decides)."
    )
    def allowed_actions(self, info: Info) -> list[str]:
        ctx = info.context
        return [
            action
            for action in possible_actions(self.row.status)
            if ctx.policy.may(ctx.principal, action, self.row.facts)
        ]

    @classmethod
    def of(cls, visible: Visible[Case]) -> CaseType:
        k = visible.row
        return masked(
            cls,
            {
                "id": strawberry.ID(str(k.id)),
                "version": k.version,
                "status": k.status,
                "opened_at": k.opened_at,
                "police_report_number": k.police_report_number,
                "reported_missing_at": k.reported_missing_at,
                "registered_avviken_at": k.registered_avviken_at,
                "found_at": k.found_at,
                "closed_at": k.closed_at,
                "outcome": k.outcome,
                "last_seen_at": k.last_seen_at,
                "last_seen_place": k.last_seen_place,
                "found_place": k.found_place,
                "circumstances": k.circumstances,
                "return_interview": k.return_interview,
                "registered_returned_at": k.registered_returned_at,
                "alert": _alert(k),
                "row": k,
            },
            visible.view,
            child_id=k.child_id,
            case_id=k.id,
        )


def _alert(case: Case) -> AlertType | None:
    a = case.alert
    if a is None:
        return None
    return AlertType(
        reference=a.reference,
        issued_at=a.issued_at,
        cancelled_at=a.cancelled_at,
        cancel_reason=a.cancel_reason,
    )


@strawberry.input(name="CaseFilter")
class CaseFilterInput:
    status: list[CaseStatusType] | None = None  # type: ignore[valid-type]
    municipality: strawberry.ID | None = strawberry.field(
        default=None, description="Id of the responsible municipality."
    )
    child_id: strawberry.ID | None = None

    def to_model(self) -> CaseFilter:
        child_id = None
        if self.child_id is not None:
            child_id = parse_id(self.child_id)
            if child_id is None:
                raise InvalidInput("childId is not a child id", field="filter.childId")
        return CaseFilter(
            statuses=tuple(self.status or ()),
            municipality_id=self.municipality,
            child_id=child_id,
        )


VERSION = "The case version you last read; CONFLICT if it changed since."
REASON = "Why, in a sentence; shown on the event to everyone who sees the case."


@strawberry.type(description="The case after the change, as you may see it.")
class CasePayload:
    case: CaseType | None


@strawberry.type
class ReportAbsentPayload(CasePayload):
    pass


@strawberry.type
class ReportMissingToPolicePayload(CasePayload):
    pass


@strawberry.type
class RegisterAvvikenPayload(CasePayload):
    pass


@strawberry.type
class AddSightingPayload(CasePayload):
    pass


@strawberry.type
class ReportFoundPayload(CasePayload):
    pass


@strawberry.type
class RecordReturnInterviewPayload(CasePayload):
    pass


@strawberry.type
class CloseCasePayload(CasePayload):
    pass


@strawberry.type
class AcknowledgePayload(CasePayload):
    pass


@strawberry.input
class ReportAbsentInput:
    child_id: strawberry.ID
    last_seen_at: datetime
    last_seen_place: str
    circumstances: str | None = None


@strawberry.input
class ReportMissingToPoliceInput:
    case_id: strawberry.ID
    police_report_number: str
    expected_version: int | None = strawberry.field(default=None, description=VERSION)
    reason: str | None = strawberry.field(default=None, description=REASON)


@strawberry.input
class RegisterAvvikenInput:
    case_id: strawberry.ID


@strawberry.input
class AddSightingInput:
    case_id: strawberry.ID
    seen_at: datetime
    place: str
    note: str | None = None
    kind: SightingKindType = SightingKind.SEEN  # type: ignore[valid-type]
    callback_phone: str | None = strawberry.field(
        default=None, description="Where the police can call the one who saw the child."
    )


@strawberry.input
class ReportFoundInput:
    case_id: strawberry.ID
    found_at: datetime
    place: str
    expected_version: int | None = strawberry.field(default=None, description=VERSION)
    reason: str | None = strawberry.field(default=None, description=REASON)


@strawberry.input
class RecordReturnInterviewInput:
    case_id: strawberry.ID
    summary: str
    expected_version: int | None = strawberry.field(default=None, description=VERSION)
    reason: str | None = strawberry.field(default=None, description=REASON)


@strawberry.input
class CloseCaseInput:
    case_id: strawberry.ID
    outcome: OutcomeType  # type: ignore[valid-type]
    expected_version: int | None = strawberry.field(default=None, description=VERSION)
    reason: str | None = strawberry.field(
        default=None,
        description="Why; required when other organisations still hold open tasks (they are "
        "told, with it).",
    )


@strawberry.input
class AcknowledgeInput:
    case_id: strawberry.ID
    event_cursor: str
