"""Fields declare their data category here; masking by category happens here only.

`shared(CATEGORY)` marks a strawberry field with the category of the data it carries
(and says so in the schema description partners read). `masked(Type, values, view)`
builds the GraphQL object for one row: every field whose category the view does not
allow becomes `null`, and the object's `withheld` list names each such category once.
Nothing per field runs at resolve time, so masking costs the same for 1 row or 500.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Coroutine
from typing import Any, NamedTuple, TypeVar

import strawberry

from hub.audit import recorder
from hub.graphql.memo import IdentityMemo
from hub.policy.categories import DataCategory
from hub.policy.view import RowView

T = TypeVar("T")
R = TypeVar("R", bound=Callable[..., Coroutine[Any, Any, Any]])

DataCategoryType = strawberry.enum(
    DataCategory,
    name="DataCategory",
    description=("A category of personal data; each shared field belongs to one."),
)


@strawberry.type(description="A category held back from the caller, and why.")
class Withheld:
    category: DataCategoryType  # type: ignore[valid-type]
    reason: str


_KEY = "hub.category"


MAX_ITEMS = "hub.max_items"
# bounds of lists whose length the hub itself fixes
CATEGORY_COUNT = len(DataCategory)
ORGANISATIONS = 60  # one county network: 26 municipalities and some 30 others


def bounded(max_items: int, description: str = "", **kwargs: Any) -> Any:
    """A list field that holds at most `max_items` (the cost limit prices it by that)."""
    return strawberry.field(description=description, metadata={MAX_ITEMS: max_items}, **kwargs)


def shared(
    category: DataCategory, description: str = "", *, max_items: int | None = None, **kwargs: Any
) -> Any:
    """A field carrying data of `category`; a list field names the most items it holds
    (its resolver keeps to it; the cost limit prices the field by it)."""
    text = f"{description} [category: {category.value}]".strip()
    metadata: dict[str, object] = {_KEY: category}
    if max_items is not None:
        metadata[MAX_ITEMS] = max_items
    return strawberry.field(description=text, metadata=metadata, **kwargs)


_FIELDS: dict[type, dict[str, DataCategory]] = {}


def field_categories(cls: type[Any]) -> dict[str, DataCategory]:
    """Python field name -> category, for every shared field of a strawberry type."""
    found = _FIELDS.get(cls)
    if found is None:
        definition = cls.__strawberry_definition__
        found = _FIELDS[cls] = {
            f.python_name: f.metadata[_KEY]
            for f in definition.fields
            if f.metadata and _KEY in f.metadata
        }
    return found


_TYPE_CATEGORIES: dict[type, frozenset[DataCategory]] = {}


def type_categories(cls: type[Any]) -> frozenset[DataCategory]:
    found = _TYPE_CATEGORIES.get(cls)
    if found is None:
        found = _TYPE_CATEGORIES[cls] = frozenset(field_categories(cls).values())
    return found


class _Masking(NamedTuple):
    """What a view does to one type: the fields it nulls, the `withheld` list it shows."""

    nulled: tuple[str, ...]
    withheld: tuple[Withheld, ...]  # shared by every object under the view: immutable


_MASKINGS: IdentityMemo[_Masking] = IdentityMemo(4096)


def _masking(cls: type[Any], view: RowView, present: frozenset[DataCategory]) -> _Masking:
    """Worked out once per (type, view): a page of 500 rows shares a handful of views."""
    return _MASKINGS.get(
        (cls, view),
        lambda: _Masking(
            tuple(n for n, c in field_categories(cls).items() if not view.allows(c)),
            tuple(
                Withheld(category=w.category, reason=w.reason)
                for w in view.withheld
                if w.category in present
            ),
        ),
    )


def masked(
    cls: type[T],
    values: dict[str, Any],
    view: RowView,
    *,
    child_id: uuid.UUID,
    case_id: uuid.UUID | None = None,
) -> T:
    """Instantiate `cls` from `values`, nulling what `view` withholds, and tell the
    operation's audit recorder what this object discloses about `child_id`.

    `cls` declares `view: strawberry.Private[RowView]` and `withheld: list[Withheld]`.
    """
    audit = recorder.current()
    if audit is None:
        raise RuntimeError("shared data built outside an audited operation")
    present = type_categories(cls)
    audit.disclosed(
        cls.__strawberry_definition__.name,  # type: ignore[attr-defined]
        present,
        view,
        child_id=child_id,
        case_id=case_id,
    )
    masking = _masking(cls, view, present)
    for name in masking.nulled:
        if name in values:
            values[name] = None
    values["view"] = view
    values["withheld"] = masking.withheld
    return cls(**values)


def category_of(cls: type, field_name: str) -> DataCategory | None:
    return field_categories(cls).get(field_name)


def shared_resolver(
    category: DataCategory, description: str = "", *, max_items: int | None = None
) -> Callable[[R], Any]:
    """A resolver field carrying data of `category`; it answers `null` when withheld.

    The object must hold its `RowView` in a private `view` attribute (set by `masked`).
    """

    def decorate(resolver: R) -> Any:
        @functools.wraps(resolver)
        async def guarded(self: Any, *args: Any, **kwargs: Any) -> Any:
            if not self.view.allows(category):
                return None
            return await resolver(self, *args, **kwargs)

        return shared(category, description, resolver=guarded, max_items=max_items)

    return decorate
