"""Who acts: the first argument of every service function called for a principal.

A resolver, a route or a test makes one (`Context.actor` does for GraphQL) and hands it
to the domain's service; the service reads through the session, asks the policy, records
disclosures on the audit recorder. Jobs the hub runs on its own (deadline sweeps,
retention, the audit chain's verification) act for no principal and take the pool or a
connection instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.audit.recorder import Recorder
from hub.auth.principal import Principal
from hub.db.session import Session
from hub.organisations.registry import OrganisationRegistry
from hub.policy.engine import Policy
from hub.routines.config import Routines


@dataclass(frozen=True, slots=True)
class Actor:
    db: Session
    policy: Policy
    principal: Principal
    audit: Recorder
    routines: Routines
    registry: OrganisationRegistry
