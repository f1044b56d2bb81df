"""Relay-style connections with opaque cursors.

A cursor is the row's id, base64-encoded; the repository finds the row's sort key in
SQL, so a cursor never carries data (a name, a date) that its holder may not see.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

import strawberry

from hub.db.paging import PageRequest
from hub.errors import InvalidInput

DEFAULT_PAGE = 50
MAX_PAGE = 500

N = TypeVar("N")
M = TypeVar("M")


def encode_cursor(row_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(row_id.bytes).decode().rstrip("=")


def decode_cursor(cursor: str) -> uuid.UUID:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return uuid.UUID(bytes=raw)
    except (binascii.Error, ValueError):
        raise InvalidInput(
            "this cursor was not issued by the hub; pass an endCursor from a previous page",
            field="after",
        ) from None


def page_request(first: int | None, after: str | None) -> PageRequest:
    size = DEFAULT_PAGE if first is None else first
    if not 0 <= size <= MAX_PAGE:
        raise InvalidInput(f"first must be between 0 and {MAX_PAGE}", field="first")
    return PageRequest(first=size, after=decode_cursor(after) if after else None)


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[N]):
    cursor: str
    node: N


@strawberry.type
class Connection(Generic[N]):
    edges: list[Edge[N]]
    page_info: PageInfo
    total_count: int


def connection(
    rows: Sequence[M],
    page: PageRequest,
    total: int,
    *,
    node: Callable[[M], N],
    row_id: Callable[[M], uuid.UUID],
) -> Connection[N]:
    """Build a connection from up to `page.limit` rows fetched in order."""
    visible = rows[: page.first]
    edges = [Edge(cursor=encode_cursor(row_id(r)), node=node(r)) for r in visible]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(rows) > page.first,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=total,
    )
