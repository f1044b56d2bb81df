"""What a policy change would open or close: every decision that differs between two
versions of `policies/`, with the legal basis before and after, for a lawyer to read.

`hub policy diff [--from REV] [--to REV]` compares a git revision's policies (default HEAD)
with another revision or the working tree; CI prints it whenever a commit touches
policies/.
"""

from __future__ import annotations

import itertools
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from hub.errors import ConfigurationError
from hub.organisations.models import OrganisationKind
from hub.policy.actions import Action
from hub.policy.categories import DataCategory
from hub.policy.enforcer import Decision, DecisionKey, Enforcer
from hub.policy.rules import POLICY_DIR, Relation
from hub.policy.scope import STATES

ROOT = POLICY_DIR.parent


def at_revision(revision: str, into: Path) -> Path:
    """policies/ as it was at a git revision, written under `into`."""
    listed = _git("ls-tree", "-r", "--name-only", revision, "--", "policies")
    if not listed.strip():
        raise ConfigurationError(f"no policies/ at revision {revision!r}")
    for name in listed.splitlines():
        target = into / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_git_bytes("show", f"{revision}:{name}"))
    return into / "policies"


def _git_bytes(*args: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise ConfigurationError(f"git {' '.join(args[:2])}: cannot read that revision") from exc
    return done.stdout


def _git(*args: str) -> str:
    return _git_bytes(*args).decode()


def _meaning(d: Decision) -> tuple[bool, str | None]:
    """What a decision says, apart from where its rule stands in the file."""
    return d.allowed, d.rule.basis if d.rule else None


def _said(d: Decision) -> str:
    if d.allowed and d.rule is not None:
        return f"allowed ({d.rule.source}: {d.rule.basis})"
    if d.rule is not None:
        return f"denied ({d.rule.source}: {d.rule.basis})"
    return "denied (no rule: deny by default)"


@dataclass(frozen=True, slots=True)
class Change:
    what: str  # "NGO · none · HEALTH · consent · protection"
    states: tuple[str, ...]
    before: str
    after: str

    def __str__(self) -> str:
        return f"{self.what} in {', '.join(self.states)}: {self.before} -> {self.after}"


def sharing_changes(old: Enforcer, new: Enforcer) -> Iterator[Change]:
    for kind, relation, category, purpose, consent, emergency in itertools.product(
        OrganisationKind,
        Relation,
        DataCategory,
        ("protection", "enforcement"),
        (False, True),
        (False, True),
    ):
        by_outcome: dict[tuple[str, str], list[str]] = {}
        for state in STATES:
            key = DecisionKey(
                kind.value, relation.value, category.value, state, consent, emergency, purpose
            )
            was, now = old.decide(key), new.decide(key)
            if _meaning(was) != _meaning(now):
                by_outcome.setdefault((_said(was), _said(now)), []).append(state)
        for (before, after), states in by_outcome.items():
            extra = [x for x, on in (("consent", consent), ("emergency", emergency)) if on]
            what = " · ".join([kind.value, relation.value, category.value, *extra, purpose])
            yield Change(what, tuple(states), before, after)


def action_changes(old: Enforcer, new: Enforcer) -> Iterator[Change]:
    for action, kind, relation in itertools.product(Action, OrganisationKind, Relation):
        rules = [e.may(kind.value, relation.value, action.value) for e in (old, new)]  # or None
        said = [f"allowed ({r.source})" if r else "denied" for r in rules]
        if (rules[0] is None) != (rules[1] is None):
            yield Change(f"{action.value} · {kind.value} · {relation.value}", (), *said)


def lookup_changes(old: Enforcer, new: Enforcer) -> Iterator[Change]:
    for kind in OrganisationKind:
        rules = [e.lookup_rules.get(kind.value) for e in (old, new)]
        said = [
            f"learns reportedMissing: {'yes' if r.reported_missing else 'no'} ({r.basis}); "
            f"reports on {r.report_basis}"
            if r
            else "may not look up"
            for r in rules
        ]  # a rule's line number is not part of what it says
        if said[0] != said[1]:
            yield Change(f"lookupChild · {kind.value}", (), *said)


def diff(from_revision: str, to_revision: str | None) -> list[str]:
    """Readable lines, one per changed decision; empty when nothing changes."""
    with tempfile.TemporaryDirectory(prefix="hub-policy-") as tmp:
        old = Enforcer(at_revision(from_revision, Path(tmp) / "from"))
        new = Enforcer(at_revision(to_revision, Path(tmp) / "to") if to_revision else POLICY_DIR)
        return compare(old, new)


def compare(old: Enforcer, new: Enforcer) -> list[str]:
    lines = [f"policy {old.version} -> {new.version}"]
    for title, changes in (
        ("who may see what (sharing.csv)", list(sharing_changes(old, new))),
        ("who may do what (actions.csv)", list(action_changes(old, new))),
        ("what a lookup tells (lookup.csv)", list(lookup_changes(old, new))),
    ):
        if changes:
            lines.append(f"{title}: {len(changes)} changed")
            lines += [
                f"  {c.what}: {c.before} -> {c.after}" if not c.states else f"  {c}"
                for c in changes
            ]
    if len(lines) == 1:
        lines.append("no decision changes")
    return lines
