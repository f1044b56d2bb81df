-- Every earlier signalement of a child, kept when updateDescription replaces it: searchers
-- compare the description given before a disappearance with what was seen since.
CREATE TABLE description_history (
    id                  bigserial PRIMARY KEY,
    child_id            uuid NOT NULL REFERENCES children (id),
    description         jsonb NOT NULL,       -- the replaced one: heightCm, build, ...
    replaced_at         timestamptz NOT NULL DEFAULT now(),
    replaced_by_org     text NOT NULL REFERENCES organisations (id)
);
CREATE INDEX description_history_by_child ON description_history (child_id, id DESC);
