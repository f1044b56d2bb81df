"""HUB_PERSISTED_ONLY: only the operations a frontend shipped with may run.

The safelist is a JSON object mapping each document's SHA-256 (hex, of its exact text)
to the document, as frontends' build tools write it. A request names a listed operation
by `extensions.persistedQuery.sha256Hash` (the automatic-persisted-queries form) or
sends a text that hashes to a listed one. Each transport (HTTP, WebSocket, SSE) turns a
named hash into its document; the `PersistedOnly` extension then refuses, on every
transport alike, any document that is not listed, before it is validated or run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from hub.errors import ConfigurationError, HubError


class NotPersisted(HubError):
    code = "PERSISTED_QUERY_NOT_FOUND"


NOT_PERSISTED = (
    "this hub runs only persisted operations; send a known sha256 in "
    "extensions.persistedQuery.sha256Hash"
)


def digest(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


class Safelist:
    def __init__(self, documents: Mapping[str, str]) -> None:
        self._documents = dict(documents)

    @classmethod
    def load(cls, path: Path) -> Safelist:
        try:
            raw = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise ConfigurationError(f"HUB_PERSISTED_ONLY: cannot read {path}: {exc}") from None
        if not isinstance(raw, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
        ):
            raise ConfigurationError(
                f"HUB_PERSISTED_ONLY: {path} must be a JSON object of sha256 -> document"
            )
        wrong = sorted(k for k, v in raw.items() if digest(v) != k.removeprefix("sha256:"))
        if wrong:
            raise ConfigurationError(
                f"HUB_PERSISTED_ONLY: {len(wrong)} entries do not hash to their key, "
                f"first {wrong[0][:16]}…"
            )
        return cls({k.removeprefix("sha256:"): v for k, v in raw.items()})

    def __len__(self) -> int:
        return len(self._documents)

    def holds(self, document: str | None) -> bool:
        return document is not None and digest(document) in self._documents

    def resolve(self, query: str | None, extensions: Mapping[str, Any] | None) -> str:
        """The document a request may run, or NotPersisted."""
        wanted = _named_hash(extensions or {})
        if wanted is None and query is not None:
            wanted = digest(query)
        if wanted is not None and wanted in self._documents:
            return self._documents[wanted]
        raise NotPersisted(NOT_PERSISTED)


def _named_hash(extensions: Mapping[str, Any]) -> str | None:
    persisted = extensions.get("persistedQuery")
    named = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
    return named if isinstance(named, str) else None


class PersistedOnly(SchemaExtension):
    """Refuse every document the safelist does not hold, whatever brought it."""

    def __init__(self, safelist: Safelist) -> None:
        super().__init__()
        self._safelist = safelist

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        if not self._safelist.holds(ctx.query):
            ctx.pre_execution_errors = [
                GraphQLError(NOT_PERSISTED, extensions={"code": NotPersisted.code})
            ]
        yield
