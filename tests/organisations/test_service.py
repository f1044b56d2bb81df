"""The directory: every organisation of the network, to anyone signed in."""

from __future__ import annotations

from hub.demo.network import ORGANISATIONS
from hub.organisations import service as organisations
from tests.services import Services


async def test_every_organisation_sees_the_whole_network(services: Services) -> None:
    async with services.acting("radda-barnen", "staff") as ngo:
        found = organisations.directory(ngo)
    assert {o.id for o in found} == {o.id for o in ORGANISATIONS}
