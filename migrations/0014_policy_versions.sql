-- Every audit entry names the version of policies/ (its content hash) that decided it.
-- Rows written before stay without one: the trail is append-only.
ALTER TABLE audit_log ADD COLUMN policy_version text;
