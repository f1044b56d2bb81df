-- The plan made executable: who did what when (events, the outbox), tasks with deadlines,
-- acknowledgements, uploaded photos.

ALTER TABLE cases
    ADD COLUMN found_by               text REFERENCES organisations (id),
    ADD COLUMN return_interview_by    text REFERENCES organisations (id),
    ADD COLUMN closed_by              text REFERENCES organisations (id);

-- The outbox: written in the same transaction as every change. The id is the cursor.
CREATE TABLE case_events (
    id                      bigserial PRIMARY KEY,
    case_id                 uuid REFERENCES cases (id),
    child_id                uuid NOT NULL REFERENCES children (id),
    type                    text NOT NULL,
    actor_organisation_id   text REFERENCES organisations (id),
    actor_sub               text,
    occurred_at             timestamptz NOT NULL DEFAULT now(),
    payload                 jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX case_events_by_case ON case_events (case_id, id);

-- Only the id travels: NOTIFY payloads are capped and lossy; readers fetch rows by id.
CREATE FUNCTION case_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('case_events', NEW.id::text);
    RETURN NEW;
END
$$;
CREATE TRIGGER case_events_notify AFTER INSERT ON case_events
    FOR EACH ROW EXECUTE FUNCTION case_events_notify();

CREATE TABLE tasks (
    id                          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    child_id                    uuid NOT NULL REFERENCES children (id),
    case_id                     uuid REFERENCES cases (id),
    routine                     text NOT NULL,
    title                       text NOT NULL,
    responsible_organisation_id text NOT NULL REFERENCES organisations (id),
    created_at                  timestamptz NOT NULL DEFAULT now(),
    due_soon_at                 timestamptz NOT NULL,
    due_at                      timestamptz NOT NULL,
    done_when                   text,
    status                      text NOT NULL DEFAULT 'OPEN'
                                CHECK (status IN ('OPEN', 'DONE', 'CANCELLED')),
    completed_at                timestamptz,
    completed_by_sub            text,
    completed_by_organisation_id text REFERENCES organisations (id),
    due_notified_at             timestamptz,
    overdue_notified_at         timestamptz,
    CHECK (due_soon_at <= due_at)
);
CREATE INDEX tasks_mine ON tasks (responsible_organisation_id, status, due_at);
CREATE INDEX tasks_by_case ON tasks (case_id, due_at);
CREATE INDEX tasks_to_notify ON tasks (due_soon_at) WHERE status = 'OPEN';

CREATE TABLE acknowledgements (
    event_id        bigint NOT NULL REFERENCES case_events (id),
    organisation_id text NOT NULL REFERENCES organisations (id),
    sub             text NOT NULL,
    acknowledged_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, organisation_id)
);

CREATE TABLE photos (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    child_id     uuid NOT NULL REFERENCES children (id),
    content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
    data         bytea NOT NULL CHECK (octet_length(data) <= 2097152),
    created_at   timestamptz NOT NULL DEFAULT now()
);
