"""The children's service on PostgreSQL, without HTTP: visibility, registration rules."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

import asyncpg
import pytest

from hub.children import service as children
from hub.children.models import NewChild, Sex
from hub.demo.seed import _id
from hub.errors import Conflict, InvalidInput
from tests.services import Services

NACKAS = _id("child", 2)  # Nacka's child, never missing: no other municipality sees it


def _new_child(dossier: str | None = None, residence: str | None = None) -> NewChild:
    return NewChild(
        given_name="Amir",
        family_name="Rahimi",
        birth_date=date(2011, 3, 4),
        sex=Sex.MALE,
        nationality="AF",
        languages=["dari"],
        dossier_number=dossier,
        responsible_municipality_id="stockholm",
        residence_id=residence,
        placement_address=None,
        guardian_sub="godman-3",
    )


async def test_a_child_of_another_municipality_reads_exactly_like_no_child(
    services: Services,
) -> None:
    async with services.acting("nacka") as nacka:
        assert await children.visible_one(nacka, NACKAS) is not None
    async with services.acting("stockholm") as stockholm:
        assert await children.visible_one(stockholm, NACKAS) is None
        assert await children.visible_one(stockholm, uuid.uuid4()) is None
        assert await children.visible_by_ids(stockholm, [NACKAS, uuid.uuid4()]) == {}


async def test_a_dossier_number_of_a_hidden_child_is_refused_unnamed_and_the_probe_recorded(
    services: Services, db: asyncpg.Connection
) -> None:
    dossier = await db.fetchval("SELECT dossier_number FROM children WHERE id = $1", NACKAS)
    with pytest.raises(Conflict) as refused:
        async with services.acting("stockholm") as actor:
            await children.register(actor, _new_child(dossier))
    assert "childId" not in refused.value.extensions
    probe = await db.fetchrow(
        "SELECT kind, organisation_id, child_id, details FROM audit_log ORDER BY seq DESC LIMIT 1"
    )
    assert probe is not None
    assert dict(probe) == {
        "kind": "DENIED",
        "organisation_id": "stockholm",
        "child_id": NACKAS,
        "details": {"code": "DOSSIER_NUMBER_TAKEN"},
    }
    holders = await db.fetchval("SELECT count(*) FROM children WHERE dossier_number = $1", dossier)
    assert holders == 1


async def test_registering_a_child_starts_the_new_childs_routine_at_its_residence(
    services: Services, db: asyncpg.Connection
) -> None:
    async with services.acting("stockholm") as actor:
        child_id = await children.register(actor, _new_child(residence="hvb-solbacken"))
        assert (await children.visible_one(actor, child_id)) is not None
    tasks = await db.fetch(
        "SELECT title, responsible_organisation_id FROM tasks WHERE child_id = $1", child_id
    )
    assert [(t["title"], t["responsible_organisation_id"]) for t in tasks] == [
        ("Fyll i signalement och foto", "hvb-solbacken")
    ]


async def test_a_residence_that_is_not_one_is_invalid_and_nothing_is_written(
    services: Services, db: asyncpg.Connection
) -> None:
    before = await db.fetchval("SELECT count(*) FROM children")
    with pytest.raises(InvalidInput) as refused:
        async with services.acting("stockholm") as actor:
            await children.register(actor, _new_child(residence="nacka"))
    assert refused.value.extensions == {"field": "residenceId"}
    assert await db.fetchval("SELECT count(*) FROM children") == before


async def test_a_probable_duplicate_names_the_candidates_the_caller_may_see(
    services: Services,
) -> None:
    first = _new_child()
    async with services.acting("stockholm") as actor:
        existing = await children.register(actor, first)
    variant = replace(first, given_name="Ameer", family_name="Rahimy")
    with pytest.raises(Conflict) as refused:
        async with services.acting("stockholm") as actor:
            await children.register(actor, variant)
    assert refused.value.extensions == {"candidates": [str(existing)]}
    async with services.acting("stockholm") as actor:
        second = await children.register(actor, variant, confirm_not_duplicate=True)
    assert second != existing


async def test_a_probable_duplicate_the_caller_may_not_see_is_refused_unnamed_and_recorded(
    services: Services, db: asyncpg.Connection
) -> None:
    async with services.acting("nacka") as nacka:
        theirs = await children.register(
            nacka, replace(_new_child(), responsible_municipality_id="nacka")
        )
    with pytest.raises(Conflict) as refused:
        async with services.acting("stockholm") as actor:
            await children.register(actor, _new_child())
    assert refused.value.extensions == {}
    probe = await db.fetchrow(
        "SELECT kind, child_id, details FROM audit_log WHERE organisation_id = 'stockholm' "
        "ORDER BY seq DESC LIMIT 1"
    )
    assert probe is not None
    assert dict(probe) == {
        "kind": "DENIED",
        "child_id": theirs,
        "details": {"code": "PROBABLE_DUPLICATE"},
    }
