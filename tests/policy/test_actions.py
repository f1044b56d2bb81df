"""Every action is in policies/actions.csv and enforced through the policy; nothing the
code enforces is missing from the file."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from hub.policy.actions import Action
from hub.policy.enforcer import Enforcer
from tests.conftest import RunningHub

HUB = Path(__file__).resolve().parents[2] / "hub"
_DECIDERS = {"authorize", "may", "authorize_auditor"}


def _calls_and_references() -> tuple[list[str], set[str]]:
    """Calls of the policy's deciders with a literal action; every `Action.X` used."""
    literal_calls: list[str] = []
    used: set[str] = set()
    for path in HUB.rglob("*.py"):
        if path.name == "actions.py" and path.parent.name == "policy":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "Action"
            ):
                used.add(node.attr)
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in _DECIDERS
                and any(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args)
            ):
                literal_calls.append(f"{path.relative_to(HUB)}:{node.lineno}")
    return literal_calls, used


def test_every_action_has_a_rule_and_every_rule_names_an_action() -> None:
    in_file = {r.action for r in Enforcer().action_rules}
    assert in_file == {a.value for a in Action}


def test_every_action_is_enforced_in_the_code_and_none_by_a_bare_string() -> None:
    literal_calls, used = _calls_and_references()
    assert literal_calls == [], "decide by Action, so the file and the code cannot drift"
    assert used == {a.name for a in Action}


@pytest.mark.parametrize("roles", [["auditor"], []])
async def test_tasks_are_neither_listed_nor_completed_for_auditors_or_role_less_tokens(
    hub: RunningHub, roles: list[str]
) -> None:
    token = hub.issuer.issue(sub="someone@stockholm", org="stockholm", roles=roles, ttl=600)
    listed = await hub.graphql(token, "{ myTasks { totalCount } }")
    assert listed.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    mutation = """mutation($id: ID!) { completeTask(input: {taskId: $id}) { task { id } } }"""
    done = await hub.graphql(token, mutation, {"id": "00000000-0000-0000-0000-000000000000"})
    assert done.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    caseworker = hub.token("stockholm")
    mine = await hub.query(caseworker, "{ myTasks { totalCount } }")
    assert mine["myTasks"]["totalCount"] > 0  # the demo gives Stockholm open tasks


def test_every_mutation_declares_the_action_it_performs() -> None:
    from hub.graphql.actions import ACTION
    from hub.graphql.schema import build_schema

    mutation = build_schema()._schema.mutation_type
    assert mutation is not None
    declared = {}
    for name, field in mutation.fields.items():
        definition = (field.extensions or {}).get("strawberry-definition")
        action = (getattr(definition, "metadata", None) or {}).get(ACTION)
        assert isinstance(action, Action), f"mutation {name} declares no action"
        assert f"[action: {action.value}]" in (field.description or ""), name
        declared[name] = action
    assert all(name == action.value for name, action in declared.items())
