"""Refused attempts, read off an operation's errors: what was asked, about whom.

A refusal names no child in its error (the caller must not learn more than "no"), but
the audit record does: the ids are taken from the refused field's own arguments.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from graphql import (
    FieldNode,
    GraphQLError,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    StringValueNode,
    ValueNode,
    VariableNode,
)

from hub.audit import recorder
from hub.audit.models import AuditKind
from hub.audit.recorder import Recorder
from hub.errors import InvalidInput

_RECORDED = frozenset({"FORBIDDEN", "NOT_FOUND"})
_CHILD_KEYS = frozenset({"childId"})
_CASE_KEYS = frozenset({"caseId"})


def refuse_cursor(list_name: str) -> InvalidInput:
    """A page cursor that names no row of the caller's scope (another's, or none at all,
    alike): recorded as a probe, answered as a bad cursor. Raise what it returns."""
    audit = recorder.current()
    if audit is not None:
        audit.record(AuditKind.DENIED, list_name, details={"code": "CURSOR_OUT_OF_SCOPE"})
    return InvalidInput("after is not a cursor of this list", field="after")


def record_refusals(audit: Recorder, ctx: Any, errors: Iterable[GraphQLError]) -> None:
    for error in errors:
        code = (error.extensions or {}).get("code")
        if code not in _RECORDED or not error.path:
            continue
        root = str(error.path[0])
        arguments = _arguments(ctx, root)
        children = set(_ids(arguments, _CHILD_KEYS | ({"id"} if root == "child" else set())))
        cases = set(_ids(arguments, _CASE_KEYS | ({"id"} if root == "case" else set())))
        child = next(iter(children)) if len(children) == 1 else None
        audit.record(
            AuditKind.DENIED,
            root,
            child_id=child,
            case_ids=sorted(cases),
            details={"code": code, "reason": error.message},
        )


def _arguments(ctx: Any, response_key: str) -> dict[str, Any]:
    """The root field's arguments as the caller sent them (variables filled in)."""
    document = ctx.graphql_document
    if document is None:
        return {}
    variables = ctx.variables or {}
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if ctx.operation_name and (definition.name and definition.name.value) != ctx.operation_name:
            continue
        for node in definition.selection_set.selections:
            if not isinstance(node, FieldNode):
                continue
            key = node.alias.value if node.alias else node.name.value
            if key == response_key:
                return {a.name.value: _value(a.value, variables) for a in node.arguments or ()}
    return {}


def _value(node: ValueNode, variables: dict[str, Any]) -> Any:
    if isinstance(node, VariableNode):
        return variables.get(node.name.value)
    if isinstance(node, ObjectValueNode):
        return {f.name.value: _value(f.value, variables) for f in node.fields}
    if isinstance(node, ListValueNode):
        return [_value(v, variables) for v in node.values]
    if isinstance(node, StringValueNode):
        return node.value
    return None


def _ids(value: Any, keys: frozenset[str]) -> Iterator[uuid.UUID]:
    """UUIDs under `keys` anywhere in the arguments."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in keys and isinstance(item, str):
                try:
                    yield uuid.UUID(item)
                except ValueError:
                    continue
            else:
                yield from _ids(item, keys)
    elif isinstance(value, list):
        for item in value:
            yield from _ids(item, keys)
