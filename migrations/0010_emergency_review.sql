-- Emergency access (nödåtkomst) with a structured reason, and its review by an auditor.
ALTER TABLE emergency_access
    ADD COLUMN reason_kind text NOT NULL DEFAULT 'OTHER'
        CHECK (reason_kind IN ('LIFE_OR_HEALTH', 'SEARCH', 'OTHER')),
    ADD COLUMN reference text CHECK (length(reference) BETWEEN 1 AND 100),
    ADD COLUMN verdict text CHECK (verdict IN ('JUSTIFIED', 'NOT_JUSTIFIED')),
    ADD COLUMN review_note text CHECK (length(review_note) <= 4000),
    ADD COLUMN reviewed_by_sub text,
    ADD COLUMN reviewed_by_org text REFERENCES organisations (id),
    ADD CONSTRAINT emergency_review_whole
        CHECK ((verdict IS NULL) = (reviewed_at IS NULL) AND (verdict IS NULL) = (reviewed_by_sub IS NULL));
ALTER TABLE emergency_access ALTER COLUMN reason_kind DROP DEFAULT;
