-- Partner systems that obtain tokens from the dev issuer by client credentials.
-- Secrets are random and long, so a plain sha256 is a sufficient one-way store.
CREATE TABLE oauth_clients (
    client_id       text PRIMARY KEY CHECK (length(client_id) BETWEEN 3 AND 100),
    organisation_id text NOT NULL REFERENCES organisations (id),
    secret_sha256   text NOT NULL,
    roles           text[] NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now()
);
