"""The county network's directory."""

from __future__ import annotations

from hub.actor import Actor
from hub.organisations.models import Organisation


def directory(actor: Actor) -> list[Organisation]:
    """The county network: every organisation may know who the others are."""
    return actor.registry.all()
