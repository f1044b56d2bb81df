"""Seed the demo network. Deterministic and idempotent: a second run changes nothing."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from hub.auth import repository as clients
from hub.cases import repository as cases_repo
from hub.cases.models import Case, CaseStatus, Outcome, Sighting
from hub.children import repository as children_repo
from hub.children.models import Child, Contact, Description, RiskLevel, Sex
from hub.db.session import Db
from hub.demo import network
from hub.events import repository as events_repo
from hub.events.models import EventType, NewEvent
from hub.organisations import repository as organisations_repo
from hub.policy.facts import RowFacts
from hub.routines import repository as tasks_repo
from hub.routines import service as routines_service
from hub.routines.config import load_routines
from hub.routines.models import Trigger

NAMESPACE = uuid.UUID("8f7c2a1e-6b1d-4c59-9a3e-5d2f0c4b7a10")
CHILD_COUNT = 150

_GIVEN = {
    "MA": ["Youssef", "Amine", "Hamza", "Bilal", "Karim", "Rachid", "Samira", "Nadia"],
    "AF": ["Ahmad", "Mohammad", "Ali", "Reza", "Hamid", "Jawad", "Farida", "Mariam"],
    "SO": ["Abdi", "Hassan", "Mahad", "Liban", "Omar", "Faisal", "Hodan", "Ayaan"],
    "DZ": ["Walid", "Sofiane", "Nassim", "Riad", "Yacine", "Mehdi", "Lina", "Amel"],
    "ER": ["Yonas", "Dawit", "Filmon", "Henok", "Tesfay", "Samuel", "Helen", "Selam"],
    "SY": ["Omar", "Khaled", "Rami", "Tarek", "Fadi", "Majd", "Rasha", "Lama"],
}
_FAMILY = {
    "MA": ["Benali", "Amrani", "Idrissi", "Tazi", "Alaoui", "Berrada"],
    "AF": ["Ahmadi", "Rahimi", "Hosseini", "Karimi", "Sultani", "Naderi"],
    "SO": ["Warsame", "Abdullahi", "Farah", "Jama", "Osman", "Hirsi"],
    "DZ": ["Belkacem", "Haddad", "Mansouri", "Boudiaf", "Saadi", "Cherif"],
    "ER": ["Tesfamariam", "Gebremedhin", "Haile", "Kidane", "Berhe", "Woldu"],
    "SY": ["Haddad", "Khalil", "Nasser", "Saleh", "Hamdan", "Darwish"],
}
_LANGUAGES = {
    "MA": ["arabiska", "franska"],
    "AF": ["dari", "pashto"],
    "SO": ["somaliska"],
    "DZ": ["arabiska", "franska"],
    "ER": ["tigrinja"],
    "SY": ["arabiska", "kurdiska"],
}
_NATIONALITY_WEIGHTS = {"MA": 30, "AF": 30, "SO": 12, "DZ": 12, "ER": 8, "SY": 8}
_PLACES = [
    "Sergels torg",
    "T-Centralen",
    "Fridhemsplan",
    "Hötorget",
    "Märsta station",
    "Södertälje centrum",
    "Nacka Forum",
    "Åkersberga station",
    "Slussen",
]
_CLOTHING = [
    "svart jacka, grå mjukisbyxor",
    "blå dunjacka, jeans",
    "grön parkas, vita skor",
    "röd hoodie, svarta byxor",
    "beige jacka, svart mössa",
]


# the routine that each seeded state's tasks come from, and when it started
_TRIGGER_TIME = {
    CaseStatus.ABSENT: lambda k: k.opened_at,
    CaseStatus.REPORTED_MISSING: lambda k: k.reported_missing_at or k.opened_at,
    CaseStatus.FOUND: lambda k: k.found_at or k.opened_at,
    CaseStatus.FOLLOW_UP: lambda k: (k.found_at or k.opened_at) + timedelta(days=2),
}


async def _start_routines(db: Db, cases: list[Case]) -> None:
    """Events and tasks of the seeded open cases, as the routines would have made them;
    once only, so the demo has tasks due and overdue the moment it starts."""
    if await tasks_repo.count_for_cases(db, [c.id for c in cases]):
        return
    routines = load_routines()
    for case in cases:
        await events_repo.append(
            db,
            [
                NewEvent(
                    type=EventType.CASE_OPENED,
                    child_id=case.child_id,
                    case_id=case.id,
                    actor_organisation_id=case.opened_by,
                    actor_sub=None,
                    payload={"status": "ABSENT"},
                )
            ],
        )
        if case.status is not CaseStatus.ABSENT:
            await events_repo.append(
                db,
                [
                    NewEvent(
                        type=EventType.STATUS_CHANGED,
                        child_id=case.child_id,
                        case_id=case.id,
                        actor_organisation_id=None,
                        actor_sub=None,
                        payload={"from": "ABSENT", "to": case.status.value},
                    )
                ],
            )
        started = _TRIGGER_TIME.get(case.status)
        if started is not None:
            await routines_service.start(
                db,
                routines,
                Trigger(case.status.value),
                child_id=case.child_id,
                case_id=case.id,
                facts=case.facts,
                at=started(case),
                principal=None,
            )
        if case.registered_avviken_at is not None:
            await routines_service.settle(db, case.id, "AVVIKEN_REGISTERED", None)


@dataclass(frozen=True)
class SeedReport:
    organisations: int
    children: int
    open_cases: int


def _id(kind: str, n: int) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{kind}-{n}")


def _child(n: int, rng: random.Random, today: date) -> Child:
    nationality = rng.choices(list(_NATIONALITY_WEIGHTS), list(_NATIONALITY_WEIGHTS.values()))[0]
    girl = rng.random() < 0.08
    names = _GIVEN[nationality]
    given = rng.choice(names[6:] if girl else names[:6])
    age_days = rng.randint(13 * 365 + 30, 17 * 365 + 300)
    municipality = network.MUNICIPALITIES[n % len(network.MUNICIPALITIES)]
    residence = network.RESIDENCES[n % 2] if n % 3 else None
    risk = rng.choice([None, RiskLevel.LOW, RiskLevel.ELEVATED, RiskLevel.HIGH])
    guardian = network.GUARDIAN_SUBS[n % len(network.GUARDIAN_SUBS)]
    return Child(
        id=_id("child", n),
        given_name=given,
        family_name=rng.choice(_FAMILY[nationality]),
        birth_date=today - timedelta(days=age_days),
        sex=Sex.FEMALE if girl else Sex.MALE,
        nationality=nationality,
        languages=tuple(_LANGUAGES[nationality]),
        dossier_number=f"{20_000_000 + n * 7919}",
        responsible_municipality_id=municipality,
        residence_id=residence,
        placement_address=f"Exempelvägen {n % 40 + 1}, Stockholm" if residence else None,
        guardian_sub=guardian,
        guardian_name=network.GUARDIAN_NAMES[guardian],
        description=Description(
            height_cm=rng.randint(150, 185),
            build=rng.choice(["smal", "normal", "kraftig"]),
            hair=rng.choice(["svart, kort", "mörkbrunt, lockigt", "svart, långt"]),
            eyes=rng.choice(["bruna", "mörkbruna"]),
            marks=rng.choice([None, "ärr på vänster kind", "tatuering på höger underarm"]),
            clothing=rng.choice(_CLOTHING),
            photo_url=None,
        ),
        contacts=(Contact("phone", f"070-{rng.randint(1_000_000, 9_999_999)}"),),
        asylum_status=rng.choice(["pending", "granted", "refused", "appeal"]),
        health=rng.choice([None, "astma", "behöver medicin dagligen"]),
        risk_level=risk,
        risk_indicators=("saknar nätverk",) if risk is RiskLevel.HIGH else (),
        risk_assessment="bedömning gjord av socialtjänsten" if risk else None,
        created_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=n),
        facts=RowFacts(municipality, residence, guardian, "NONE"),
    )


# (child number, state, hours since opened, outcome); every municipality gets open cases,
# Stockholms stad (numbers divisible by 5) a few with tasks due and overdue
_EPISODES = [
    (5, CaseStatus.ABSENT, 1, None),
    (11, CaseStatus.ABSENT, 5, None),
    (17, CaseStatus.REPORTED_MISSING, 30, None),
    (20, CaseStatus.REPORTED_MISSING, 200, None),
    (42, CaseStatus.REPORTED_MISSING, 24 * 70, None),
    (60, CaseStatus.FOUND, 80, None),
    (65, CaseStatus.FOLLOW_UP, 24 * 6, None),
    (71, CaseStatus.CLOSED, 24 * 40, Outcome.RETURNED),
    (83, CaseStatus.CLOSED, 24 * 100, Outcome.FOUND_ELSEWHERE),
    (95, CaseStatus.CLOSED, 24 * 150, Outcome.UNRESOLVED),
]


def _episode(
    n: int, status: CaseStatus, hours: int, outcome: Outcome | None, child: Child, now: datetime
) -> tuple[Case, str | None, str | None]:
    opened = now - timedelta(hours=hours)
    past_absent = status is not CaseStatus.ABSENT
    reported = past_absent
    found = status in (CaseStatus.FOUND, CaseStatus.FOLLOW_UP, CaseStatus.CLOSED) and (
        outcome is not Outcome.UNRESOLVED
    )
    found_at = opened + timedelta(hours=hours * 0.6) if found else None
    reporter = child.residence_id or child.responsible_municipality_id
    case = Case(
        id=_id("case", n),
        child_id=child.id,
        status=status,
        opened_at=opened,
        opened_by=reporter,
        last_seen_at=opened - timedelta(hours=2),
        last_seen_place=_PLACES[n % len(_PLACES)],
        circumstances="gick ut efter middagen och kom inte tillbaka",
        police_report_number=f"5000-K{100_000 + n}-26" if reported else None,
        reported_missing_at=opened + timedelta(hours=0.5) if reported else None,
        registered_avviken_at=opened + timedelta(hours=1) if reported else None,
        found_at=found_at,
        found_place=_PLACES[(n + 3) % len(_PLACES)] if found else None,
        return_interview="samtal genomfört; barnet berättar om press från äldre kamrater"
        if status in (CaseStatus.FOLLOW_UP, CaseStatus.CLOSED) and found
        else None,
        closed_at=opened + timedelta(hours=hours * 0.9) if status is CaseStatus.CLOSED else None,
        outcome=outcome,
        version=1,
        facts=child.facts,
    )
    return (
        case,
        "polisen-stockholm" if reported else None,
        "migrationsverket" if reported else None,
    )


async def seed(db: Db, *, now: datetime | None = None) -> SeedReport:
    now = now or datetime.now(UTC)
    rng = random.Random(2017)
    await organisations_repo.upsert_many(db, network.ORGANISATIONS)
    known = await organisations_repo.contact_points(db, list(network.CONTACT_POINTS))
    for org_id, points in network.CONTACT_POINTS.items():
        if not known[org_id]:  # an admin's own edits are kept
            await organisations_repo.replace_contact_points(db, org_id, points)
    children = [_child(n, rng, now.date()) for n in range(1, CHILD_COUNT + 1)]
    await children_repo.insert_many(db, children)
    episodes = [_episode(n, s, h, o, children[n - 1], now) for n, s, h, o in _EPISODES]
    await cases_repo.insert_many(db, episodes)
    await cases_repo.insert_sightings(
        db,
        [
            Sighting(
                id=_id("sighting", n),
                case_id=case.id,
                seen_at=case.opened_at + timedelta(hours=3),
                place=_PLACES[(n + 5) % 9],
                note="sågs tillsammans med två äldre personer",
                reported_by="stadsmissionen",
            )
            for n, (case, _, _) in enumerate(episodes)
            if case.status is not CaseStatus.ABSENT
        ],
    )
    for org in network.ORGANISATIONS:
        await clients.save_client(
            db,
            clients.OAuthClient(
                client_id=org.id,
                organisation_id=org.id,
                secret_sha256=clients.secret_hash(network.client_secret(org.id)),
                roles=(network.EXAMPLE_ROLES[org.id],),
            ),
        )
    await _start_routines(db, [case for case, _, _ in episodes])
    open_cases = sum(1 for c, _, _ in episodes if c.status is not CaseStatus.CLOSED)
    return SeedReport(len(network.ORGANISATIONS), len(children), open_cases)
