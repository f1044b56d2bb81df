"""Every DataLoader of one request, built for one principal (they cache per request)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from hub.actor import Actor
from hub.cases import loaders as cases
from hub.children import loaders as children
from hub.consents import loaders as consents
from hub.events import loaders as events
from hub.organisations import loaders as organisations
from hub.routines import loaders as routines

S = TypeVar("S")
R = TypeVar("R")


class Loaders:
    def __init__(self, actor: Actor) -> None:
        self.registry = actor.registry
        self.child = children.child_by_id(actor)
        self.description_history = children.description_history_by_child(actor)
        self.placements = children.placements_by_child(actor)
        self.risk_assessments = children.risk_assessments_by_child(actor)
        self.transfers = children.transfers_by_child(actor)
        self.contact_reports = children.contact_reports_by_child(actor)
        self.case = cases.case_by_id(actor)
        self.cases_of_child = cases.cases_by_child(actor)
        self.sightings = cases.sightings_by_case(actor)
        self.consents = consents.consents_by_child(actor)
        self.tasks = routines.tasks_by_case(actor)
        self.events = events.events_by_case(actor)
        self.contact_points = organisations.contact_points_by_organisation(actor)
        self._built: dict[tuple[object, int], tuple[object, Any]] = {}

    def once(self, build: Callable[[S], R], source: S) -> R:
        """`build(source)` once per source object in this request: rows that share a
        related row (the cases of one child) share its GraphQL object, and the executor
        completes a shared object once (hub.graphql.execution)."""
        key = (build, id(source))
        found = self._built.get(key)
        if found is None:
            found = self._built[key] = (source, build(source))  # the source kept alive
        value: R = found[1]
        return value
