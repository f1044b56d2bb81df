-- Who (the person, not only the organisation) reported a sighting: the police call back,
-- and one person may add only so many sightings to one case in a while.
ALTER TABLE sightings ADD COLUMN reported_by_sub text;
CREATE INDEX sightings_by_reporter ON sightings (case_id, reported_by_sub, created_at);
