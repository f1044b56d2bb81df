"""Reading and linting the policy files.

A typo in a policy file must stop the hub at start-up with the file, line and word, not
silently deny (or allow) at run time. `hub policy check` runs this alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from hub.errors import ConfigurationError
from hub.organisations.models import OrganisationKind
from hub.policy.actions import Action
from hub.policy.categories import DataCategory

POLICY_DIR = Path(__file__).resolve().parents[2] / "policies"
ANY = "any"
WILDCARD = "*"


class Relation(StrEnum):
    RESPONSIBLE_MUNICIPALITY = "responsible_municipality"
    RESIDENCE = "residence"
    GUARDIAN = "guardian"
    NONE = "none"


class Condition(StrEnum):
    ALWAYS = "always"
    WHILE_CASE = "while_case"
    WHILE_OPEN = "while_open"
    WHILE_MISSING = "while_missing"
    WITH_CONSENT = "with_consent"
    EMERGENCY = "emergency"


ACTIONS = frozenset(a.value for a in Action)
_KINDS = frozenset(k.value for k in OrganisationKind) | {WILDCARD}
_RELATIONS = frozenset(r.value for r in Relation) | {ANY}
_CATEGORIES = frozenset(c.value for c in DataCategory) | {WILDCARD}
_CONDITIONS = frozenset(c.value for c in Condition)
_PURPOSES = frozenset({"protection", "enforcement", ANY})


@dataclass(frozen=True, slots=True)
class SharingRule:
    effect: str
    kind: str
    relation: str
    category: str
    condition: str
    purpose: str
    basis: str
    source: str  # "sharing.csv:12", so a decision can name its rule

    def as_casbin(self) -> list[str]:
        return [
            self.effect,
            self.kind,
            self.relation,
            self.category,
            self.condition,
            self.purpose,
            self.basis,
        ]


@dataclass(frozen=True, slots=True)
class ActionRule:
    kind: str
    relation: str
    action: str
    source: str


def _rows(path: Path) -> list[tuple[int, list[str]]]:
    if not path.exists():
        raise ConfigurationError(f"{path}: policy file is missing")
    rows = []
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = [f.strip() for f in line.split(",")]
        if fields[0] != "p":
            raise ConfigurationError(
                f"{path.name}:{number}: a rule starts with 'p', not {fields[0]!r}"
            )
        rows.append((number, fields[1:]))
    return rows


def _check(path: Path, number: int, word: str, allowed: frozenset[str], what: str) -> str:
    if word not in allowed:
        choices = ", ".join(sorted(allowed))
        raise ConfigurationError(
            f"{path.name}:{number}: unknown {what} {word!r}; use one of {choices}"
        )
    return word


def load_sharing(path: Path = POLICY_DIR / "sharing.csv") -> list[SharingRule]:
    rules = []
    for number, fields in _rows(path):
        if len(fields) != 7:
            raise ConfigurationError(
                f"{path.name}:{number}: expected 7 fields (effect, kind, relation, category, "
                f"condition, purpose, basis), found {len(fields)}"
            )
        effect, kind, relation, category, condition, purpose, basis = fields
        rules.append(
            SharingRule(
                effect=_check(path, number, effect, frozenset({"allow", "deny"}), "effect"),
                kind=_check(path, number, kind, _KINDS, "organisation kind"),
                relation=_check(path, number, relation, _RELATIONS, "relation"),
                category=_check(path, number, category, _CATEGORIES, "category"),
                condition=_check(path, number, condition, _CONDITIONS, "condition"),
                purpose=_check(path, number, purpose, _PURPOSES, "purpose"),
                basis=basis or _missing_basis(path, number),
                source=f"{path.name}:{number}",
            )
        )
    return rules


def _missing_basis(path: Path, number: int) -> str:
    raise ConfigurationError(f"{path.name}:{number}: every rule names its legal basis")


def load_actions(path: Path = POLICY_DIR / "actions.csv") -> list[ActionRule]:
    rules = []
    for number, fields in _rows(path):
        if len(fields) != 3:
            raise ConfigurationError(
                f"{path.name}:{number}: expected 3 fields (kind, relation, action), "
                f"found {len(fields)}"
            )
        kind, relation, action = fields
        rules.append(
            ActionRule(
                kind=_check(path, number, kind, _KINDS, "organisation kind"),
                relation=_check(path, number, relation, _RELATIONS, "relation"),
                action=_check(path, number, action, ACTIONS, "action"),
                source=f"{path.name}:{number}",
            )
        )
    return rules


@dataclass(frozen=True, slots=True)
class LookupRule:
    """What an organisation kind learns from a lookup (policies/lookup.csv)."""

    kind: str
    reported_missing: bool
    basis: str
    report_basis: str
    source: str


def load_lookup(path: Path = POLICY_DIR / "lookup.csv") -> dict[str, LookupRule]:
    """No file, no lookups (deny by default; policies from before lookup.csv)."""
    rules: dict[str, LookupRule] = {}
    if not path.exists():
        return rules
    kinds = frozenset(k.value for k in OrganisationKind)
    for number, fields in _rows(path):
        if len(fields) != 4:
            raise ConfigurationError(
                f"{path.name}:{number}: expected 4 fields (kind, reported missing, basis, "
                f"report basis), found {len(fields)}"
            )
        kind, missing, basis, report_basis = fields
        _check(path, number, kind, kinds, "organisation kind")
        _check(path, number, missing, frozenset({"yes", "no"}), "yes or no")
        if not basis or not report_basis:
            raise ConfigurationError(f"{path.name}:{number}: name both legal bases")
        if kind in rules:
            raise ConfigurationError(f"{path.name}:{number}: a second rule for {kind}")
        rules[kind] = LookupRule(
            kind, missing == "yes", basis, report_basis, f"{path.name}:{number}"
        )
    return rules
