-- The audit trail: one row per child touched by a request (and per mutation, delivery,
-- denial, emergency access, retention run), hash-chained, append-only, partitioned by month.

CREATE TABLE audit_log (
    seq             bigint      NOT NULL,
    at              timestamptz NOT NULL,
    kind            text        NOT NULL,
    request_id      text        NOT NULL,
    trace_id        text,
    operation       text,
    action          text        NOT NULL,
    sub             text,
    organisation_id text,
    roles           text[]      NOT NULL DEFAULT '{}',
    purpose         text,
    child_id        uuid,
    case_ids        uuid[]      NOT NULL DEFAULT '{}',
    disclosed       text[]      NOT NULL DEFAULT '{}',
    withheld        text[]      NOT NULL DEFAULT '{}',
    bases           jsonb       NOT NULL DEFAULT '{}',
    flags           text[]      NOT NULL DEFAULT '{}',
    details         jsonb       NOT NULL DEFAULT '{}',
    prev_hash       text        NOT NULL,
    hash            text        NOT NULL,
    PRIMARY KEY (seq, at)
) PARTITION BY RANGE (at);

-- auditLog's filters: by child or organisation or person over a time range, and by case.
CREATE INDEX audit_log_by_child ON audit_log (child_id, at, seq);
CREATE INDEX audit_log_by_organisation ON audit_log (organisation_id, at, seq);
CREATE INDEX audit_log_by_sub ON audit_log (sub, at, seq);
CREATE INDEX audit_log_by_time ON audit_log (at, seq);
CREATE INDEX audit_log_by_case ON audit_log USING gin (case_ids);

-- The end of the chain: appenders lock this row, so the chain has one order.
CREATE TABLE audit_head (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    seq      bigint  NOT NULL,
    hash     text    NOT NULL
);
INSERT INTO audit_head (seq, hash) VALUES (0, '');

-- Where the chain resumes after retention dropped its oldest partitions.
CREATE TABLE audit_anchors (
    seq        bigint      PRIMARY KEY,
    hash       text        NOT NULL,
    dropped_at timestamptz NOT NULL DEFAULT now(),
    partitions text[]      NOT NULL
);

CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_anchors_append_only BEFORE UPDATE OR DELETE ON audit_anchors
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_anchors_no_truncate BEFORE TRUNCATE ON audit_anchors
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

-- Monthly partitions, created ahead by the hub (start-up and scheduler). Runs as the
-- owner, so the hub's own role needs no right to create or drop tables.
CREATE FUNCTION audit_ensure_partitions(first_month date, months int) RETURNS int
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    lo date;
    part text;
    created int := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('audit_partitions'));
    FOR i IN 0 .. months - 1 LOOP
        lo := (date_trunc('month', first_month) + make_interval(months => i))::date;
        part := format('audit_log_%s', to_char(lo, 'YYYY_MM'));
        IF to_regclass(part) IS NULL THEN
            EXECUTE format(
                'CREATE TABLE %I PARTITION OF audit_log FOR VALUES FROM (%L) TO (%L)',
                part, lo::timestamp AT TIME ZONE 'UTC',
                (lo + interval '1 month')::timestamp AT TIME ZONE 'UTC');
            EXECUTE format('CREATE TRIGGER no_truncate BEFORE TRUNCATE ON %I '
                           'FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()', part);
            EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON %I FROM PUBLIC', part);
            IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hub_app') THEN
                EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON %I FROM hub_app', part);
            END IF;
            created := created + 1;
        END IF;
    END LOOP;
    RETURN created;
END
$$;

-- Retention: drop whole months that ended before `cutoff`, never the current one, and
-- leave an anchor so the chain of what remains still verifies.
CREATE FUNCTION audit_drop_partitions(cutoff timestamptz)
RETURNS TABLE (dropped text, row_count bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    part record;
    names text[] := '{}';
    last_seq bigint;
    last_hash text;
    n bigint;
BEGIN
    IF cutoff > date_trunc('month', now()) THEN
        RAISE EXCEPTION 'refusing to drop audit months that have not ended (cutoff %)', cutoff;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('audit_partitions'));
    FOR part IN
        SELECT c.relname AS name,
               (to_date(substr(c.relname, 11), 'YYYY_MM') + interval '1 month')
                   ::timestamp AT TIME ZONE 'UTC' AS upper_bound
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'audit_log'::regclass AND c.relname ~ '^audit_log_\d{4}_\d{2}$'
        ORDER BY c.relname
    LOOP
        CONTINUE WHEN part.upper_bound > cutoff;
        EXECUTE format('SELECT count(*) FROM %I', part.name) INTO n;
        EXECUTE format('SELECT seq, hash FROM %I ORDER BY seq DESC LIMIT 1', part.name)
            INTO last_seq, last_hash;
        EXECUTE format('DROP TABLE %I', part.name);
        names := names || part.name::text;
        dropped := part.name;
        row_count := n;
        RETURN NEXT;
    END LOOP;
    IF last_seq IS NOT NULL THEN
        INSERT INTO audit_anchors (seq, hash, partitions) VALUES (last_seq, last_hash, names);
    END IF;
END
$$;

SELECT audit_ensure_partitions((now() - interval '1 month')::date, 4);

-- Retention: a child's personal data is pseudonymised once its last case closed long ago.
ALTER TABLE children ADD COLUMN pseudonymised_at timestamptz;
CREATE INDEX cases_closed_by_child ON cases (child_id, closed_at);

-- The hub's own role: it may read and write the hub's tables, but only append to the
-- audit trail. Created where the migrating user may create roles; the hub switches to it
-- on each connection (HUB_DATABASE_ROLE). Without it, the triggers still refuse changes.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hub_app') THEN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_user
                   AND (rolsuper OR rolcreaterole)) THEN
            CREATE ROLE hub_app NOLOGIN;
        ELSE
            RAISE NOTICE 'cannot create role hub_app; audit rows are protected by triggers only';
            RETURN;
        END IF;
    END IF;
    GRANT USAGE ON SCHEMA public TO hub_app;
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO hub_app;
    GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO hub_app;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public
        GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO hub_app;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO hub_app;
    REVOKE UPDATE, DELETE, TRUNCATE ON audit_log, audit_anchors FROM hub_app;
    REVOKE INSERT ON audit_anchors FROM hub_app;
    REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migrations FROM hub_app;
    EXECUTE (
        SELECT string_agg(format('REVOKE UPDATE, DELETE, TRUNCATE ON %I FROM hub_app', c.relname), '; ')
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'audit_log'::regclass
    );
END
$$;
