-- Emergency access (nödåtkomst): one person opens one withheld category of one case for a
-- short time, with a mandatory reason; every grant waits for an auditor's review.
CREATE TABLE emergency_access (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    case_id         uuid NOT NULL REFERENCES cases (id),
    organisation_id text NOT NULL REFERENCES organisations (id),
    sub             text NOT NULL,
    category        text NOT NULL,
    reason          text NOT NULL CHECK (length(btrim(reason)) BETWEEN 10 AND 2000),
    granted_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    reviewed_at     timestamptz,
    CHECK (expires_at > granted_at)
);
CREATE INDEX emergency_access_active ON emergency_access (case_id, organisation_id, sub, expires_at);
CREATE INDEX emergency_access_unreviewed ON emergency_access (granted_at) WHERE reviewed_at IS NULL;
