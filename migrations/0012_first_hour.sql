-- The plan's first hour: every actor's own facts, who acted and why, handovers, and whom
-- to call. A person is stored as name and role beside the organisation (staff members'
-- names, never the child's).

-- The police's risk grade and alert (efterlysning); Migrationsverket's re-registration.
ALTER TABLE cases
    ADD COLUMN police_grade            text CHECK (police_grade IN ('LOW', 'MEDIUM', 'HIGH')),
    ADD COLUMN police_rationale        text CHECK (length(police_rationale) <= 4000),
    ADD COLUMN police_assessed_at      timestamptz,
    ADD COLUMN police_assessed_by      jsonb,
    ADD COLUMN alert_reference         text CHECK (length(alert_reference) <= 100),
    ADD COLUMN alert_issued_at         timestamptz,
    ADD COLUMN alert_cancelled_at      timestamptz,
    ADD COLUMN alert_cancel_reason     text CHECK (length(alert_cancel_reason) <= 2000),
    ADD COLUMN registered_returned_at  timestamptz,
    ADD COLUMN registered_returned_by  text REFERENCES organisations (id);

-- Who acted and why.
ALTER TABLE case_events
    ADD COLUMN actor_name text,
    ADD COLUMN actor_role text,
    ADD COLUMN reason     text CHECK (length(reason) <= 2000);
ALTER TABLE sightings
    ADD COLUMN kind             text NOT NULL DEFAULT 'SEEN'
                                CHECK (kind IN ('SEEN', 'SPOKE_WITH', 'REPORTED_BY_OTHERS')),
    ADD COLUMN callback_phone   text CHECK (length(callback_phone) <= 40),
    ADD COLUMN reported_by_name text,
    ADD COLUMN reported_by_role text;

-- Tasks: closed as not needed (with the reason) instead of left open or silently
-- cancelled; a task may be one person's (the god man's).
ALTER TABLE tasks DROP CONSTRAINT tasks_status_check;
ALTER TABLE tasks ADD CONSTRAINT tasks_status_check
    CHECK (status IN ('OPEN', 'DONE', 'CANCELLED', 'NOT_NEEDED'));
ALTER TABLE tasks
    ADD COLUMN closed_reason   text CHECK (length(closed_reason) <= 2000),
    ADD COLUMN responsible_sub text,
    ADD COLUMN not_needed_when text[] NOT NULL DEFAULT '{}';

-- Risk assessments as history; the newest is the child's current level.
CREATE TABLE risk_assessments (
    id                          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    child_id                    uuid NOT NULL REFERENCES children (id),
    level                       text NOT NULL CHECK (level IN ('LOW', 'ELEVATED', 'HIGH')),
    indicators                  text[] NOT NULL DEFAULT '{}',
    assessment                  text,
    assessed_at                 timestamptz NOT NULL DEFAULT now(),
    assessed_by_organisation_id text REFERENCES organisations (id),
    assessed_by_sub             text,
    assessed_by_name            text,
    assessed_by_role            text
);
CREATE INDEX risk_assessments_by_child ON risk_assessments (child_id, assessed_at DESC);
INSERT INTO risk_assessments (child_id, level, indicators, assessment, assessed_at,
                              assessed_by_organisation_id)
SELECT id, risk_level, risk_indicators, risk_assessment, coalesce(risk_assessed_at, updated_at),
       responsible_municipality_id
  FROM children WHERE risk_level IS NOT NULL;

-- Placements with history; the open one is the child's residence.
CREATE TABLE placements (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    child_id          uuid NOT NULL REFERENCES children (id),
    residence_id      text REFERENCES organisations (id),
    placement_address text,
    from_at           timestamptz NOT NULL,
    to_at             timestamptz,
    CHECK (to_at IS NULL OR to_at >= from_at)
);
CREATE UNIQUE INDEX placements_one_open ON placements (child_id) WHERE to_at IS NULL;
INSERT INTO placements (child_id, residence_id, placement_address, from_at)
SELECT id, residence_id, placement_address, created_at FROM children
 WHERE residence_id IS NOT NULL OR placement_address IS NOT NULL;

-- Handover of responsibility between municipalities: requested, then accepted or declined.
CREATE TABLE transfers (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    child_id                uuid NOT NULL REFERENCES children (id),
    from_municipality_id    text NOT NULL REFERENCES organisations (id),
    to_municipality_id      text NOT NULL REFERENCES organisations (id),
    reason                  text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    status                  text NOT NULL DEFAULT 'REQUESTED'
                            CHECK (status IN ('REQUESTED', 'ACCEPTED', 'DECLINED')),
    requested_at            timestamptz NOT NULL DEFAULT now(),
    requested_by_sub        text NOT NULL,
    decided_at              timestamptz,
    decided_by_sub          text,
    decline_reason          text CHECK (length(decline_reason) <= 2000),
    CHECK (from_municipality_id <> to_municipality_id)
);
CREATE UNIQUE INDEX transfers_one_pending ON transfers (child_id) WHERE status = 'REQUESTED';
CREATE INDEX transfers_by_municipality ON transfers (to_municipality_id, status);

-- The god man's name; when the child left the plan (turned 18).
ALTER TABLE children
    ADD COLUMN guardian_name text CHECK (length(guardian_name) <= 200),
    ADD COLUMN left_plan_at  timestamptz;

-- Whom to call: each organisation's contact points, set by its admin.
CREATE TABLE contact_points (
    organisation_id text    NOT NULL REFERENCES organisations (id),
    position        integer NOT NULL CHECK (position >= 0),
    label           text    NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
    phone           text    CHECK (length(phone) <= 40),
    email           text    CHECK (length(email) <= 200),
    hours           text    CHECK (length(hours) <= 100),
    on_call         boolean NOT NULL DEFAULT false,
    PRIMARY KEY (organisation_id, position),
    CHECK (phone IS NOT NULL OR email IS NOT NULL)
);
