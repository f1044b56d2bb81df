-- Verifications of the audit chain, run in the background: each incremental run re-hashes
-- only the rows after the last verified one (its checkpoint: last_seq and last_hash); a
-- full run, asked for by the county board's auditor or `hub audit verify`, re-hashes all.
-- verifyAuditChain answers the latest finished run instead of re-hashing on request.
CREATE TABLE audit_verifications (
    id                      bigserial PRIMARY KEY,
    full_run                boolean NOT NULL,
    requested_at            timestamptz NOT NULL DEFAULT now(),
    requested_by_sub        text,            -- null: the hub's own background run
    requested_by_org        text,
    started_at              timestamptz,
    finished_at             timestamptz,
    ok                      boolean,
    checked                 bigint NOT NULL DEFAULT 0,
    first_seq               bigint,
    last_seq                bigint,
    last_hash               text,
    first_broken_seq        bigint,
    problem                 text,
    CHECK (finished_at IS NULL OR ok IS NOT NULL)
);
CREATE INDEX audit_verifications_finished ON audit_verifications (finished_at DESC, id DESC)
    WHERE finished_at IS NOT NULL;
-- at most one full run waits or runs at a time
CREATE UNIQUE INDEX audit_verifications_one_full ON audit_verifications (full_run)
    WHERE full_run AND finished_at IS NULL;
