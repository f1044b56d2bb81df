-- Secrets the hub makes for itself and every replica must share: the statistics'
-- perturbation key (see hub/statistics/perturbation.py), made here once.
CREATE TABLE hub_secrets (
    name        text PRIMARY KEY,
    value       bytea NOT NULL CHECK (length(value) >= 32),
    created_at  timestamptz NOT NULL DEFAULT now()
);
-- 244 random bits from PostgreSQL's strong random source (gen_random_uuid, core since 13)
INSERT INTO hub_secrets (name, value)
VALUES ('statistics-record-key',
        decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'));
