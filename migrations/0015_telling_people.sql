-- Nobody misses a deadline: escalation ladders, one notifier with its own position in the
-- outbox, the person's inbox, and e-mail to contact points.

-- A task's ladder (policies/routines.yaml, copied at creation: a later edit of the file
-- does not change what a task already promised) and how far up it has climbed.
ALTER TABLE tasks
    ADD COLUMN escalation      jsonb   NOT NULL DEFAULT '[]',
    ADD COLUMN escalation_step integer NOT NULL DEFAULT 0;
CREATE INDEX tasks_to_escalate ON tasks (due_at) WHERE status = 'OPEN';

-- The notifier's place in case_events: advanced in the same transaction as what it
-- derived, so a restart or a failover neither loses nor repeats an event.
CREATE TABLE notifier_position (
    only_row      boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    last_event_id bigint  NOT NULL
);
INSERT INTO notifier_position (last_event_id) SELECT coalesce(max(id), 0) FROM case_events;

-- What an organisation (or one person in it, a god man) is told; read per person.
CREATE TABLE notifications (
    id              bigserial PRIMARY KEY,
    event_id        bigint NOT NULL REFERENCES case_events (id),
    organisation_id text   NOT NULL REFERENCES organisations (id),
    sub             text,  -- one person's (the god man's task), else the organisation's
    kind            text   NOT NULL,
    child_id        uuid   NOT NULL REFERENCES children (id),
    case_id         uuid   REFERENCES cases (id),
    task_id         uuid   REFERENCES tasks (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE NULLS NOT DISTINCT (event_id, organisation_id, sub)
);
CREATE INDEX notifications_inbox ON notifications (organisation_id, id DESC);
CREATE TABLE notification_reads (
    notification_id bigint NOT NULL REFERENCES notifications (id),
    organisation_id text   NOT NULL,
    sub             text   NOT NULL,
    read_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (notification_id, organisation_id, sub)
);

-- One mail per escalation step and address; `key` is the Message-ID, so a resend after a
-- crash between sending and marking is recognisable as the same mail.
CREATE TABLE mail_outbox (
    id              bigserial PRIMARY KEY,
    key             text   NOT NULL UNIQUE,
    organisation_id text   NOT NULL REFERENCES organisations (id),
    to_address      text   NOT NULL,
    subject         text   NOT NULL,
    body            text   NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    attempts        integer NOT NULL DEFAULT 0,
    last_error      text,
    sent_at         timestamptz
);
CREATE INDEX mail_outbox_pending ON mail_outbox (id) WHERE sent_at IS NULL;
