-- Up Migration

-- Execution bookkeeping for remediations. A click claims an offer (proposed → running); a worker
-- then claims the execution (executed_at set once), so a redelivered job can never run it again.
-- 'skipped' = the state checked at execution time no longer matched the offer: nothing ran.
ALTER TABLE actions DROP CONSTRAINT actions_state_check;
ALTER TABLE actions ADD CONSTRAINT actions_state_check
  CHECK (state IN ('proposed', 'running', 'succeeded', 'failed', 'skipped', 'unknown', 'expired'));
ALTER TABLE actions
  ADD COLUMN executed_by  text,
  ADD COLUMN executed_at  timestamptz,
  -- Refreshed while a worker executes; a stale heartbeat means the worker died mid-action.
  ADD COLUMN heartbeat_at timestamptz,
  -- The thread reply that reports the outcome (posted once).
  ADD COLUMN result_ts    text,
  ADD CHECK (executed_at IS NULL OR executed_by IS NOT NULL);
CREATE INDEX actions_running ON actions (started_at) WHERE state = 'running';
CREATE INDEX actions_by_incident ON actions (incident_id, created_at);

-- A host may now be diagnosed more than once per incident: the first time (alert or
-- /diagnose), again on request, and after a remediation to verify it.
ALTER TABLE diagnoses
  ADD COLUMN trigger text NOT NULL DEFAULT 'initial' CHECK (trigger IN ('initial', 'rerun', 'after_action')),
  ADD COLUMN action_id text REFERENCES actions (id),
  ADD COLUMN requested_by text,
  -- The thread reply is edited when its offers change (started, finished, expired).
  ADD COLUMN reply_revision integer NOT NULL DEFAULT 1,
  ADD COLUMN posted_reply_revision integer NOT NULL DEFAULT 0,
  ADD CHECK ((trigger = 'after_action') = (action_id IS NOT NULL));
ALTER TABLE diagnoses DROP CONSTRAINT diagnoses_incident_id_host_key;
CREATE UNIQUE INDEX diagnoses_one_initial_per_host ON diagnoses (incident_id, host) WHERE trigger = 'initial';
-- A double-clicked "Re-run" queues one diagnosis, not two.
CREATE UNIQUE INDEX diagnoses_one_in_flight_per_host ON diagnoses (incident_id, host)
  WHERE state IN ('queued', 'running') AND trigger <> 'after_action';
CREATE UNIQUE INDEX diagnoses_one_check_per_action ON diagnoses (action_id) WHERE action_id IS NOT NULL;
-- Replies already posted show everything there was to show.
UPDATE diagnoses SET posted_reply_revision = reply_revision WHERE reply_ts IS NOT NULL;
CREATE INDEX diagnoses_reply_behind ON diagnoses (incident_id) WHERE posted_reply_revision < reply_revision;

-- Down Migration
DROP INDEX diagnoses_reply_behind;
DROP INDEX diagnoses_one_check_per_action;
DROP INDEX diagnoses_one_in_flight_per_host;
DROP INDEX diagnoses_one_initial_per_host;
DELETE FROM diagnoses WHERE trigger <> 'initial';
ALTER TABLE diagnoses ADD CONSTRAINT diagnoses_incident_id_host_key UNIQUE (incident_id, host);
ALTER TABLE diagnoses DROP COLUMN posted_reply_revision, DROP COLUMN reply_revision, DROP COLUMN requested_by,
  DROP COLUMN action_id, DROP COLUMN trigger;
DROP INDEX actions_by_incident;
DROP INDEX actions_running;
ALTER TABLE actions DROP COLUMN result_ts, DROP COLUMN heartbeat_at, DROP COLUMN executed_at, DROP COLUMN executed_by;
ALTER TABLE actions DROP CONSTRAINT actions_state_check;
UPDATE actions SET state = 'failed' WHERE state = 'skipped';
ALTER TABLE actions ADD CONSTRAINT actions_state_check
  CHECK (state IN ('proposed', 'running', 'succeeded', 'failed', 'unknown', 'expired'));
