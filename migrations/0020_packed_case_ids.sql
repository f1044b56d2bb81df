-- A compact entry's cases as one value: a board's entry lists some 500 cases, and as a
-- uuid[] each of them was encoded by the hub, hashed as a string of its own and sliced out
-- of the statement's array by PostgreSQL, on every read of a list.
--
-- case_bytes: the 16-byte ids of a compact entry's cases (those of child_ids) end to end,
--             grouped by child in the order of child_ids, case_counts of each, and within
--             a child in the order of their bytes. Its hash covers the bytes as hex
--             (hub/audit/chain.py). NULL on every other entry, and on compact entries
--             written before this migration, whose case_ids list them as they did.
ALTER TABLE audit_log ADD COLUMN case_bytes bytea;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_case_bytes_compact
    CHECK (case_bytes IS NULL
           OR (cardinality(child_ids) > 0 AND cardinality(case_ids) = 0
               AND length(case_bytes) % 16 = 0));

-- n ids of `packed` from the one at `first` (counted from 0) on, as a uuid[].
CREATE FUNCTION unpacked_uuids(packed bytea, first int, n int) RETURNS uuid[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(encode(substring(packed FROM (first + i) * 16 + 1 FOR 16), 'hex')::uuid
                              ORDER BY i), '{}')
      FROM generate_series(0, n - 1) AS i
$$;

-- audit_parts (0017) with the packed cases: a child's part unpacks only its own.
DROP VIEW audit_by_child;
DROP FUNCTION audit_parts(uuid, uuid[], uuid[], int[]);
CREATE FUNCTION audit_parts(one uuid, many uuid[], cases uuid[], packed bytea, counts int[])
RETURNS TABLE (part int, child_id uuid, case_ids uuid[])
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT 0, one, cases WHERE cardinality(many) = 0
    UNION ALL
    SELECT u.ord::int, u.child,
           CASE WHEN packed IS NULL THEN cases[u.upto - u.n + 1 : u.upto]
                ELSE unpacked_uuids(packed, u.upto - u.n, u.n) END
      FROM (SELECT c.child, c.n, c.ord, (sum(c.n) OVER (ORDER BY c.ord))::int AS upto
              FROM unnest(many, counts) WITH ORDINALITY AS c(child, n, ord)) u
$$;

-- As in 0018, with entry_case_ids the entry's cases however they are stored.
CREATE VIEW audit_by_child AS
SELECT a.seq, x.part + r.part AS part, a.at, a.kind, a.request_id, a.trace_id, a.operation,
       a.action, r.sub, a.organisation_id, a.roles, a.purpose, x.child_id, x.case_ids,
       a.disclosed, a.withheld, a.bases, a.flags, a.details, a.prev_hash, a.hash,
       a.policy_version, a.child_id AS entry_child_id, a.child_ids AS entry_child_ids,
       CASE WHEN a.case_bytes IS NULL THEN a.case_ids
            ELSE unpacked_uuids(a.case_bytes, 0, length(a.case_bytes) / 16) END
           AS entry_case_ids,
       a.sub AS entry_sub, a.recipients AS entry_recipients
  FROM audit_log a
 CROSS JOIN LATERAL audit_parts(a.child_id, a.child_ids, a.case_ids, a.case_bytes,
                                a.case_counts) x
 CROSS JOIN LATERAL audit_recipients(a.sub, a.recipients) r;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hub_app') THEN
        GRANT SELECT ON audit_by_child TO hub_app;
    END IF;
END
$$;
