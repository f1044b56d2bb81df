"""The schema, assembled from each domain's root types."""

from __future__ import annotations

import functools
from pathlib import Path

import strawberry
from graphql import GraphQLError
from graphql.validation import ASTValidationRule
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from hub.audit.schema import AuditMutation, AuditQuery
from hub.auth.schema import MeQuery
from hub.cases.facts_schema import CaseFactMutation
from hub.cases.schema import CaseMutation, CaseQuery
from hub.children.audience_schema import AudienceQuery
from hub.children.handover_schema import HandoverMutation, HandoverQuery
from hub.children.lookup_schema import LookupMutation
from hub.children.schema import ChildMutation, ChildQuery
from hub.consents.schema import ConsentMutation
from hub.emergency.schema import EmergencyMutation, EmergencyQuery
from hub.events.schema import EventSubscription, InboxMutation, InboxQuery
from hub.events.webhook_schema import WebhookMutation, WebhookQuery
from hub.graphql.compiled.executor import CompiledExecutionContext
from hub.graphql.extensions import CodedErrors, Transaction
from hub.graphql.limits import Limits, limit_extensions, validation_rules
from hub.graphql.precomputed import SharingExecutionContext
from hub.organisations.schema import OrganisationMutation, OrganisationQuery
from hub.routines.schema import TaskMutation, TaskQuery
from hub.statistics.schema import StatisticsQuery
from hub.telemetry.tracing import Telemetry

SDL_PATH = Path(__file__).resolve().parents[2] / "schema" / "hub.graphql"

Query = merge_types(
    "Query",
    (
        MeQuery,
        OrganisationQuery,
        ChildQuery,
        HandoverQuery,
        AudienceQuery,
        CaseQuery,
        TaskQuery,
        InboxQuery,
        WebhookQuery,
        StatisticsQuery,
        AuditQuery,
        EmergencyQuery,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        ChildMutation,
        HandoverMutation,
        LookupMutation,
        CaseMutation,
        CaseFactMutation,
        TaskMutation,
        InboxMutation,
        WebhookMutation,
        ConsentMutation,
        EmergencyMutation,
        AuditMutation,
        OrganisationMutation,
    ),
)


class HubSchema(strawberry.Schema):
    """strawberry's schema, keeping what the express lane (`hub.graphql.express`) checks
    a request by: the limits and the validation rules its extensions apply."""

    limits: Limits = Limits()
    rules: tuple[type[ASTValidationRule], ...] = ()
    traced: bool = False

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Strawberry would log every error with the operation's text, which may hold
        personal data; CodedErrors logs internal errors by incident id instead."""


def build_schema(
    limits: Limits | None = None,
    *,
    traced: bool = False,
    compiled: bool = True,
) -> HubSchema:
    """`traced` adds the telemetry extension (outermost, so its spans cover the rest);
    `compiled` answers the reads it covers with one statement per root field
    (hub/graphql/compiled/; HUB_COMPILED=0 turns it off): everything else, and every
    read with it off, runs on strawberry's stock executor."""
    limits = limits or Limits()
    tracing: list[type[SchemaExtension]] = [Telemetry] if traced else []
    executor = CompiledExecutionContext if compiled else SharingExecutionContext
    rules = validation_rules(limits)
    schema = HubSchema(
        query=Query,
        mutation=Mutation,
        subscription=EventSubscription,
        execution_context_class=executor,
        extensions=[
            *tracing,
            *limit_extensions(limits, rules),
            Transaction,
            functools.partial(CodedErrors, suggestions=limits.introspection),
        ],
        config=StrawberryConfig(disable_field_suggestions=not limits.introspection),
    )
    schema.limits, schema.rules, schema.traced = limits, tuple(rules), traced
    return schema


def export_sdl() -> str:
    return build_schema().as_str() + "\n"
