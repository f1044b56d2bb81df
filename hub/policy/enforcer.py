"""The only module that calls casbin.

Enforcing costs about 0.2 ms a call in Python, so every decision is memoised by its full
attribute key (`DecisionKey`, which holds every `r.*` attribute of the matcher; a test
checks that against model.conf). A 500-row page needs a handful of enforcer calls.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields
from pathlib import Path

import casbin

from hub.policy.rules import (
    POLICY_DIR,
    ActionRule,
    Condition,
    SharingRule,
    load_actions,
    load_lookup,
    load_sharing,
)
from hub.policy.states import ANY_CASE, MISSING, OPEN
from hub.policy.versions import version as policy_version

# casbin logs every request at WARNING; decisions belong in the audit log, not in logs
logging.getLogger("casbin").setLevel(logging.ERROR)


_REASONS = (
    ("with_consent", "shared only with the guardian's consent (samtycke), and none covers it"),
    ("while_missing", "shared only while the child is missing"),
    ("while_open", "shared only while the case is open"),
    ("while_case", "shared only when there is a case"),
    ("emergency", "opened only through emergency access (nödåtkomst) with a stated reason"),
)


def condition_holds(condition: str, state: str, consent: bool, emergency: bool) -> bool:
    match Condition(condition):
        case Condition.ALWAYS:
            return True
        case Condition.WHILE_CASE:
            return state in ANY_CASE
        case Condition.WHILE_OPEN:
            return state in OPEN
        case Condition.WHILE_MISSING:
            return state in MISSING
        case Condition.WITH_CONSENT:
            return consent
        case Condition.EMERGENCY:
            return emergency


@dataclass(frozen=True, slots=True)
class DecisionKey:
    """Every attribute the sharing matcher reads, in the order of `r` in model.conf."""

    kind: str
    relation: str
    category: str
    state: str
    consent: bool
    emergency: bool
    purpose: str


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    rule: SharingRule | None  # the allow rule that applied, or the deny rule that won
    reason: str = ""  # why it is withheld, for a person to read

    @property
    def basis(self) -> str | None:
        return self.rule.basis if self.rule and self.allowed else None


class Enforcer:
    def __init__(self, directory: Path = POLICY_DIR) -> None:
        self.sharing_rules = load_sharing(directory / "sharing.csv")
        self.action_rules = load_actions(directory / "actions.csv")
        self.lookup_rules = load_lookup(directory / "lookup.csv")
        self.version = policy_version(directory)  # the content hash of the rules in force
        self._sharing = casbin.Enforcer(str(directory / "model.conf"))
        self._sharing.add_function("condition_holds", condition_holds)
        self._sharing.add_policies([r.as_casbin() for r in self.sharing_rules])
        self._actions = casbin.Enforcer(str(directory / "actions_model.conf"))
        self._actions.add_policies([[r.kind, r.relation, r.action] for r in self.action_rules])
        self._by_row = {tuple(r.as_casbin()): r for r in self.sharing_rules}
        self._actions_by_row = {(r.kind, r.relation, r.action): r for r in self.action_rules}
        self._memo: dict[DecisionKey, Decision] = {}
        self._action_memo: dict[tuple[str, str, str], ActionRule | None] = {}
        self.enforcer_calls = 0

    def decide(self, key: DecisionKey) -> Decision:
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._enforce(key)
        return found

    def _enforce(self, key: DecisionKey) -> Decision:
        self.enforcer_calls += 1
        values = [getattr(key, f.name) for f in fields(DecisionKey)]
        allowed, explanation = self._sharing.enforce_ex(*values)
        rule = self._by_row.get(tuple(explanation)) if explanation else None
        if not allowed and rule is not None and rule.effect != "deny":
            rule = None  # an allow row matched but a deny row won; name no allow
        if not allowed and rule is None:
            rule = self._winning_deny(key)
        if allowed:
            return Decision(allowed=True, rule=rule)
        return Decision(allowed=False, rule=rule, reason=self._reason(key, rule))

    def _reason(self, key: DecisionKey, deny: SharingRule | None) -> str:
        if deny is not None:
            return f"not shared with this organisation ({deny.basis})"
        conditions = {
            r.condition
            for r in self.sharing_rules
            if r.effect == "allow"
            and r.kind in ("*", key.kind)
            and r.relation in ("any", key.relation)
            and r.category in ("*", key.category)
            and r.purpose in ("any", key.purpose)
        }
        for condition, reason in _REASONS:
            if condition in conditions:
                return reason
        if key.purpose == "enforcement":
            return "not shared for the enforcement purpose"
        return "no legal basis to share this with this organisation"

    def _winning_deny(self, key: DecisionKey) -> SharingRule | None:
        for rule in self.sharing_rules:
            if rule.effect == "deny" and self._matches(rule, key):
                return rule
        return None

    @staticmethod
    def _matches(rule: SharingRule, key: DecisionKey) -> bool:
        return (
            rule.kind in ("*", key.kind)
            and rule.relation in ("any", key.relation)
            and rule.category in ("*", key.category)
            and rule.purpose in ("any", key.purpose)
            and condition_holds(rule.condition, key.state, key.consent, key.emergency)
        )

    def may(self, kind: str, relation: str, action: str) -> ActionRule | None:
        """The actions.csv rule that allows it, or None."""
        key = (kind, relation, action)
        if key not in self._action_memo:
            self.enforcer_calls += 1
            allowed, explanation = self._actions.enforce_ex(kind, relation, action)
            self._action_memo[key] = (
                self._actions_by_row.get(tuple(explanation)) if allowed else None
            )
        return self._action_memo[key]
