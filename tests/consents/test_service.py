"""The consents' service on PostgreSQL, without HTTP: a consent opens what it names, to
whom it names, until it is revoked; only who may manage it may revoke it, once."""

from __future__ import annotations

import pytest

from hub.children import service as children
from hub.consents import service as consents
from hub.demo.seed import _id
from hub.errors import Conflict, NotFound
from hub.policy.categories import DataCategory
from tests.services import Services

CHILD = _id("child", 10)  # Stockholm's, at no residence, never missing


async def _ngo_sees(services: Services) -> frozenset[DataCategory] | None:
    async with services.acting("stadsmissionen", "staff") as ngo:
        seen = await children.visible_one(ngo, CHILD)
    return None if seen is None else frozenset(c for c in DataCategory if seen.view.allows(c))


async def test_a_consent_shows_its_recipient_what_it_names_until_it_is_revoked(
    services: Services,
) -> None:
    assert await _ngo_sees(services) is None
    async with services.acting("stockholm") as municipality:
        consent = await consents.grant(
            municipality,
            child_id=CHILD,
            recipient_id="stadsmissionen",
            categories=[DataCategory.DESCRIPTION],
            valid_until=None,
        )
    seen = await _ngo_sees(services)
    assert seen is not None
    assert DataCategory.DESCRIPTION in seen
    assert DataCategory.HEALTH not in seen
    async with services.acting("stockholm") as municipality:
        await consents.revoke(municipality, consent.id)
    assert await _ngo_sees(services) is None


async def test_only_who_may_manage_a_consent_may_revoke_it_and_only_once(
    services: Services,
) -> None:
    async with services.acting("stockholm") as municipality:
        consent = await consents.grant(
            municipality,
            child_id=CHILD,
            recipient_id="radda-barnen",
            categories=[DataCategory.DESCRIPTION],
            valid_until=None,
        )
    with pytest.raises(NotFound):
        async with services.acting("nacka") as other:
            await consents.revoke(other, consent.id)
    async with services.acting("stockholm") as municipality:
        await consents.revoke(municipality, consent.id)
    with pytest.raises(Conflict):
        async with services.acting("stockholm") as municipality:
            await consents.revoke(municipality, consent.id)
