"""Reading a request's JSON without letting a malformed one become a 500.

Not UTF-8, not JSON, nested past any sensible depth (Python's parser would recurse until
it fails), or not the object a GraphQL request is: each is BAD_REQUEST, saying which.
"""

from __future__ import annotations

import json
from typing import Any

from hub.errors import BadRequest

_FIELDS = {"query": str, "operationName": str, "variables": dict, "extensions": dict}


def loads(data: str | bytes) -> Any:
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise BadRequest("the request body is not UTF-8") from None
    try:
        return json.loads(text)
    except RecursionError:
        raise BadRequest("the request's JSON nests too deeply") from None
    except ValueError:
        raise BadRequest("the request body is not JSON") from None


def graphql_request(value: Any) -> dict[str, Any]:
    """`value` as one GraphQL request: an object whose known members have their types."""
    if not isinstance(value, dict):
        raise BadRequest("send one GraphQL request as a JSON object with a query")
    for name, kind in _FIELDS.items():
        member = value.get(name)
        if member is not None and not isinstance(member, kind):
            raise BadRequest(f"{name} must be a JSON {'string' if kind is str else 'object'}")
    return value
