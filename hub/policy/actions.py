"""Every action the hub enforces, by the name `policies/actions.csv` gives it.

The policy decides each through `Policy.authorize` (or `may`, or `authorize_auditor`);
a rule in actions.csv naming anything else fails start-up, and a test checks that
every action here has a rule and is enforced somewhere in the code.
"""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    REGISTER_CHILD = "registerChild"
    UPDATE_DESCRIPTION = "updateDescription"
    RECORD_RISK_ASSESSMENT = "recordRiskAssessment"
    REPORT_ABSENT = "reportAbsent"
    REPORT_MISSING_TO_POLICE = "reportMissingToPolice"
    REGISTER_AVVIKEN = "registerAvviken"
    ADD_SIGHTING = "addSighting"
    REPORT_FOUND = "reportFound"
    RECORD_RETURN_INTERVIEW = "recordReturnInterview"
    CLOSE_CASE = "closeCase"
    RECORD_POLICE_ASSESSMENT = "recordPoliceAssessment"
    RECORD_ALERT = "recordAlert"
    CANCEL_ALERT = "cancelAlert"
    REGISTER_RETURN = "registerReturn"
    MOVE_CHILD = "moveChild"
    REQUEST_TRANSFER = "requestTransfer"
    ACCEPT_TRANSFER = "acceptTransfer"
    DECLINE_TRANSFER = "declineTransfer"
    APPOINT_GUARDIAN = "appointGuardian"
    SET_CONTACT_POINTS = "setContactPoints"
    LOOKUP_CHILD = "lookupChild"
    ACCESS_REPORT = "accessReport"
    AUDIENCE = "audience"
    REPORT_CONTACT = "reportContact"
    MY_TASKS = "myTasks"
    MY_NOTIFICATIONS = "myNotifications"
    MARK_NOTIFICATIONS_READ = "markNotificationsRead"
    REGISTER_WEBHOOK = "registerWebhook"
    ROTATE_WEBHOOK_SECRET = "rotateWebhookSecret"
    DELETE_WEBHOOK = "deleteWebhook"
    PING_WEBHOOK = "pingWebhook"
    WEBHOOKS = "webhooks"
    COMPLETE_TASK = "completeTask"
    ACKNOWLEDGE = "acknowledge"
    VIEW_ACKNOWLEDGEMENTS = "viewAcknowledgements"
    GRANT_CONSENT = "grantConsent"
    REVOKE_CONSENT = "revokeConsent"
    REQUEST_EMERGENCY_ACCESS = "requestEmergencyAccess"
    EMERGENCY_NEEDS_REFERENCE = "emergencyAccessNeedsReference"
    REVIEW_EMERGENCY_ACCESS = "reviewEmergencyAccess"
    DECLARE_ENFORCEMENT = "declareEnforcement"
    STATISTICS = "statistics"
    AUDIT_OWN = "auditOwn"
    AUDIT_NETWORK = "auditNetwork"
    VERIFY_AUDIT_CHAIN = "verifyAuditChain"
    REQUEST_FULL_AUDIT_VERIFICATION = "requestFullAuditVerification"
