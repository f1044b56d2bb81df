"""Limits on what one operation may ask for: depth, aliases, tokens and cost.

Depth, aliases and tokens are strawberry's own limiters' rules. Cost is ours: every field costs
one, and a field that pages (has a `first` argument) multiplies what is under it by the
rows it may return: its literal `first`, the largest page when `first` is a variable
(values are not known at validation), the default page when it is left out; a plain
list (a child's cases, a case's sightings) counts as LIST_GUESS items, except a page's
own `edges`, already counted by its `first`. So
`cases(first: 500) { edges { node { id status } } }` costs about 1,500, and pages of
pages or `child { cases { child { cases ... } } }` are priced for what they could
return, not for what this database holds today.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    VariableNode,
    get_named_type,
    get_nullable_type,
)
from graphql.validation import ASTValidationRule, NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
)
from strawberry.extensions.max_aliases import create_validator as alias_limit
from strawberry.extensions.query_depth_limiter import create_validator as depth_limit
from strawberry.schema.schema import validate_document

from hub.graphql.memo import IdentityMemo
from hub.graphql.pagination import DEFAULT_PAGE, MAX_PAGE

LIST_GUESS = 10


@dataclass(frozen=True, slots=True)
class Limits:
    depth: int = 12
    aliases: int = 30
    tokens: int = 5000
    cost: int = 50_000
    introspection: bool = True


def _rows(field: FieldNode, definition: GraphQLField | None, in_page: bool) -> int:
    if definition is None:
        return 1
    for argument in field.arguments or ():
        if argument.name.value == "first":
            if isinstance(argument.value, IntValueNode):  # over MAX_PAGE: refused anyway
                return min(MAX_PAGE, max(1, int(argument.value.value)))
            if isinstance(argument.value, VariableNode):
                return MAX_PAGE
    if "first" in definition.args:
        return DEFAULT_PAGE
    is_list = isinstance(get_nullable_type(definition.type), GraphQLList)
    return LIST_GUESS if is_list and not in_page else 1


class _Pricer:
    def __init__(self, context: ValidationContext) -> None:
        self.context = context
        self.seen: set[str] = set()  # fragment cycles are another rule's error

    def selection(
        self, node: SelectionSetNode | None, parent: GraphQLNamedType | None, in_page: bool = False
    ) -> int:
        if node is None:
            return 0
        total = 0
        for sel in node.selections:
            if isinstance(sel, FieldNode):
                total += self.field(sel, parent, in_page)
            elif isinstance(sel, InlineFragmentNode):
                condition = sel.type_condition
                inner = self.context.schema.get_type(condition.name.value) if condition else None
                total += self.selection(sel.selection_set, inner or parent, in_page)
            elif isinstance(sel, FragmentSpreadNode) and sel.name.value not in self.seen:
                fragment = self.context.get_fragment(sel.name.value)
                if isinstance(fragment, FragmentDefinitionNode):
                    self.seen.add(sel.name.value)
                    inner = self.context.schema.get_type(fragment.type_condition.name.value)
                    total += self.selection(fragment.selection_set, inner, in_page)
                    self.seen.discard(sel.name.value)
        return total

    def field(self, node: FieldNode, parent: GraphQLNamedType | None, in_page: bool) -> int:
        definition = None
        if isinstance(parent, GraphQLObjectType):
            definition = parent.fields.get(node.name.value)
        child = get_named_type(definition.type) if definition is not None else None
        pages = definition is not None and "first" in definition.args
        inner = self.selection(node.selection_set, child, pages)
        return 1 + _rows(node, definition, in_page) * inner


def cost_rule(limit: int) -> type[ValidationRule]:
    class CostLimit(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: object) -> None:
            root = self.context.schema.get_root_type(node.operation)
            cost = _Pricer(self.context).selection(node.selection_set, root)
            if cost > limit:
                self.report_error(
                    GraphQLError(
                        f"this operation could return about {cost} values, more than the "
                        f"limit of {limit}; ask for fewer rows (first) or fewer fields",
                        node,
                        extensions={"code": "QUERY_TOO_COMPLEX", "cost": cost, "limit": limit},
                    )
                )

    return CostLimit


CACHED_DOCUMENTS = 256


def limit_extensions(limits: Limits) -> list[Callable[[], SchemaExtension]]:
    """Factories for strawberry.Schema's extensions (one of each per request).

    Parsing and validation are cached per document text (frontends send the same few
    documents over and over; validating one cost a third of a list request's CPU). The
    validation cache is keyed by the rule classes too, so they are made once, here.
    """
    rules: list[type[ASTValidationRule]] = [
        depth_limit(limits.depth, None),
        alias_limit(limits.aliases),
        cost_rule(limits.cost),
    ]
    if not limits.introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    return [
        functools.partial(MaxTokensLimiter, max_token_count=limits.tokens),
        functools.partial(ParserCache, maxsize=CACHED_DOCUMENTS),
        functools.partial(AddValidationRules, rules),
        functools.partial(ValidationMemo, IdentityMemo(CACHED_DOCUMENTS)),
    ]


class ValidationMemo(SchemaExtension):
    """Validate each parsed document once (per schema: the memo is made with its rules).

    Like strawberry's ValidationCache, but keyed by the document's identity: hashing a
    graphql-core document walks its whole tree, on every request."""

    def __init__(self, memo: IdentityMemo[list[GraphQLError]]) -> None:
        super().__init__()
        self._memo = memo

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        schema, document = ctx.schema._schema, ctx.graphql_document
        assert document is not None  # strawberry validates parsed documents only
        ctx.pre_execution_errors = self._memo.get(
            (schema, document), lambda: validate_document(schema, document, ctx.validation_rules)
        )
        yield
