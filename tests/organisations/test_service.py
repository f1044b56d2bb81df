"""The directory and whom to call: every organisation of the network, to anyone signed
in; each organisation's admin keeps its own contact points."""

from __future__ import annotations

import pytest

from hub.demo.network import ORGANISATIONS
from hub.errors import Forbidden, InvalidInput
from hub.organisations import service as organisations
from hub.organisations.models import ContactPoint
from tests.services import Services


async def test_every_organisation_sees_the_whole_network(services: Services) -> None:
    async with services.acting("radda-barnen", "staff") as ngo:
        found = organisations.directory(ngo)
    assert {o.id for o in found} == {o.id for o in ORGANISATIONS}


async def test_an_admin_sets_only_their_own_organisations_contact_points(
    services: Services,
) -> None:
    night = ContactPoint("Nattjour", "08-123 456 78", None, "22-07", on_call=True)
    with pytest.raises(Forbidden):
        async with services.acting("nacka", "caseworker") as caseworker:
            await organisations.set_contact_points(caseworker, "nacka", [night])
    with pytest.raises(InvalidInput):
        async with services.acting("nacka", "admin") as admin:
            await organisations.set_contact_points(admin, "stockholm", [night])
    bad = ContactPoint("Nattjour", "ring mig", None, None, on_call=True)
    with pytest.raises(InvalidInput) as refused:
        async with services.acting("nacka", "admin") as admin:
            await organisations.set_contact_points(admin, "nacka", [bad])
    assert refused.value.extensions == {"field": "contactPoints[0].phone"}
    async with services.acting("nacka", "admin") as admin:
        await organisations.set_contact_points(admin, "nacka", [night])
    async with services.acting("radda-barnen", "staff") as anyone:
        assert (await organisations.contact_points(anyone, ["nacka"]))["nacka"] == [night]
