-- Webhooks for partner systems: endpoints per organisation, and one delivery per event and
-- endpoint (its webhook-id stable across retries), with its log.
CREATE TABLE webhooks (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organisation_id text   NOT NULL REFERENCES organisations (id),
    url             text   NOT NULL CHECK (length(url) <= 2000),
    event_types     text[] NOT NULL CHECK (cardinality(event_types) > 0),
    secret          text   NOT NULL,  -- whsec_…: signs, so it is kept; shown once
    created_by      text   NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    deleted_at      timestamptz
);
CREATE INDEX webhooks_active ON webhooks (organisation_id) WHERE deleted_at IS NULL;

CREATE TABLE webhook_deliveries (
    id              bigserial PRIMARY KEY,
    webhook_id      uuid   NOT NULL REFERENCES webhooks (id),
    event_id        bigint REFERENCES case_events (id),  -- null: a ping
    message_id      text   NOT NULL UNIQUE,
    status          text   NOT NULL DEFAULT 'PENDING'
                    CHECK (status IN ('PENDING', 'RETRYING', 'DELIVERED', 'DEAD', 'SKIPPED')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_status     integer,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE status IN ('PENDING', 'RETRYING');
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (webhook_id, id DESC);
