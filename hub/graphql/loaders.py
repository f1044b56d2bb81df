"""Every DataLoader of one request, built for one principal (they cache per request)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from hub.actor import Actor
from hub.cases import loaders as cases
from hub.children import loaders as children
from hub.consents import loaders as consents
from hub.events import loaders as events
from hub.organisations import loaders as organisations
from hub.routines import loaders as routines

T = TypeVar("T")


class _Lazy(Generic[T]):
    """A loader built on first use, then kept on the instance for the request."""

    def __init__(self, factory: Callable[[Actor], T]) -> None:
        self._factory = factory
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    def __get__(self, loaders: Any, owner: type | None = None) -> T:
        value = self._factory(loaders.actor)
        loaders.__dict__[self._name] = value  # next time a plain attribute: no descriptor
        return value


class Loaders:
    """Every loader of one request; each is built when first used (most operations use a
    few, and a subscription delivery taken from its cohort uses none)."""

    child = _Lazy(children.child_by_id)
    description_history = _Lazy(children.description_history_by_child)
    placements = _Lazy(children.placements_by_child)
    risk_assessments = _Lazy(children.risk_assessments_by_child)
    transfers = _Lazy(children.transfers_by_child)
    contact_reports = _Lazy(children.contact_reports_by_child)
    case = _Lazy(cases.case_by_id)
    cases_of_child = _Lazy(cases.cases_by_child)
    sightings = _Lazy(cases.sightings_by_case)
    consents = _Lazy(consents.consents_by_child)
    tasks = _Lazy(routines.tasks_by_case)
    acknowledged = _Lazy(events.acknowledged_by_caller)  # before `events` hides the module
    events = _Lazy(events.events_by_case)
    contact_points = _Lazy(organisations.contact_points_by_organisation)

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.registry = actor.registry
