from __future__ import annotations

from hub.organisations.models import Organisation
from hub.organisations.registry import OrganisationRegistry


def directory(registry: OrganisationRegistry) -> list[Organisation]:
    """The county network: every organisation may know who the others are."""
    return registry.all()
