"""Every string a caller sends is text PostgreSQL can hold (see `hub.text`).

String literals in a document are checked by a validation rule (so once per document);
variables by an extension, on every request and every transport (HTTP, WebSocket, SSE).
Either answers INVALID_INPUT naming where the string was, before anything runs.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError, StringValueNode, ValidationRule
from strawberry.extensions import SchemaExtension

from hub.text import is_unsafe, unsafe_text

_MESSAGE = "text may not contain NUL characters or unpaired surrogates"


class SafeStrings(ValidationRule):
    def enter_string_value(self, node: StringValueNode, *_: object) -> None:
        if is_unsafe(node.value):
            self.report_error(
                GraphQLError(
                    f"a string in the document: {_MESSAGE}",
                    node,
                    extensions={"code": "INVALID_INPUT", "field": "query"},
                )
            )


class SafeVariables(SchemaExtension):
    """Runs after validation has set its errors (it comes after ValidationMemo)."""

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        if not ctx.pre_execution_errors:
            bad = next(unsafe_text(ctx.variables or {}), None)
            if bad is not None:
                ctx.pre_execution_errors = [
                    GraphQLError(
                        f"{bad}: {_MESSAGE}", extensions={"code": "INVALID_INPUT", "field": bad}
                    )
                ]
        yield
