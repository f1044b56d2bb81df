"""The county network's directory, and whom to call at each organisation."""

from __future__ import annotations

from collections.abc import Sequence

from hub.actor import Actor
from hub.errors import InvalidInput
from hub.organisations import repository
from hub.organisations.models import ContactPoint, Organisation
from hub.policy.actions import Action
from hub.validation import email, phone, required_text, text

MAX_CONTACT_POINTS = 10


def directory(actor: Actor) -> list[Organisation]:
    """The county network: every organisation may know who the others are."""
    return actor.registry.all()


async def contact_points(actor: Actor, ids: Sequence[str]) -> dict[str, list[ContactPoint]]:
    """Organisational data: every member of the network may read every organisation's."""
    return await repository.contact_points(actor.db, ids)


def _checked(point: ContactPoint, n: int) -> ContactPoint:
    field = f"contactPoints[{n}]"
    checked = ContactPoint(
        label=required_text(point.label, f"{field}.label", max_length=100),
        phone=phone(point.phone, f"{field}.phone"),
        email=email(point.email, f"{field}.email"),
        hours=text(point.hours, f"{field}.hours", max_length=100, required=False),
        on_call=point.on_call,
    )
    if checked.phone is None and checked.email is None:
        raise InvalidInput(f"{field} needs a phone or an e-mail address", field=field)
    return checked


async def set_contact_points(
    actor: Actor, organisation_id: str, points: Sequence[ContactPoint]
) -> Organisation:
    """An organisation's admin replaces its contact points (its own only)."""
    actor.policy.authorize_admin(actor.principal, Action.SET_CONTACT_POINTS)
    if organisation_id != actor.principal.organisation_id:
        raise InvalidInput(
            "an admin sets the contact points of their own organisation", field="organisationId"
        )
    if len(points) > MAX_CONTACT_POINTS:
        raise InvalidInput(f"at most {MAX_CONTACT_POINTS} contact points", field="contactPoints")
    checked = [_checked(p, n) for n, p in enumerate(points)]
    await repository.replace_contact_points(actor.db, organisation_id, checked)
    return actor.principal.organisation
