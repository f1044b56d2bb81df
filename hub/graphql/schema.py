"""The schema, assembled from each domain's root types."""

from __future__ import annotations

from pathlib import Path

import strawberry
from strawberry.tools import merge_types

from hub.audit.schema import AuditQuery
from hub.auth.schema import MeQuery
from hub.cases.mutations import CaseMutation
from hub.cases.schema import CaseQuery
from hub.children.mutations import ChildMutation
from hub.children.schema import ChildQuery
from hub.consents.schema import ConsentMutation
from hub.events.schema import EventSubscription
from hub.graphql.extensions import CodedErrors, Transaction
from hub.organisations.schema import OrganisationQuery
from hub.routines.schema import TaskMutation, TaskQuery
from hub.statistics.schema import StatisticsQuery

SDL_PATH = Path(__file__).resolve().parents[2] / "schema" / "hub.graphql"

Query = merge_types(
    "Query",
    (
        MeQuery,
        OrganisationQuery,
        ChildQuery,
        CaseQuery,
        TaskQuery,
        StatisticsQuery,
        AuditQuery,
    ),
)
Mutation = merge_types("Mutation", (ChildMutation, CaseMutation, TaskMutation, ConsentMutation))


def build_schema() -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=EventSubscription,
        extensions=[Transaction, CodedErrors],
    )


def export_sdl() -> str:
    return build_schema().as_str() + "\n"
