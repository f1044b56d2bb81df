"""Sharing you can show a lawyer: a consent means what it says, writers see who will read
a category, and the god man reads who has read his ward's data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub.auth.principal import Principal, Purpose, Role
from hub.children import audience
from hub.children import service as children
from hub.consents import service as consents
from hub.demo.seed import _id
from hub.errors import Forbidden, InvalidInput, NotFound
from hub.organisations.models import Organisation, OrganisationKind
from hub.policy.categories import DataCategory
from hub.policy.facts import RowFacts
from tests.conftest import RunningHub
from tests.services import Services

MISSING = _id("child", 17)  # Nacka's, reported missing; god man godman-8


async def test_a_consent_category_the_policy_never_opens_is_refused_naming_its_rule(
    services: Services,
) -> None:
    async with services.acting("nacka") as nacka:
        with pytest.raises(InvalidInput) as refused:
            await consents.grant(
                nacka,
                child_id=MISSING,
                recipient_id="stadsmissionen",
                categories=[DataCategory.DESCRIPTION, DataCategory.HEALTH, DataCategory.PLACEMENT],
                valid_until=None,
            )
    assert refused.value.extensions["field"] == "categories"
    assert refused.value.extensions["categories"] == ["HEALTH", "PLACEMENT"]
    rules = refused.value.extensions["rules"]
    assert isinstance(rules, list)
    assert all(r.startswith("sharing.csv:") for r in rules)


async def test_a_consent_shows_the_categories_it_opens(hub: RunningHub) -> None:
    nacka = hub.token("nacka")
    granted = await hub.query(
        nacka,
        """mutation($input: GrantConsentInput!) { grantConsent(input: $input) {
        consent { categories effectiveCategories } } }""",
        input={
            "childId": str(MISSING),
            "recipientOrganisationId": "stadsmissionen",
            "categories": ["DESCRIPTION", "SIGHTINGS"],
        },
    )
    consent = granted["grantConsent"]["consent"]
    assert consent["effectiveCategories"] == consent["categories"] == ["DESCRIPTION", "SIGHTINGS"]


def _principal(org: Organisation, facts: RowFacts) -> Principal:
    role = {
        OrganisationKind.POLICE: Role.OFFICER,
        OrganisationKind.GUARDIANSHIP: Role.GUARDIAN,
        OrganisationKind.RESIDENCE: Role.STAFF,
        OrganisationKind.NGO: Role.STAFF,
    }.get(org.kind, Role.CASEWORKER)
    sub = facts.guardian_sub if org.kind is OrganisationKind.GUARDIANSHIP else "someone"
    return Principal(
        sub or "someone",
        org,
        frozenset({role}),
        Purpose.PROTECTION,
        datetime.now(UTC) + timedelta(minutes=5),
    )


async def test_the_audience_of_every_category_is_whom_the_enforcer_lets_read_it(
    services: Services,
) -> None:
    async with services.acting("nacka") as nacka:
        await consents.grant(
            nacka,
            child_id=MISSING,
            recipient_id="stadsmissionen",
            categories=[DataCategory.SIGHTINGS, DataCategory.DESCRIPTION],
            valid_until=None,
        )
    async with services.acting("nacka") as nacka:
        child = await children.visible_one(nacka, MISSING)
    assert child is not None
    for category in DataCategory:
        async with services.acting("nacka") as nacka:
            readers = await audience.audience(nacka, MISSING, category)
        named = {r.organisation.id for r in readers if r.purpose == "protection"}
        expected = set()
        for org in services.registry.all():
            principal = _principal(org, child.row.facts)
            async with services.acting(
                org.id, next(iter(principal.roles)).value, sub=principal.sub
            ) as reader:
                seen = await children.visible_one(reader, MISSING)
            if seen is not None and seen.view.allows(category):
                expected.add(org.id)
        assert named == expected, category
        assert all(r.basis for r in readers)


async def test_an_organisation_that_does_not_write_the_childs_data_sees_no_audience(
    services: Services,
) -> None:
    with pytest.raises(Forbidden):
        async with services.acting("stockholm") as other:  # sees him while missing only
            await audience.audience(other, MISSING, DataCategory.SIGHTINGS)
    with pytest.raises(NotFound):
        async with services.acting("radda-barnen", "staff") as ngo:
            await audience.audience(ngo, MISSING, DataCategory.SIGHTINGS)


async def test_the_god_man_reads_his_wards_access_log_and_nobody_elses(
    hub: RunningHub,
) -> None:
    police = hub.token("polisen-stockholm", "officer", sub="p-77")
    await hub.query(police, "query($id: ID!) { child(id: $id) { givenName } }", id=str(MISSING))
    report = """query($id: ID!) { accessReport(childId: $id) {
        organisationId sub categories accesses } }"""
    his_token, other_token = await _god_men(hub)
    mine = await hub.query(his_token, report, id=str(MISSING))
    police_rows = [r for r in mine["accessReport"] if r["organisationId"] == "polisen-stockholm"]
    assert police_rows
    assert {r["sub"] for r in mine["accessReport"]} == {None}, "no person names"
    other = (await hub.graphql(other_token, report, {"id": str(MISSING)})).json()
    assert other["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    refused = (await hub.graphql(police, report, {"id": str(MISSING)})).json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    municipality = await hub.query(hub.token("nacka"), report, id=str(MISSING))
    assert municipality["accessReport"]


async def _god_men(hub: RunningHub) -> tuple[str, str]:
    """The ward's god man's token, and another god man's."""
    async with hub.runtime.pool.acquire() as conn:
        sub = await conn.fetchval("SELECT guardian_sub FROM children WHERE id = $1", MISSING)
    other = "godman-3" if sub != "godman-3" else "godman-4"
    return (
        hub.token("overformyndare-stockholm", "guardian", sub=sub),
        hub.token("overformyndare-stockholm", "guardian", sub=other),
    )
