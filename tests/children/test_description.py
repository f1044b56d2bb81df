"""updateDescription changes only what it names and keeps what it replaces."""

from __future__ import annotations

import base64
import io
from typing import Any

from PIL import Image

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


async def _uploaded(hub: RunningHub, content_type: str, data: bytes) -> bytes:
    token = hub.token(await _responsible(hub, MISSING_CHILD))
    encoded = base64.b64encode(data).decode()
    child = await _update(hub, token, photo={"contentType": content_type, "data": encoded})
    served = await hub.http.get(
        child["description"]["photoUrl"], headers={"authorization": f"Bearer {token}"}
    )
    assert served.status_code == 200
    assert served.headers["content-type"] == content_type
    return served.content


async def test_a_photo_is_stored_without_its_exif_position(hub: RunningHub) -> None:
    exif = Image.Exif()
    exif[0x8825] = {2: (59.0, 19.0, 47.0), 1: "N"}  # GPS: Stockholm
    exif[0x010E] = "taken outside the hideout"  # ImageDescription
    original = io.BytesIO()
    Image.new("RGB", (16, 16), "navy").save(original, format="JPEG", exif=exif)
    assert b"Exif" in original.getvalue()
    served = await _uploaded(hub, "image/jpeg", original.getvalue())
    assert b"Exif" not in served
    assert b"hideout" not in served
    with Image.open(io.BytesIO(served)) as image:
        assert image.size == (16, 16)
        assert not image.getexif()


async def test_a_polyglot_photo_keeps_only_its_pixels(hub: RunningHub) -> None:
    picture = io.BytesIO()
    Image.new("RGB", (8, 8), "olive").save(picture, format="PNG")
    polyglot = picture.getvalue() + b"<html><script>alert(1)</script></html>"
    served = await _uploaded(hub, "image/png", polyglot)
    assert b"<script>" not in served


async def test_a_photo_that_is_not_a_picture_is_invalid(hub: RunningHub) -> None:
    token = hub.token(await _responsible(hub, MISSING_CHILD))
    fake = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64).decode()
    response = await hub.graphql(
        token,
        UPDATE,
        {"input": {"childId": MISSING_CHILD, "photo": {"contentType": "image/png", "data": fake}}},
    )
    assert response.json()["errors"][0]["extensions"] == {
        "code": "INVALID_INPUT",
        "field": "photo.data",
    }
