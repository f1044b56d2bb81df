"""Finding a child by name however it is spelled: the recall on name variants, scope,
and the inputs a search refuses."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, timedelta

import pytest

from hub.children import search
from hub.children import service as children
from hub.children.models import NewChild, Sex
from hub.errors import InvalidInput
from tests.conftest import RunningHub
from tests.services import Services

# (as registered, as searched): spelling and transliteration variants of the same name
VARIANTS = [
    ("Mohammed", "Muhammad"),
    ("Mohammed", "Mohamad"),
    ("Muhammad", "Мухаммад"),  # Cyrillic, as on a Russian-language document
    ("Youssef", "Yusuf"),
    ("Hosseini", "Husseini"),
    ("Ahmad", "Ahmed"),
    ("Abdirahman", "Abdulrahman"),
    ("Mustafa", "Mostafa"),
    ("Karim", "Kareem"),
    ("Hussein", "Husain"),
    ("Omar", "Umar"),
    ("Ibrahim", "Ebrahim"),
    ("Yasin", "Yaseen"),
    ("Sayed", "Said"),
    ("Mahmoud", "Mahmud"),
    ("Jafari", "Jafary"),
    ("Nasir", "Naser"),
    ("Abdullahi", "Abdillahi"),
    ("Şükrü", "Sukru"),
    ("Mohammed", "محمد"),  # Arabic script carries no vowels: m-h-m-d
]
# what the search does not find, and why: the recall the note reports is 19 of 20
MISSED = {("Mohammed", "محمد")}  # consonants only; no key or trigram links them


def _child(given: str, family: str = "Testsson", born: date = date(2010, 5, 17)) -> NewChild:
    return NewChild(
        given_name=given,
        family_name=family,
        birth_date=born,
        sex=Sex.MALE,
        nationality="AF",
        languages=[],
        dossier_number=None,
        responsible_municipality_id="stockholm",
        residence_id=None,
        placement_address=None,
        guardian_sub=None,
    )


async def _found(services: Services, raw: str) -> list[uuid.UUID]:
    async with services.acting("stockholm") as actor:
        rows, _ = await search.search(actor, raw, 20)
    return [v.row.id for v in rows]


async def test_spelling_and_script_variants_find_the_child(services: Services) -> None:
    registered = {}
    async with services.acting("stockholm") as actor:
        for n, (name, _) in enumerate(VARIANTS):
            family = f"Testfamilj{chr(ord('a') + n)}"
            born = date(2010, 1, 1) + timedelta(days=17 * n)
            registered[n] = await children.register(actor, _child(name, family, born))
    missed = set()
    for n, (name, variant) in enumerate(VARIANTS):
        family = f"Testfamilj{chr(ord('a') + n)}"
        if registered[n] not in await _found(services, f"{variant} {family}"):
            missed.add((name, variant))
    assert missed == MISSED


async def test_the_best_match_comes_first_and_facts_narrow_it(services: Services) -> None:
    async with services.acting("stockholm") as actor:
        exact = await children.register(actor, _child("Abdi", "Xoogsade", date(2011, 2, 3)))
        other = await children.register(actor, _child("Abdi", "Xoogsade", date(2012, 8, 9)))
        near = await children.register(
            actor, _child("Abdu", "Xoogsaade", date(2011, 2, 3)), confirm_not_duplicate=True
        )
    found = await _found(services, "Abdi Xoogsade")
    assert found[:2] == [exact, other] or found[:2] == [other, exact]
    assert near in found
    assert await _found(services, "Abdi Xoogsade 2011-02-03") == [exact, near]
    assert await _found(services, "Abdi Xoogsade 2012") == [other]


async def test_a_search_finds_only_children_whose_identity_the_caller_may_see(
    services: Services,
) -> None:
    async with services.acting("nacka") as nacka:
        nackas = await children.register(
            nacka, replace(_child("Yusuf", "Ahmadzai"), responsible_municipality_id="nacka")
        )
    assert nackas not in await _found(services, "Youssef Ahmadzai")
    async with services.acting("nacka") as nacka:
        rows, total = await search.search(nacka, "Youssef Ahmadzai", 20)
    assert [v.row.id for v in rows] == [nackas]
    assert total == 1


@pytest.mark.parametrize(
    "raw", ["", "   ", "%", "Moh*", "a", "A B", "x" * 201, "Mohammed 2010-13-40"]
)
async def test_a_search_of_wildcards_single_letters_or_nonsense_is_refused(
    services: Services, raw: str
) -> None:
    with pytest.raises(InvalidInput):
        search.parse(raw)


async def test_the_api_searches_and_refuses_a_cursor_with_a_search(hub: RunningHub) -> None:
    token = hub.token("stockholm")
    data = await hub.query(
        token,
        """query($q: String!) { children(first: 5, filter: {search: $q}) {
        totalCount edges { node { id givenName } } } }""",
        q="Mohammad",
    )
    assert data["children"]["totalCount"] >= len(data["children"]["edges"])
    response = await hub.graphql(
        token,
        """{ children(after: "x", filter: {search: "Mohammad"}) { totalCount } }""",
    )
    assert response.json()["errors"][0]["extensions"]["field"] == "after"
