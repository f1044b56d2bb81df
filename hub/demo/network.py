"""The organisations of the demo network, with the stable ids tokens and examples use."""

from __future__ import annotations

from hub.organisations.models import Organisation
from hub.organisations.models import OrganisationKind as K

ORGANISATIONS = (
    Organisation("lansstyrelsen-stockholm", K.COUNTY_BOARD, "Länsstyrelsen Stockholm"),
    Organisation("polisen-stockholm", K.POLICE, "Polisregion Stockholm"),
    Organisation("migrationsverket", K.MIGRATION_AGENCY, "Migrationsverket"),
    Organisation("stockholm", K.MUNICIPALITY, "Stockholms stad"),
    Organisation("sigtuna", K.MUNICIPALITY, "Sigtuna kommun"),
    Organisation("nacka", K.MUNICIPALITY, "Nacka kommun"),
    Organisation("sodertalje", K.MUNICIPALITY, "Södertälje kommun"),
    Organisation("osteraker", K.MUNICIPALITY, "Österåkers kommun"),
    Organisation("hvb-solbacken", K.RESIDENCE, "HVB Solbacken", "stockholm"),
    Organisation("hvb-linden", K.RESIDENCE, "HVB Linden", "sigtuna"),
    Organisation("overformyndare-stockholm", K.GUARDIANSHIP, "Överförmyndarnämnden Stockholm"),
    Organisation("stadsmissionen", K.NGO, "Stockholms Stadsmission"),
    Organisation("radda-barnen", K.NGO, "Rädda Barnen"),
)

MUNICIPALITIES = ("stockholm", "sigtuna", "nacka", "sodertalje", "osteraker")
RESIDENCES = ("hvb-solbacken", "hvb-linden")

# the role each organisation's example token carries
EXAMPLE_ROLES = {
    "lansstyrelsen-stockholm": "coordinator",
    "polisen-stockholm": "officer",
    "migrationsverket": "caseworker",
    "stockholm": "caseworker",
    "sigtuna": "caseworker",
    "nacka": "caseworker",
    "sodertalje": "caseworker",
    "osteraker": "caseworker",
    "hvb-solbacken": "staff",
    "hvb-linden": "staff",
    "overformyndare-stockholm": "guardian",
    "stadsmissionen": "staff",
    "radda-barnen": "staff",
}

# god män: each is the guardian of the demo children whose guardianSub is theirs
GUARDIAN_SUBS = tuple(f"godman-{n}" for n in range(1, 11))


def client_secret(organisation_id: str) -> str:
    """The dev issuer's demo client secret for an organisation (demo only, never prod)."""
    return f"demo-secret-{organisation_id}"
