"""A mutation names the action it performs, once, where it is declared.

`mutation(Action.CLOSE_CASE, "...")` puts the action into the field's schema description
(partners read which actions.csv rule governs it) and its metadata (a test checks every
mutation has one); the service the resolver calls decides it with `Policy.authorize`.
"""

from __future__ import annotations

from typing import Any

import strawberry

from hub.policy.actions import Action

ACTION = "hub.action"


def mutation(action: Action, description: str) -> Any:
    text = f"{description} [action: {action.value}]"
    return strawberry.mutation(description=text, metadata={ACTION: action})
