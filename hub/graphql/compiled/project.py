"""Projectors: one generated function per (object under a selection, view).

A projector builds an object's answer from its row in one dict display: a field the view
withholds is the constant `None`, a disclosed one reads its column (a text column as it
is, any other through its leaf's conversion), `withheld` is the view's list, made once,
and a nested object is asked of the request (`request.Request`), which knows the policy and
the caller. What the stock path would answer with an error (a null in a non-null field,
a value that does not convert) raises instead, and the whole operation runs on the stock
path, which reports it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hub.graphql.compiled.plan import Computed, Const, Leaf, Nested, Obj, WithheldList
from hub.policy.view import RowView

Projector = Callable[[Any, Any], dict[str, Any]]


class NullInNonNull(ValueError):
    """A null where the schema promises a value: the stock path reports it."""


def _null() -> None:
    raise NullInNonNull


def _withheld(w: WithheldList, obj: Obj, view: RowView) -> list[dict[str, Any]]:
    """The `withheld` list of every object of this type under `view` (shared: the
    response is only serialised, never changed)."""
    answer = []
    for held in view.withheld:
        if held.category not in obj.categories:
            continue
        values = {"category": w.names[held.category], "reason": held.reason}
        answer.append({key: values.get(what, "Withheld") for key, what in w.items})
    return answer


def _leaf(f: Leaf, n: int, names: dict[str, Any]) -> str:
    """A leaf's expression: its column, converted when it is not null."""
    how = f.conversion
    names[f"H{n}"] = how.helper
    converted = how.expression.replace("H", f"H{n}")
    if converted == "v" and not how.non_null:
        return f"r[{f.index}]"
    null = "N()" if how.non_null else "None"
    return f"({null} if (v := r[{f.index}]) is None else {converted})"


def _source(obj: Obj, view: RowView | None, names: dict[str, Any]) -> str:
    """The projector's text; the objects it refers to go into `names`."""
    names["N"] = _null
    lines = []
    for n, f in enumerate(obj.fields):
        category = f.category if isinstance(f, Leaf | Nested) else None
        shown = category is None or view is None or view.allows(category)
        if isinstance(f, Const):
            names[f"K{n}"] = f.value
            value = f"K{n}"
        elif isinstance(f, Computed):
            value = f.expression
        elif not shown:
            value = "None"
        elif isinstance(f, Leaf):
            value = _leaf(f, n, names)
        elif isinstance(f, WithheldList):
            assert view is not None
            names[f"W{n}"] = _withheld(f, obj, view)
            value = f"W{n}"
        else:
            assert isinstance(f, Nested)
            names[f"O{n}"] = f.obj
            how = {
                "Child": "child",
                "Description": "description",
                "Sighting": "sightings",
                "Alert": "alert",
                "Task": "tasks",
            }
            value = f"x.{how[f.obj.type_name]}(O{n}, r)"
        lines.append(f"        {f.key!r}: {value},")
    return "def project(r, x):\n    return {\n" + "\n".join(lines) + "\n    }\n"


def projector(obj: Obj, view: RowView | None) -> Projector:
    """The projector of `obj` under `view` (None: a type without categories), made on
    first use and kept with the plan."""
    key = id(view)
    found = obj.projectors.get(key)
    if found is not None and found[0] is view:
        return found[1]
    names: dict[str, Any] = {}
    code = compile(_source(obj, view, names), f"<projector {obj.type_name}>", "exec")
    exec(code, names)  # the text is made above from the plan: no input in it
    made: Projector = names["project"]
    obj.projectors[key] = (view, made)  # the view kept alive: its id stays its own
    return made
