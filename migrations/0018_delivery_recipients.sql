-- One entry per cohort delivery: the subscribers who received the same answer to the same
-- event (the same organisation, roles, purpose, view, bases and flags), when their records
-- meet in one group commit, share one chained entry that names every recipient.
--
-- recipients: the subjects such an entry covers, in the order their records arrived
--             (empty on every other entry, which keeps its one sub; a recipients entry
--             has sub NULL and covers one child, its case's).
ALTER TABLE audit_log ADD COLUMN recipients text[] NOT NULL DEFAULT '{}';
ALTER TABLE audit_log ADD CONSTRAINT audit_log_recipients_one_child
    CHECK (cardinality(recipients) = 0 OR (sub IS NULL AND cardinality(child_ids) = 0));

-- a person's deliveries through auditLog(filter: {sub}) and the access report
CREATE INDEX audit_log_by_recipients ON audit_log USING gin (recipients);

-- One part per recipient of an entry that names them; any other entry is its own part 0.
CREATE FUNCTION audit_recipients(one text, many text[])
RETURNS TABLE (part int, sub text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT 0, one WHERE cardinality(many) = 0
    UNION ALL
    SELECT r.ord::int, r.sub FROM unnest(many) WITH ORDINALITY AS r(sub, ord)
$$;

-- The trail as auditors read it: one row per child and recipient an entry covers. An
-- entry covers several children or several recipients, never both, so `part` (the
-- child's or the recipient's place, 0 for an entry of one) still names the row.
CREATE OR REPLACE VIEW audit_by_child AS
SELECT a.seq, x.part + r.part AS part, a.at, a.kind, a.request_id, a.trace_id, a.operation,
       a.action, r.sub, a.organisation_id, a.roles, a.purpose, x.child_id, x.case_ids,
       a.disclosed, a.withheld, a.bases, a.flags, a.details, a.prev_hash, a.hash,
       a.policy_version, a.child_id AS entry_child_id, a.child_ids AS entry_child_ids,
       a.case_ids AS entry_case_ids, a.sub AS entry_sub, a.recipients AS entry_recipients
  FROM audit_log a
 CROSS JOIN LATERAL audit_parts(a.child_id, a.child_ids, a.case_ids, a.case_counts) x
 CROSS JOIN LATERAL audit_recipients(a.sub, a.recipients) r;
