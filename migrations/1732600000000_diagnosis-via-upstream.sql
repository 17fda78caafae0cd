-- Up Migration
-- A host diagnosed because another host's nginx sends requests to it (the tier behind an LB):
-- which host, and the upstream target that pointed here.
ALTER TABLE diagnoses ADD COLUMN via_host text, ADD COLUMN via_target text;

-- Down Migration
ALTER TABLE diagnoses DROP COLUMN via_host, DROP COLUMN via_target;
