-- Up Migration
-- The worker's sweeper looks for unfinished diagnoses every few seconds: only those rows.
CREATE INDEX diagnoses_unfinished ON diagnoses (queued_at) WHERE state IN ('queued', 'running');

-- Down Migration
DROP INDEX diagnoses_unfinished;
