-- Organisations, children, cases and sightings: the shared picture of each child.
-- Core PostgreSQL only (no extensions): runs on 15 and 18.

CREATE TABLE organisations (
    id          text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    kind        text NOT NULL CHECK (kind IN ('MUNICIPALITY', 'RESIDENCE', 'POLICE',
                    'MIGRATION_AGENCY', 'GUARDIANSHIP', 'NGO', 'COUNTY_BOARD')),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- the municipality a residence or NGO is located in, where it matters
    municipality_id text REFERENCES organisations (id),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE children (
    id                          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    given_name                  text NOT NULL CHECK (length(given_name) BETWEEN 1 AND 100),
    family_name                 text NOT NULL CHECK (length(family_name) BETWEEN 1 AND 100),
    birth_date                  date NOT NULL,
    sex                         text NOT NULL CHECK (sex IN ('FEMALE', 'MALE', 'OTHER', 'UNKNOWN')),
    nationality                 text NOT NULL,
    languages                   text[] NOT NULL DEFAULT '{}',
    dossier_number              text UNIQUE,
    responsible_municipality_id text NOT NULL REFERENCES organisations (id),
    residence_id                text REFERENCES organisations (id),
    placement_address           text,
    guardian_sub                text,
    height_cm                   integer CHECK (height_cm BETWEEN 50 AND 250),
    build                       text,
    hair                        text,
    eyes                        text,
    marks                       text,
    clothing                    text,
    photo_url                   text,
    contacts                    jsonb NOT NULL DEFAULT '[]',
    asylum_status               text,
    health                      text,
    risk_level                  text CHECK (risk_level IN ('LOW', 'ELEVATED', 'HIGH')),
    risk_indicators             text[] NOT NULL DEFAULT '{}',
    risk_assessment             text,
    risk_assessed_at            timestamptz,
    created_at                  timestamptz NOT NULL DEFAULT now(),
    updated_at                  timestamptz NOT NULL DEFAULT now(),
    version                     integer NOT NULL DEFAULT 1
);
CREATE INDEX children_by_name ON children (family_name, given_name, id);
CREATE INDEX children_by_municipality ON children (responsible_municipality_id);
CREATE INDEX children_by_residence ON children (residence_id);
CREATE INDEX children_by_guardian ON children (guardian_sub);

CREATE TABLE cases (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    child_id                uuid NOT NULL REFERENCES children (id),
    status                  text NOT NULL CHECK (status IN ('ABSENT', 'REPORTED_MISSING', 'FOUND',
                                'FOLLOW_UP', 'CLOSED')),
    opened_at               timestamptz NOT NULL DEFAULT now(),
    opened_by               text NOT NULL REFERENCES organisations (id),
    last_seen_at            timestamptz,
    last_seen_place         text,
    circumstances           text,
    police_report_number    text,
    reported_missing_at     timestamptz,
    reported_missing_by     text REFERENCES organisations (id),
    registered_avviken_at   timestamptz,
    registered_avviken_by   text REFERENCES organisations (id),
    found_at                timestamptz,
    found_place             text,
    return_interview        text,
    return_interview_at     timestamptz,
    closed_at               timestamptz,
    outcome                 text CHECK (outcome IN ('RETURNED', 'FOUND_ELSEWHERE', 'LEFT_SWEDEN',
                                'TURNED_18', 'UNRESOLVED')),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    version                 integer NOT NULL DEFAULT 1,
    CHECK ((status = 'CLOSED') = (closed_at IS NOT NULL AND outcome IS NOT NULL))
);
-- A child has at most one open case.
CREATE UNIQUE INDEX cases_one_open_per_child ON cases (child_id) WHERE status <> 'CLOSED';
CREATE INDEX cases_by_child ON cases (child_id, opened_at DESC);
CREATE INDEX cases_by_opened ON cases (opened_at DESC, id DESC);
CREATE INDEX cases_by_status ON cases (status, opened_at DESC);

CREATE TABLE sightings (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    case_id     uuid NOT NULL REFERENCES cases (id),
    seen_at     timestamptz NOT NULL,
    place       text NOT NULL CHECK (length(place) BETWEEN 1 AND 500),
    note        text CHECK (length(note) <= 4000),
    reported_by text NOT NULL REFERENCES organisations (id),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sightings_by_case ON sightings (case_id, seen_at);

-- Consent (samtycke): the guardian's, or recorded by the responsible municipality.
CREATE TABLE consents (
    id                          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    child_id                    uuid NOT NULL REFERENCES children (id),
    recipient_organisation_id   text NOT NULL REFERENCES organisations (id),
    categories                  text[] NOT NULL CHECK (cardinality(categories) > 0),
    valid_from                  timestamptz NOT NULL DEFAULT now(),
    valid_until                 timestamptz,
    granted_by_sub              text NOT NULL,
    granted_by_organisation_id  text NOT NULL REFERENCES organisations (id),
    granted_at                  timestamptz NOT NULL DEFAULT now(),
    revoked_at                  timestamptz,
    revoked_by_sub              text,
    CHECK (valid_until IS NULL OR valid_until > valid_from)
);
CREATE INDEX consents_by_recipient ON consents (recipient_organisation_id, child_id)
    WHERE revoked_at IS NULL;
CREATE INDEX consents_by_child ON consents (child_id);
