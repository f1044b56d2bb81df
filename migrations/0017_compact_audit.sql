-- A compact audit trail: a request that disclosed the same view of many children (a page
-- of 500 cases) appends one chained entry listing them, not one row per child.
--
-- child_ids:   the children such an entry covers, in the order the response met them
--              (empty on single-child entries, which keep child_id, and on every row
--              written before this migration);
-- case_counts: how many of case_ids belong to each of child_ids, in the same order (the
--              cases are stored grouped by child), so each child's cases are known
--              from the entry alone.
ALTER TABLE audit_log ADD COLUMN child_ids uuid[] NOT NULL DEFAULT '{}';
ALTER TABLE audit_log ADD COLUMN case_counts int[] NOT NULL DEFAULT '{}';

-- The narrow per-child index of compact entries: auditLog(filter: {childId}),
-- accessReport and the CSV export find a child's entries through it or audit_log_by_child.
CREATE INDEX audit_log_by_children ON audit_log USING gin (child_ids);

-- One part per child an entry covers, with that child's cases: a single-child (or
-- childless) entry is its own part 0.
CREATE FUNCTION audit_parts(one uuid, many uuid[], cases uuid[], counts int[])
RETURNS TABLE (part int, child_id uuid, case_ids uuid[])
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT 0, one, cases WHERE cardinality(many) = 0
    UNION ALL
    SELECT u.ord::int, u.child, cases[u.upto - u.n + 1 : u.upto]
      FROM (SELECT c.child, c.n, c.ord, (sum(c.n) OVER (ORDER BY c.ord))::int AS upto
              FROM unnest(many, counts) WITH ORDINALITY AS c(child, n, ord)) u
$$;

-- The trail as auditors read it: one row per child an entry covers, as it was before
-- entries became compact (the columns of audit_log, with part, and the entry's own
-- child_id and child_ids kept as entry_child_id and entry_child_ids for index lookups).
CREATE VIEW audit_by_child AS
SELECT a.seq, x.part, a.at, a.kind, a.request_id, a.trace_id, a.operation, a.action, a.sub,
       a.organisation_id, a.roles, a.purpose, x.child_id, x.case_ids, a.disclosed, a.withheld,
       a.bases, a.flags, a.details, a.prev_hash, a.hash, a.policy_version,
       a.child_id AS entry_child_id, a.child_ids AS entry_child_ids,
       a.case_ids AS entry_case_ids
  FROM audit_log a
 CROSS JOIN LATERAL audit_parts(a.child_id, a.child_ids, a.case_ids, a.case_counts) x;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hub_app') THEN
        GRANT SELECT ON audit_by_child TO hub_app;
    END IF;
END
$$;
