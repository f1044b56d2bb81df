-- Finding a child: name search across spellings, the outreach lookup, contact reports.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;
CREATE EXTENSION IF NOT EXISTS unaccent;

-- Each child's name in search form (Latin letters, lower case: the hub writes it from the
-- names, transliterated) and its phonetic keys (double metaphone, both codes, per word):
-- Mohammed, Muhammad and Mohamad share MHMT; Youssef and Yusuf share ASF.
ALTER TABLE children
    ADD COLUMN search_name text,
    ADD COLUMN name_keys   text[] NOT NULL DEFAULT '{}';

CREATE FUNCTION name_keys(name text) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(array_agg(DISTINCT k ORDER BY k), '{}')
      FROM regexp_split_to_table(name, '[^a-z0-9]+') w,
           LATERAL (VALUES (dmetaphone(w)), (dmetaphone_alt(w))) x(k)
     WHERE w <> '' AND k <> ''
$$;

CREATE FUNCTION children_search_form() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- names changed without a new search form (retention, a direct edit): derive it here
    IF NEW.search_name IS NULL OR (TG_OP = 'UPDATE'
            AND NEW.search_name IS NOT DISTINCT FROM OLD.search_name
            AND (NEW.given_name, NEW.family_name)
                IS DISTINCT FROM (OLD.given_name, OLD.family_name)) THEN
        NEW.search_name := lower(unaccent(NEW.given_name || ' ' || NEW.family_name));
    END IF;
    NEW.name_keys := name_keys(NEW.search_name);
    RETURN NEW;
END
$$;
CREATE TRIGGER children_search_form BEFORE INSERT OR UPDATE OF given_name, family_name,
    search_name ON children FOR EACH ROW EXECUTE FUNCTION children_search_form();
UPDATE children SET search_name = NULL;

CREATE INDEX children_name_keys ON children USING gin (name_keys);
CREATE INDEX children_search_name ON children USING gin (search_name gin_trgm_ops);
CREATE INDEX children_birth_date ON children (birth_date);

-- A lookup's answer names a child only by an opaque ref: the asker's own, for a day.
CREATE TABLE lookup_refs (
    ref             text PRIMARY KEY,
    child_id        uuid NOT NULL REFERENCES children (id),
    organisation_id text NOT NULL REFERENCES organisations (id),
    sub             text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL
);
CREATE INDEX lookup_refs_expiry ON lookup_refs (expires_at);

-- Each person's lookups, for the rate limit and the enumeration guard.
CREATE TABLE lookups (
    id              bigserial PRIMARY KEY,
    organisation_id text NOT NULL REFERENCES organisations (id),
    sub             text NOT NULL,
    at              timestamptz NOT NULL DEFAULT now(),
    matches         integer NOT NULL
);
CREATE INDEX lookups_by_person ON lookups (organisation_id, sub, at);

-- What an outreach worker, an NGO or another agency reports after meeting a child it may
-- not see: it reaches social services (and the police while the child is missing).
CREATE TABLE contact_reports (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    child_id         uuid NOT NULL REFERENCES children (id),
    case_id          uuid REFERENCES cases (id),
    organisation_id  text NOT NULL REFERENCES organisations (id),
    sub              text NOT NULL,
    reporter_name    text,
    reporter_role    text,
    seen_at          timestamptz NOT NULL,
    place            text NOT NULL CHECK (length(place) BETWEEN 1 AND 500),
    kind             text NOT NULL CHECK (kind IN ('SEEN', 'SPOKE_WITH', 'REPORTED_BY_OTHERS')),
    note             text CHECK (length(note) <= 4000),
    callback_phone   text CHECK (length(callback_phone) <= 40),
    willing_to_talk  boolean,
    basis            text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contact_reports_by_child ON contact_reports (child_id, seen_at);
