"""The policy decision point: row scope, field views and actions for one principal.

Everything about who may see or do what is decided here, from the rules in `policies/`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from hub.auth.principal import Principal, Purpose, Role
from hub.errors import Forbidden
from hub.organisations.models import Organisation, OrganisationKind
from hub.policy.actions import Action
from hub.policy.categories import DataCategory
from hub.policy.enforcer import Decision, DecisionKey, Enforcer
from hub.policy.facts import RowFacts
from hub.policy.rules import LookupRule, Relation, SharingRule
from hub.policy.scope import GUARDIAN_MARK, STATES, RowScope, ScopeParams
from hub.policy.view import FULL_VIEW, RowView, Withholding
from hub.telemetry import instruments

_CATEGORIES = tuple(DataCategory)
# metric attributes: what was decided, never about whom
_ROW_VIEW = {"decision": "row_view"}
_ALLOWED = {"decision": "action", "outcome": "allowed"}
_DENIED = {"decision": "action", "outcome": "denied"}
# Auditors read the audit trail, never case content; they may see aggregates.
_AUDITOR_ACTIONS = frozenset({Action.STATISTICS})


def audits_only(principal: Principal) -> bool:
    return principal.roles <= {Role.AUDITOR}


# a category no rule opens to a kind at all: void by deny-by-default
_NO_RULE = SharingRule("deny", "*", "any", "*", "always", "any", "no rule opens it", "default")


@dataclass(frozen=True, slots=True)
class AuditScope:
    """Which audit rows an auditor may read: all, or those of one organisation."""

    organisation_id: str | None  # None: the whole network


class Policy:
    def __init__(self, enforcer: Enforcer | None = None, *, bypass: bool = False) -> None:
        """`bypass` discloses everything; only the benchmark builds such a policy."""
        self.enforcer = enforcer or Enforcer()
        self._bypass = bypass
        self._cells = lru_cache(maxsize=1024)(self._scope_cells)
        self._shapes = lru_cache(maxsize=64)(self._scope_shape)
        self._views: dict[tuple[object, ...], RowView] = {}

    def relation(self, principal: Principal, facts: RowFacts) -> Relation:
        is_guardian = Role.GUARDIAN in principal.roles and facts.guardian_sub == principal.sub
        return self._relation(principal.organisation, facts, is_guardian=is_guardian)

    @staticmethod
    def _relation(org: Organisation, facts: RowFacts, *, is_guardian: bool) -> Relation:
        if (
            org.kind is OrganisationKind.MUNICIPALITY
            and org.id == facts.responsible_municipality_id
        ):
            return Relation.RESPONSIBLE_MUNICIPALITY
        if org.kind is OrganisationKind.RESIDENCE and org.id == facts.residence_id:
            return Relation.RESIDENCE
        if org.kind is OrganisationKind.GUARDIANSHIP and is_guardian:
            return Relation.GUARDIAN
        return Relation.NONE

    def recipients(
        self,
        organisations: list[Organisation],
        facts: RowFacts,
        consented: dict[str, frozenset[str]],
    ) -> list[Organisation]:
        """The organisations entitled to see this row's case status (for acknowledgements).

        The guardianship board counts as a recipient when the child has a god man.
        """
        status, protection = DataCategory.CASE_STATUS, Purpose.PROTECTION
        return [
            org
            for org in organisations
            if self._decide_for(org, facts, status, consented, protection).allowed
        ]

    def readers(
        self,
        organisations: list[Organisation],
        facts: RowFacts,
        category: DataCategory,
        consented: dict[str, frozenset[str]],
    ) -> list[tuple[Organisation, Purpose, SharingRule]]:
        """Who may read `category` of this row now, for which purpose, under which rule
        (the audience of a field; the god man's board as guardian where there is one)."""
        found = []
        for org in organisations:
            for purpose in Purpose:
                decision = self._decide_for(org, facts, category, consented, purpose)
                if decision.allowed and decision.rule is not None:
                    found.append((org, purpose, decision.rule))
        return found

    def _decide_for(
        self,
        org: Organisation,
        facts: RowFacts,
        category: DataCategory,
        consented: dict[str, frozenset[str]],
        purpose: Purpose,
    ) -> Decision:
        """An organisation's decision on a row, as its relation and consents make it."""
        relation = self._relation(org, facts, is_guardian=facts.guardian_sub is not None)
        return self.enforcer.decide(
            DecisionKey(
                kind=org.kind.value,
                relation=relation.value,
                category=category.value,
                state=facts.state,
                consent=category.value in consented.get(org.id, frozenset()),
                emergency=False,
                purpose=purpose.value,
            )
        )

    def decide(
        self, principal: Principal, relation: Relation, category: DataCategory, facts: RowFacts
    ) -> Decision:
        return self.enforcer.decide(
            DecisionKey(
                kind=principal.organisation.kind.value,
                relation=relation.value,
                category=category.value,
                state=facts.state,
                consent=category.value in facts.consented,
                emergency=category.value in facts.emergency,
                purpose=principal.purpose.value,
            )
        )

    def view(self, principal: Principal, facts: RowFacts) -> RowView:
        """What `principal` may see of the row described by `facts`.

        Rows of a page share a few attribute combinations, so whole views are memoised
        by everything `decide` reads; a 500-row page builds a handful of views.
        """
        if self._bypass:
            return FULL_VIEW
        instruments.decisions.add(1, _ROW_VIEW)
        if audits_only(principal):
            return _AUDITOR_VIEW
        relation = self.relation(principal, facts)
        key = (
            principal.organisation.kind,
            principal.purpose,
            relation,
            facts.state,
            facts.consented,
            facts.emergency,
        )
        found = self._views.get(key)
        if found is None:
            found = self._views[key] = self._view(principal, relation, facts)
        return found

    def _view(self, principal: Principal, relation: Relation, facts: RowFacts) -> RowView:
        allowed: set[DataCategory] = set()
        bases: dict[DataCategory, str] = {}
        withheld: list[Withholding] = []
        for category in _CATEGORIES:
            decision = self.decide(principal, relation, category, facts)
            if decision.allowed:
                allowed.add(category)
                bases[category] = decision.basis or ""
            else:
                withheld.append(Withholding(category, decision.reason))
        emergency = frozenset(
            c
            for c in allowed
            if c.value in facts.emergency
            and not self.decide(principal, relation, c, _without_emergency(facts)).allowed
        )
        return RowView(frozenset(allowed), tuple(withheld), bases, emergency)

    def _scope_cells(
        self, kind: str, purpose: str, guardian: bool, categories: frozenset[DataCategory]
    ) -> tuple[str, ...]:
        """Every (relation, state) in which one of `categories` may be read, and those in
        which only a consent covering one of them opens it (see `hub.policy.scope`)."""

        def allowed(relation: Relation, state: str, category: DataCategory, consent: bool) -> bool:
            key = DecisionKey(kind, relation.value, category.value, state, consent, False, purpose)
            return self.enforcer.decide(key).allowed

        cells = [GUARDIAN_MARK] if guardian else []
        for relation in Relation:
            if relation is Relation.GUARDIAN and not guardian:
                continue
            for state in STATES:
                if any(allowed(relation, state, c, False) for c in categories):
                    cells.append(f"{relation.value}:{state}")
                    continue
                cells += [
                    f"{relation.value}+:{state}:{c.value}"
                    for c in sorted(categories)
                    if allowed(relation, state, c, True)
                ]
        return tuple(cells)

    def scope(self, principal: Principal) -> RowScope:
        """The rows `principal` may see at all, as parameters of one SQL predicate; with
        the cells of each single category, for filters and case rows."""
        org = principal.organisation
        if self._bypass:
            everywhere = tuple(f"{r.value}:{s}" for r in Relation for s in STATES)
            by_category = dict.fromkeys(_CATEGORIES, everywhere)
            return RowScope(ScopeParams(org.id, principal.sub, everywhere, by_category))
        if audits_only(principal):
            by_category = dict.fromkeys(_CATEGORIES, ())
            return RowScope(ScopeParams(org.id, principal.sub, (), by_category))
        guardian = org.kind is OrganisationKind.GUARDIANSHIP and Role.GUARDIAN in principal.roles
        cells, by_category = self._shapes(org.kind.value, principal.purpose.value, guardian)
        return RowScope(ScopeParams(org.id, principal.sub, cells, by_category))

    def _scope_shape(
        self, kind: str, purpose: str, guardian: bool
    ) -> tuple[tuple[str, ...], dict[DataCategory, tuple[str, ...]]]:
        """The cells of every category together and of each alone, per policy key."""
        key = (kind, purpose, guardian)
        return (
            self._cells(*key, frozenset(_CATEGORIES)),
            {c: self._cells(*key, frozenset((c,))) for c in _CATEGORIES},
        )

    def authorize(self, principal: Principal, action: Action, facts: RowFacts | None) -> str:
        """Allow `action` on the row or refuse with FORBIDDEN; the allowing rule's source."""
        if audits_only(principal) and action not in _AUDITOR_ACTIONS:
            instruments.decisions.add(1, _DENIED)
            raise Forbidden(f"the auditor role reads the audit trail; it may not {action}")
        relation = self.relation(principal, facts) if facts else Relation.NONE
        rule = self.enforcer.may(principal.organisation.kind.value, relation.value, action)
        instruments.decisions.add(1, _DENIED if rule is None else _ALLOWED)
        if rule is None:
            raise Forbidden(
                f"{principal.organisation.name} may not {action} here "
                f"(policies/actions.csv has no rule for {principal.organisation.kind.value} "
                f"as {relation.value})"
            )
        return rule.source

    def audit_scope(self, principal: Principal) -> AuditScope:
        """What of the audit trail `principal` may read; FORBIDDEN without the auditor role."""
        kind = principal.organisation.kind.value
        if Role.AUDITOR not in principal.roles:
            raise Forbidden("reading the audit trail needs the auditor role")
        if self._kind_may(kind, Action.AUDIT_NETWORK):
            return AuditScope(organisation_id=None)
        if self._kind_may(kind, Action.AUDIT_OWN):
            return AuditScope(organisation_id=principal.organisation_id)
        raise Forbidden(f"policies/actions.csv lets no {kind} auditor read the audit trail")

    def may_declare(self, kind: OrganisationKind, purpose: Purpose) -> bool:
        """Whether organisations of `kind` may act for `purpose`: protection is every
        organisation's; enforcement (UtlL 17:1) only where actions.csv says so."""
        if purpose is Purpose.PROTECTION:
            return True
        return self._kind_may(kind.value, Action.DECLARE_ENFORCEMENT)

    def emergency_needs_reference(self, principal: Principal) -> bool:
        """Whether the principal's emergency access must name a reference (a report)."""
        return self._kind_may(principal.organisation.kind.value, Action.EMERGENCY_NEEDS_REFERENCE)

    def authorize_auditor(self, principal: Principal, action: Action) -> None:
        """FORBIDDEN unless an auditor whose organisation kind actions.csv lets `action`."""
        self.audit_scope(principal)
        kind = principal.organisation.kind.value
        if not self._kind_may(kind, action):
            raise Forbidden(f"policies/actions.csv lets no {kind} auditor {action}")

    def authorize_admin(self, principal: Principal, action: Action) -> None:
        """FORBIDDEN unless the organisation's admin, of a kind actions.csv lets `action`."""
        if Role.ADMIN not in principal.roles:
            raise Forbidden(f"{action} needs your organisation's admin role")
        kind = principal.organisation.kind.value
        if not self._kind_may(kind, action):
            raise Forbidden(f"policies/actions.csv lets no {kind} {action}")

    def consent_void(
        self, recipient: Organisation, facts: RowFacts, category: DataCategory
    ) -> SharingRule | None:
        """The rule that keeps `category` from `recipient` whatever a consent says (in
        every case state), or None when a consent can open it somewhere."""
        relation = self._relation(recipient, facts, is_guardian=False)
        winning: SharingRule | None = None
        for state in STATES:
            decision = self.enforcer.decide(
                DecisionKey(
                    kind=recipient.kind.value,
                    relation=relation.value,
                    category=category.value,
                    state=state,
                    consent=True,
                    emergency=False,
                    purpose=Purpose.PROTECTION.value,
                )
            )
            if decision.allowed:
                return None
            winning = winning or decision.rule
        return winning or _NO_RULE

    @property
    def version(self) -> str:
        """The version of policies/ this policy was loaded from (hub.policy.versions)."""
        return self.enforcer.version

    def lookup_rule(self, principal: Principal, action: Action) -> LookupRule:
        """What the principal's kind learns from a lookup (lookup.csv), once actions.csv
        lets it `action` (lookupChild, reportContact); FORBIDDEN otherwise."""
        self.authorize(principal, action, None)
        rule = self.enforcer.lookup_rules.get(principal.organisation.kind.value)
        if rule is None:
            raise Forbidden(f"policies/lookup.csv has no rule for {principal.organisation.kind}")
        return rule

    def _kind_may(self, kind: str, action: Action) -> bool:
        """An action that depends on the organisation's kind alone, not on a child."""
        return self.enforcer.may(kind, Relation.NONE.value, action) is not None

    def may(self, principal: Principal, action: Action, facts: RowFacts | None) -> bool:
        try:
            self.authorize(principal, action, facts)
        except Forbidden:
            return False
        return True

    def emergency_opens(
        self, principal: Principal, facts: RowFacts, category: DataCategory
    ) -> bool:
        """Whether emergency access would open `category` of this row, withheld now."""
        relation = self.relation(principal, facts)
        now = self.decide(principal, relation, category, facts)
        opened = self.decide(
            principal,
            relation,
            category,
            replace(facts, emergency=facts.emergency | {category.value}),
        )
        return opened.allowed and not now.allowed


_AUDITOR_VIEW = RowView(
    allowed=frozenset(),
    withheld=tuple(
        Withholding(c, "the auditor role sees the audit trail, not case content")
        for c in _CATEGORIES
    ),
)


def _without_emergency(facts: RowFacts) -> RowFacts:
    return replace(facts, emergency=frozenset())
