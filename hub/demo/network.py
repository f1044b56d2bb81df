"""The organisations of the demo network, with the stable ids tokens and examples use."""

from __future__ import annotations

from hub.organisations.models import ContactPoint, Organisation
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


# whom to call: each organisation's contact points (fictional numbers, 08-xxx xx xx)
CONTACT_POINTS: dict[str, tuple[ContactPoint, ...]] = {
    "stockholm": (
        ContactPoint("Socialjouren", "08-508 400 00", None, "dygnet runt", on_call=True),
        ContactPoint("Enheten för ensamkommande", "08-508 100 00", None, "vardagar 8-17", False),
    ),
    "sigtuna": (
        ContactPoint("Socialjour Nord", "08-591 260 00", None, "kvällar och helger", True),
    ),
    "nacka": (ContactPoint("Socialjouren", "08-718 80 00", None, "dygnet runt", on_call=True),),
    "sodertalje": (ContactPoint("Socialjouren", "08-523 010 00", None, "dygnet runt", True),),
    "osteraker": (ContactPoint("Socialjour Nord", "08-540 810 00", None, "dygnet runt", True),),
    "hvb-solbacken": (ContactPoint("Nattpersonal", "08-640 11 00", None, "22-07", on_call=True),),
    "hvb-linden": (ContactPoint("Personal", "08-591 111 00", None, "dygnet runt", on_call=True),),
    "polisen-stockholm": (ContactPoint("Polisen", "114 14", None, "dygnet runt", on_call=True),),
    "migrationsverket": (
        ContactPoint("Mottagningsenheten", "0771-235 235", None, "vardagar 8-16", False),
    ),
    "overformyndare-stockholm": (
        ContactPoint("Överförmyndarförvaltningen", "08-508 071 00", None, "vardagar", False),
    ),
    "stadsmissionen": (ContactPoint("Uppsökarna", "08-684 237 00", None, "kvällar", True),),
}

# the god män's names (their own; never a child's)
GUARDIAN_NAMES = {
    sub: name
    for sub, name in zip(
        GUARDIAN_SUBS,
        (
            "Eva Lindqvist",
            "Karim Haddad",
            "Birgitta Ek",
            "Johan Strand",
            "Maria Nordin",
            "Ali Rahimi",
            "Sofia Berg",
            "Anders Holm",
            "Leila Saberi",
            "Per Ström",
        ),
        strict=True,
    )
}
