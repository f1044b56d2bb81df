"""Policy versions, their reviews, and what a change would open or close."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import asyncpg
import pytest

from hub.errors import ConfigurationError
from hub.policy import versions
from hub.policy.diff import compare
from hub.policy.enforcer import Enforcer
from hub.policy.engine import Policy
from hub.policy.rules import POLICY_DIR
from hub.runtime import Runtime
from hub.settings import Environment, Settings
from tests.conftest import RunningHub


@pytest.fixture
def policies(tmp_path: Path) -> Path:
    """A copy of policies/ to change."""
    copy = tmp_path / "policies"
    shutil.copytree(POLICY_DIR, copy)
    (copy / versions.REVIEWS).unlink(missing_ok=True)
    return copy


def _prod(**overrides: object) -> Settings:
    return Settings(env=Environment.PROD, oidc_issuer="https://idp.example").with_overrides(
        **overrides
    )


def test_prod_refuses_to_start_on_a_version_nobody_approved() -> None:
    current = versions.version()
    if versions.standing_of(current).approved:
        pytest.skip("this checkout's policy is approved")
    with pytest.raises(ConfigurationError, match=f"HUB_ACCEPT_UNREVIEWED_POLICY={current}"):
        Runtime(_prod(), "postgresql://unused/db")
    with pytest.raises(ConfigurationError):  # accepting another version accepts nothing
        Runtime(_prod(accept_unreviewed_policy="0" * 16), "postgresql://unused/db")
    accepted = Runtime(_prod(accept_unreviewed_policy=current), "postgresql://unused/db")
    assert accepted.policy_standing.as_json() == {
        "version": current,
        "reviewed": False,
        "reviewedOn": None,
        "acceptedUnreviewed": True,
    }


def test_an_approving_review_is_of_one_version_and_a_change_needs_another(
    policies: Path,
) -> None:
    before = versions.version(policies)
    with pytest.raises(ConfigurationError):
        versions.standing(None, prod=True, directory=policies)
    review = versions.Review(
        before, date(2026, 12, 2), "Anna Jurist", "dataskyddsombud", versions.Verdict.APPROVED, ""
    )
    versions.record(review, policies)
    assert versions.version(policies) == before, "the review trail is not part of the version"
    assert versions.standing(None, prod=True, directory=policies).approved
    sharing = policies / "sharing.csv"
    sharing.write_text(sharing.read_text() + "\n# a comment changes the version too\n")
    with pytest.raises(ConfigurationError, match="has no review"):
        versions.standing(None, prod=True, directory=policies)


def test_the_diff_lists_exactly_the_decisions_a_change_makes(policies: Path) -> None:
    sharing = policies / "sharing.csv"
    rules = sharing.read_text().replace(
        "p, allow, NGO, any, SIGHTINGS, with_consent, protection, consent (samtycke)\n", ""
    )
    sharing.write_text(rules)
    lines = compare(Enforcer(), Enforcer(policies))
    changed = [line for line in lines[1:] if line.startswith("  ")]
    # for each of the four relations, with and without emergency access alongside
    assert lines[1] == "who may see what (sharing.csv): 8 changed"
    assert all(" · SIGHTINGS · consent" in line and line.startswith("  NGO") for line in changed)
    assert {line.split(" · ")[1] for line in changed} == {
        "responsible_municipality",
        "residence",
        "guardian",
        "none",
    }
    assert all("-> denied (no rule: deny by default)" in line for line in changed)
    assert compare(Enforcer(), Enforcer()) == [
        f"policy {Policy().version} -> {Policy().version}",
        "no decision changes",
    ]


async def test_every_audit_entry_names_the_policy_version_that_decided_it(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    await hub.query(hub.token("stockholm"), "{ cases(first: 5) { totalCount } }")
    stamped = await db.fetch("SELECT DISTINCT policy_version FROM audit_log")
    assert [r["policy_version"] for r in stamped] == [versions.version()]
    entries = await hub.query(
        hub.token("lansstyrelsen-stockholm", "auditor"),
        "{ auditLog(first: 5) { edges { node { policyVersion } } } }",
    )
    assert {e["node"]["policyVersion"] for e in entries["auditLog"]["edges"]} == {
        versions.version()
    }
