"""Limits on what one operation may ask for: depth, aliases, tokens and cost.

Tokens are strawberry's limiter (it counts while parsing). Depth, aliases and cost are
measured here in one walk whose work is linear in the document: each fragment is
measured once (memoised, per page context) and every spread of it reuses the measure,
so a document that spreads a fragment twice per level (2^n expansions) costs n fragment
walks, not 2^n. The walk stops as soon as a limit is passed.

Cost: every field costs one, and a field that pages (has a `first` argument) multiplies
what is under it by the rows it may return: its literal `first`, the largest page when
`first` is a variable (values are not known at validation), the default page when it is
left out (the argument's own default); a plain list of objects counts as the most items
it may hold (`max_items` on the field, see `hub.graphql.categories.shared`; MAX_PAGE
when a list declares none), except a page's own `edges`, already counted by its `first`. So
`cases(first: 500) { edges { node { id status } } }` costs about 1,500, and pages of
pages or `child { cases { child { cases ... } } }` are priced for what they could
return, not for what this database holds today.

Depth counts fields, as strawberry's limiter did (`{ me { sub } }` is 1; fragments and
introspection fields add nothing); aliases count every aliased field of every expansion.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
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
from strawberry.schema.schema import validate_document

from hub.graphql.categories import MAX_ITEMS
from hub.graphql.memo import IdentityMemo
from hub.graphql.pagination import DEFAULT_PAGE, MAX_PAGE
from hub.graphql.persisted import PersistedOnly, Safelist
from hub.graphql.safe_input import SafeStrings, SafeVariables


@dataclass(frozen=True, slots=True)
class Limits:
    depth: int = 12
    aliases: int = 30
    tokens: int = 5000
    cost: int = 50_000
    introspection: bool = True
    persisted: Safelist | None = None  # HUB_PERSISTED_ONLY: only these documents run


@dataclass(frozen=True, slots=True)
class Measure:
    """What a selection could return (cost), how deep it nests, how many aliases it has."""

    cost: int = 0
    depth: int = 0
    aliases: int = 0


class LimitExceeded(Exception):
    def __init__(self, error: GraphQLError) -> None:
        super().__init__(error.message)
        self.error = error


def _rows(field: FieldNode, definition: GraphQLField | None, in_page: bool) -> int:
    if definition is None:
        return 1
    for argument in field.arguments or ():
        if argument.name.value == "first":
            if isinstance(argument.value, IntValueNode):  # over MAX_PAGE: refused anyway
                return min(MAX_PAGE, max(1, int(argument.value.value)))
            if isinstance(argument.value, VariableNode):
                return MAX_PAGE
    first = definition.args.get("first")
    if first is not None:
        default = first.default_value
        return default if isinstance(default, int) and default > 0 else DEFAULT_PAGE
    if in_page or not isinstance(get_nullable_type(definition.type), GraphQLList):
        return 1
    field_definition = (definition.extensions or {}).get("strawberry-definition")
    metadata = getattr(field_definition, "metadata", None) or {}
    bound = metadata.get(MAX_ITEMS)
    return bound if isinstance(bound, int) else MAX_PAGE


class Measurer:
    """Measures the operations of one document against `limits`.

    `visited` counts the selections looked at: the work done, which a test holds linear
    in the document's size whatever its fragments expand to.
    """

    def __init__(self, schema: GraphQLSchema, document: DocumentNode, limits: Limits) -> None:
        self.schema = schema
        self.limits = limits
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.memo: dict[tuple[str, bool], Measure] = {}
        self.open: set[tuple[str, bool]] = set()  # cycles are another rule's error
        self.visited = 0
        self.name = "anonymous"

    def operation(self, node: OperationDefinitionNode) -> Measure:
        """The operation's measure; LimitExceeded as soon as one limit is passed."""
        self.name = node.name.value if node.name else "anonymous"
        return self.selection(node.selection_set, self.schema.get_root_type(node.operation), 1)

    def selection(
        self,
        node: SelectionSetNode | None,
        parent: GraphQLNamedType | None,
        level: int,
        in_page: bool = False,
    ) -> Measure:
        """`level` is the depth of the fields directly in this selection set (root: 1)."""
        if node is None:
            return Measure()
        cost = depth = aliases = 0
        for sel in node.selections:
            self.visited += 1
            if isinstance(sel, FieldNode):
                inner = self.field(sel, parent, level, in_page)
            elif isinstance(sel, InlineFragmentNode):
                condition = sel.type_condition
                typed = self.schema.get_type(condition.name.value) if condition else None
                inner = self.selection(sel.selection_set, typed or parent, level, in_page)
            else:
                assert isinstance(sel, FragmentSpreadNode)
                inner = self.spread(sel, level, in_page)
            cost += inner.cost
            aliases += inner.aliases
            depth = max(depth, inner.depth)
            self._check(cost, aliases)
        return Measure(cost, depth, aliases)

    def spread(self, node: FragmentSpreadNode, level: int, in_page: bool) -> Measure:
        key = (node.name.value, in_page)
        found = self.memo.get(key)
        if found is None:
            fragment = self.fragments.get(node.name.value)
            if fragment is None or key in self.open:
                return Measure()
            self.open.add(key)
            typed = self.schema.get_type(fragment.type_condition.name.value)
            found = self.selection(fragment.selection_set, typed, level, in_page)
            self.memo[key] = found
            self.open.discard(key)
        self._check_depth(level - 1 + found.depth)
        return found

    def field(
        self, node: FieldNode, parent: GraphQLNamedType | None, level: int, in_page: bool
    ) -> Measure:
        definition = None
        # introspection (bounded by the schema, off in prod) is priced a value a field
        if isinstance(parent, GraphQLObjectType) and not parent.name.startswith("__"):
            definition = parent.fields.get(node.name.value)
        child = get_named_type(definition.type) if definition is not None else None
        pages = definition is not None and "first" in definition.args
        # a field with a selection is one level deeper; introspection (and unknown fields,
        # another rule's error) have no definition here and are not counted
        counted = node.selection_set is not None and definition is not None
        if counted:
            self._check_depth(level)
        inner = self.selection(node.selection_set, child, level + counted, pages)
        return Measure(
            cost=1 + _rows(node, definition, in_page) * inner.cost,
            depth=inner.depth + counted,
            aliases=inner.aliases + (1 if node.alias else 0),
        )

    def _check_depth(self, depth: int) -> None:
        if depth > self.limits.depth:
            raise LimitExceeded(
                GraphQLError(
                    f"'{self.name}' exceeds the maximum operation depth of {self.limits.depth}",
                    extensions={"code": "QUERY_TOO_COMPLEX", "limit": self.limits.depth},
                )
            )

    def _check(self, cost: int, aliases: int) -> None:
        if cost > self.limits.cost:
            raise LimitExceeded(
                GraphQLError(
                    f"this operation could return more than {self.limits.cost} values; "
                    "ask for fewer rows (first) or fewer fields",
                    extensions={
                        "code": "QUERY_TOO_COMPLEX",
                        "cost": cost,
                        "limit": self.limits.cost,
                    },
                )
            )
        if aliases > self.limits.aliases:
            raise LimitExceeded(
                GraphQLError(
                    f"more than {self.limits.aliases} aliases in this operation; "
                    "send fewer or split the operation",
                    extensions={"code": "QUERY_TOO_COMPLEX", "limit": self.limits.aliases},
                )
            )


def limits_rule(limits: Limits) -> type[ValidationRule]:
    class OperationLimits(ValidationRule):
        def enter_document(self, node: DocumentNode, *_: object) -> None:
            measurer = Measurer(self.context.schema, node, limits)
            for definition in node.definitions:
                if isinstance(definition, OperationDefinitionNode):
                    try:
                        measurer.operation(definition)
                    except LimitExceeded as exceeded:
                        self.report_error(exceeded.error)
                        return

    return OperationLimits


CACHED_DOCUMENTS = 256


def limit_extensions(
    limits: Limits, rules: list[type[ASTValidationRule]]
) -> list[Callable[[], SchemaExtension]]:
    """Factories for strawberry.Schema's extensions (one of each per request).

    Parsing and validation are cached per document text (frontends send the same few
    documents over and over; validating one cost a third of a list request's CPU). The
    validation cache is keyed by the rule classes too, so they are made once
    (`validation_rules`), by the caller, who keeps them for the express lane.
    Variables are checked for unsafe text after validation, on every request.
    """
    return [
        functools.partial(MaxTokensLimiter, max_token_count=limits.tokens),
        functools.partial(ParserCache, maxsize=CACHED_DOCUMENTS),
        functools.partial(AddValidationRules, rules),
        functools.partial(ValidationMemo, IdentityMemo(CACHED_DOCUMENTS)),
        SafeVariables,
        *([functools.partial(PersistedOnly, limits.persisted)] if limits.persisted else []),
    ]


def validation_rules(limits: Limits) -> list[type[ASTValidationRule]]:
    """The rules every document is validated by, besides graphql-core's own."""
    rules: list[type[ASTValidationRule]] = [limits_rule(limits), SafeStrings]
    if not limits.introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    return rules


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
