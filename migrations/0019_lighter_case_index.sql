-- The GIN over every entry's case_ids cost PostgreSQL ~1.8 ms of CPU per compact entry of
-- 500 cases (a board's page), more than the rest of the insert ten times over, on every
-- read. A compact entry groups its cases by child, and a case's child never changes, so
-- its cases are found through the case's child and the narrow index over child_ids
-- (audit_log_by_children); only the entries that list no children (an entry about one
-- child, or none, such as a refusal naming a case that may not exist) keep a GIN over
-- their case_ids, and those list one case or a few.
DROP INDEX audit_log_by_case;
CREATE INDEX audit_log_by_case ON audit_log USING gin (case_ids)
    WHERE cardinality(child_ids) = 0;
