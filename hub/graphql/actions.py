"""A mutation names the action it performs, once, where it is declared.

`mutation(Action.CLOSE_CASE, "...")` puts the action into the field's schema description
(partners read which actions.csv rule governs it) and its metadata (a test checks every
mutation has one); the service the resolver calls decides it with `Policy.authorize`.
"""

from __future__ import annotations

from typing import Any

import strawberry

from hub.graphql.categories import MAX_ITEMS
from hub.policy.actions import Action

ACTION = "hub.action"


def mutation(action: Action, description: str, *, max_items: int | None = None) -> Any:
    """`max_items`: for a mutation answering a list, the most it holds (the cost limit)."""
    text = f"{description} [action: {action.value}]"
    metadata: dict[str, object] = {ACTION: action}
    if max_items is not None:
        metadata[MAX_ITEMS] = max_items
    return strawberry.mutation(description=text, metadata=metadata)
