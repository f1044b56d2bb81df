"""The policy as data: the whole matrix against the expectations table, the memo key, lint."""

from __future__ import annotations

import difflib
import re
import shutil
from dataclasses import fields
from pathlib import Path

import pytest

from hub.errors import ConfigurationError
from hub.policy.enforcer import DecisionKey, Enforcer
from hub.policy.matrix import ACTION_EXPECTATIONS, EXPECTATIONS, action_lines, matrix_lines
from hub.policy.rules import POLICY_DIR


def test_every_decision_matches_the_expectations_table() -> None:
    expected = EXPECTATIONS.read_text().splitlines()
    actual = matrix_lines(Enforcer())
    diff = "\n".join(
        difflib.unified_diff(expected, actual, "expectations.csv", "policy", lineterm="")
    )
    assert not diff, f"the policy changed these decisions (hub policy matrix --write):\n{diff}"


def test_every_action_rule_matches_the_action_expectations_table() -> None:
    expected = ACTION_EXPECTATIONS.read_text().splitlines()
    actual = action_lines(Enforcer())
    diff = "\n".join(
        difflib.unified_diff(expected, actual, "action_expectations.csv", "policy", lineterm="")
    )
    assert not diff, f"the policy changed these actions (hub policy matrix --write):\n{diff}"


@pytest.mark.parametrize(
    ("key", "allowed"),
    [
        # police: description while missing, not once the case is closed; health never by itself
        (("POLICE", "none", "DESCRIPTION", "REPORTED_MISSING", False, False, "protection"), True),
        (("POLICE", "none", "DESCRIPTION", "CLOSED", False, False, "protection"), False),
        (("POLICE", "none", "HEALTH", "REPORTED_MISSING", False, False, "protection"), False),
        (("POLICE", "none", "HEALTH", "REPORTED_MISSING", False, True, "protection"), True),
        # NGOs: only with consent, and never health even with consent
        (("NGO", "none", "DESCRIPTION", "ABSENT", False, False, "protection"), False),
        (("NGO", "none", "DESCRIPTION", "ABSENT", True, False, "protection"), True),
        (("NGO", "none", "HEALTH", "ABSENT", True, True, "protection"), False),
        # the county board: nothing, whatever happens
        (("COUNTY_BOARD", "none", "CASE_STATUS", "ABSENT", True, True, "protection"), False),
        # enforcement never reaches health
        (
            (
                "MUNICIPALITY",
                "responsible_municipality",
                "HEALTH",
                "NONE",
                False,
                False,
                "enforcement",
            ),
            False,
        ),
    ],
)
def test_the_key_facts_of_the_matrix_hold(key: tuple[object, ...], allowed: bool) -> None:
    assert Enforcer().decide(DecisionKey(*key)).allowed is allowed  # type: ignore[arg-type]


def test_the_memo_key_holds_every_attribute_the_matcher_reads() -> None:
    model = (POLICY_DIR / "model.conf").read_text()
    request = re.search(r"^r = (.+)$", model, re.MULTILINE)
    matcher = re.search(r"^m = (.+)$", model, re.MULTILINE)
    assert request
    assert matcher
    declared = [a.strip() for a in request.group(1).split(",")]
    read = set(re.findall(r"\br\.(\w+)", matcher.group(1)))
    key = [f.name for f in fields(DecisionKey)]
    assert key == declared, "DecisionKey must list r's attributes in model.conf's order"
    assert read <= set(key), f"the matcher reads {read - set(key)} that the memo key lacks"


def test_a_500_row_page_of_one_kind_needs_a_handful_of_enforcer_calls() -> None:
    enforcer = Enforcer()
    for _ in range(500):
        for state in ("ABSENT", "REPORTED_MISSING"):
            for category in ("IDENTITY", "DESCRIPTION", "HEALTH"):
                enforcer.decide(
                    DecisionKey("POLICE", "none", category, state, False, False, "protection")
                )
    assert enforcer.enforcer_calls == 6


def test_a_decision_names_its_rule_and_legal_basis() -> None:
    decision = Enforcer().decide(
        DecisionKey("MIGRATION_AGENCY", "none", "PLACEMENT", "NONE", False, False, "enforcement")
    )
    assert decision.allowed
    assert decision.rule is not None
    assert decision.rule.source.startswith("sharing.csv:")
    assert decision.basis == "OSL 10:28; UtlL 17:1"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "p, allow, POLISE, any, IDENTITY, always, any, OSL 10:2",
            "unknown organisation kind 'POLISE'",
        ),
        ("p, allow, POLICE, friend, IDENTITY, always, any, OSL 10:2", "unknown relation 'friend'"),
        ("p, allow, POLICE, any, SHOE_SIZE, always, any, OSL 10:2", "unknown category 'SHOE_SIZE'"),
        (
            "p, allow, POLICE, any, IDENTITY, sometimes, any, OSL 10:2",
            "unknown condition 'sometimes'",
        ),
        ("p, allow, POLICE, any, IDENTITY, always, any,", "every rule names its legal basis"),
    ],
)
def test_a_policy_typo_names_file_line_and_word(tmp_path: Path, line: str, message: str) -> None:
    for name in ("model.conf", "actions_model.conf", "actions.csv", "sharing.csv"):
        shutil.copy(POLICY_DIR / name, tmp_path / name)
    with (tmp_path / "sharing.csv").open("a") as f:
        f.write(line + "\n")
    lines = len((tmp_path / "sharing.csv").read_text().splitlines())
    with pytest.raises(ConfigurationError) as error:
        Enforcer(tmp_path)
    assert str(error.value).startswith(f"sharing.csv:{lines}: {message}")
