-- "A valid consent", defined once: not revoked, begun, not yet ended. Every query that asks
-- whether a consent covers something reads this view (PostgreSQL inlines it).
CREATE VIEW valid_consents AS
SELECT * FROM consents
 WHERE revoked_at IS NULL AND valid_from <= now()
   AND (valid_until IS NULL OR valid_until > now());
