"""The policy decision point. Every question about who may see or do what comes here."""

from __future__ import annotations

from hub.auth.principal import Principal
from hub.cases.models import Case
from hub.children.models import Child
from hub.policy.scope import STATES, RowScope, ScopeParams
from hub.policy.view import FULL_VIEW, RowView


class Policy:
    """Until the sharing matrix lands, every row and category is disclosed."""

    def scope(self, principal: Principal) -> RowScope:
        return RowScope(
            ScopeParams(
                organisation_id=principal.organisation_id,
                sub=principal.sub,
                responsible_states=(),
                residence_states=(),
                guardian_states=(),
                other_states=STATES,
                consent_states=(),
            )
        )

    def child_view(self, principal: Principal, child: Child) -> RowView:
        return FULL_VIEW

    def case_view(self, principal: Principal, case: Case) -> RowView:
        return FULL_VIEW
