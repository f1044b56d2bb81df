"""How a column's value becomes a leaf's output, exactly as the stock path serialises it.

Each conversion is an expression over `v` (the column's non-null value) that a projector
inlines: a text column as it is, an id as `str(uuid)` (what the stock types hold), an
enum's value looked up to its GraphQL name. A date stays a `date`, and a timestamp, which
the rows hold as UTC text, becomes that moment as a naive `datetime` in UTC (text it
cannot read, such as "infinity", raises): strawberry serialises the aware one asyncpg
would have made with `isoformat()`, and the response's encoder, orjson told that naive
means UTC (`dumps`), writes the naive one exactly so (RFC 3339, "+00:00", microseconds
only when there are any; tests/graphql/test_compiled_leaves.py) at a tenth of the cost:
an aware one costs orjson five times a naive one (a 500-case page holds some 3,000).
Anything else
calls the leaf type's serialiser. A value the stock path would answer with an error raises
(a missing enum value, a null item in a list of non-null items), and the operation runs
there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from graphql import (
    GraphQLEnumType,
    GraphQLID,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLOutputType,
    GraphQLString,
    is_leaf_type,
)
from graphql.pyutils import Undefined
from strawberry.schema.types.base_scalars import isoformat

# "2026-12-03 10:00:00.5" (UTC) -> that moment, as a naive datetime in UTC
from_text = datetime.fromisoformat
# what a compiled answer's naive datetimes are: UTC
_NAIVE_UTC = orjson.OPT_NAIVE_UTC


def dumps(answer: Any) -> bytes:
    """A response that may hold a compiled answer, as JSON: every encoder of one must
    use this (a naive datetime is a compiled timestamp, in UTC; the stock path's are
    strings already)."""
    return orjson.dumps(answer, option=_NAIVE_UTC)


class NotALeaf(Exception):
    """The field is not a leaf or a list of leaves."""


@dataclass(frozen=True, slots=True)
class Conversion:
    expression: str  # over `v`; `H` is `helper`
    helper: Any = None
    non_null: bool = False


def _one(leaf: GraphQLLeafType, integer_column: bool, timestamp_column: bool) -> Conversion:
    if isinstance(leaf, GraphQLEnumType):  # the column holds the member's value
        return Conversion("H[v]", {v.value: name for name, v in leaf.values.items()})
    if leaf is GraphQLString or (leaf is GraphQLInt and integer_column):
        return Conversion("v")  # a text column's str; an integer column's int fits Int
    if leaf is GraphQLID:
        return Conversion("str(v)")
    if getattr(leaf, "serialize", None) is isoformat:
        # orjson writes a date or datetime as isoformat() does
        return Conversion("H(v)", from_text) if timestamp_column else Conversion("v")
    coerce = leaf.coerce_output_value

    def checked(value: Any) -> Any:
        out = coerce(value)
        if out is None or out is Undefined:
            raise ValueError("a value the stock path reports")
        return out

    return Conversion("H(v)", checked)


def _items(one: Conversion, item_non_null: bool) -> Callable[[list[Any]], list[Any]]:
    code = f"lambda v: {one.expression}"
    convert = eval(code, {"H": one.helper})  # the expression is one of `_one`'s own

    def items(values: list[Any]) -> list[Any]:
        if item_non_null and None in values:
            raise ValueError("a null item in a list of non-null items")
        return [None if v is None else convert(v) for v in values]

    return items


def conversion(
    type_: GraphQLOutputType, *, integer_column: bool, timestamp_column: bool = False
) -> Conversion:
    """The conversion of a column to a field of `type_` (a leaf or a list of leaves);
    a `timestamp_column` holds a timestamp as UTC text (`compiled_repository.held`)."""
    non_null = isinstance(type_, GraphQLNonNull)
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if isinstance(inner, GraphQLList):
        item = inner.of_type
        item_non_null = isinstance(item, GraphQLNonNull)
        item = item.of_type if isinstance(item, GraphQLNonNull) else item
        if not is_leaf_type(item):
            raise NotALeaf
        items = _items(_one(item, integer_column, timestamp_column), item_non_null)
        return Conversion("H(v)", items, non_null)
    if not is_leaf_type(inner):
        raise NotALeaf
    one = _one(inner, integer_column, timestamp_column)
    return Conversion(one.expression, one.helper, non_null)
