"""updateDescription changes only what it names and keeps what it replaces."""

from __future__ import annotations

from typing import Any

from tests.cases.test_episode import PNG
from tests.conftest import RunningHub
from tests.policy.test_sharing_over_http import MISSING_CHILD, _responsible

UPDATE = """mutation($input: UpdateDescriptionInput!) { updateDescription(input: $input) {
    child { description { heightCm hair clothing marks photoUrl }
            descriptionHistory { description { heightCm hair clothing photoUrl }
                                 replacedBy { id } } } } }"""


async def _update(hub: RunningHub, token: str, **fields: Any) -> dict[str, Any]:
    data = await hub.query(token, UPDATE, input={"childId": MISSING_CHILD, **fields})
    child: dict[str, Any] = data["updateDescription"]["child"]
    return child


async def test_only_the_fields_given_change_and_an_explicit_null_clears_one(
    hub: RunningHub,
) -> None:
    token = hub.token(await _responsible(hub, MISSING_CHILD))
    first = await _update(hub, token, heightCm=171, hair="svart, kort", clothing="grå jacka")
    second = await _update(hub, token, clothing="röd mössa")
    assert second["description"]["heightCm"] == 171
    assert second["description"]["hair"] == "svart, kort"
    assert second["description"]["clothing"] == "röd mössa"
    cleared = await _update(hub, token, hair=None)
    assert cleared["description"]["hair"] is None
    assert cleared["description"]["clothing"] == "röd mössa"
    history = cleared["descriptionHistory"]
    assert [h["description"]["clothing"] for h in history[:2]] == ["röd mössa", "grå jacka"]
    assert history[0]["description"]["hair"] == "svart, kort"
    assert history[0]["replacedBy"]["id"] == await _responsible(hub, MISSING_CHILD)
    assert first["description"]["clothing"] == "grå jacka"


async def test_a_photo_upload_alone_erases_nothing(hub: RunningHub) -> None:
    token = hub.token(await _responsible(hub, MISSING_CHILD))
    await _update(hub, token, heightCm=165, marks="ärr på vänster hand")
    child = await _update(hub, token, photo={"contentType": "image/png", "data": PNG})
    assert child["description"]["heightCm"] == 165
    assert child["description"]["marks"] == "ärr på vänster hand"
    assert child["description"]["photoUrl"].startswith("/photos/")


async def test_an_update_naming_nothing_is_invalid(hub: RunningHub) -> None:
    token = hub.token(await _responsible(hub, MISSING_CHILD))
    response = await hub.graphql(token, UPDATE, {"input": {"childId": MISSING_CHILD}})
    assert response.json()["errors"][0]["extensions"] == {"code": "INVALID_INPUT", "field": "input"}


async def test_the_history_is_shown_only_where_the_description_is(hub: RunningHub) -> None:
    token = hub.token(await _responsible(hub, MISSING_CHILD))
    await _update(hub, token, clothing="blå jacka")
    await _update(hub, token, clothing="grön jacka")
    query = """query($id: ID!) { child(id: $id) {
        descriptionHistory { replacedAt } withheld { category } } }"""
    police = await hub.query(hub.token("polisen-stockholm", "officer"), query, id=MISSING_CHILD)
    assert len(police["child"]["descriptionHistory"]) >= 2  # missing: DESCRIPTION is theirs
    migration = await hub.query(hub.token("migrationsverket"), query, id=MISSING_CHILD)
    assert migration["child"]["descriptionHistory"] is None
    assert "DESCRIPTION" in {w["category"] for w in migration["child"]["withheld"]}
