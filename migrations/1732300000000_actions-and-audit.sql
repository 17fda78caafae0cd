-- Up Migration

-- Remediations offered on a thread. The id is the opaque, single-use value of the button;
-- the state machine below decides, in one UPDATE, who runs it.
CREATE TABLE actions (
  id           text PRIMARY KEY,
  incident_id  bigint NOT NULL REFERENCES incidents (id),
  diagnosis_id bigint REFERENCES diagnoses (id),
  host         text NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('rollback', 'kill_idle_connections', 'rerun_diagnosis')),
  -- Exactly what the confirm dialog promised (release A → B, the connections to end).
  params       jsonb NOT NULL,
  state        text NOT NULL DEFAULT 'proposed'
               CHECK (state IN ('proposed', 'running', 'succeeded', 'failed', 'unknown', 'expired')),
  expires_at   timestamptz NOT NULL,
  started_by   text,
  started_at   timestamptz,
  finished_at  timestamptz,
  result       jsonb,
  created_at   timestamptz NOT NULL DEFAULT now(),
  CHECK ((state IN ('proposed', 'expired')) = (started_by IS NULL))
);
-- One offer of each kind per diagnosis, however often the thread is re-rendered.
CREATE UNIQUE INDEX actions_one_offer_per_diagnosis ON actions (diagnosis_id, kind) WHERE diagnosis_id IS NOT NULL;

-- Every attempt, allowed or not. Rows are never changed or removed.
CREATE TABLE action_audit (
  id             bigserial PRIMARY KEY,
  at             timestamptz NOT NULL DEFAULT now(),
  action_id      text,
  incident_id    bigint,
  user_id        text NOT NULL,
  host           text,
  kind           text,
  params         jsonb,
  outcome        text NOT NULL,
  detail         text,
  duration_ms    integer,
  output_excerpt text
);
CREATE INDEX action_audit_by_action ON action_audit (action_id, id);

CREATE FUNCTION action_audit_is_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'action_audit is append-only';
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER action_audit_no_update BEFORE UPDATE OR DELETE ON action_audit
  FOR EACH ROW EXECUTE FUNCTION action_audit_is_append_only();
CREATE TRIGGER action_audit_no_truncate BEFORE TRUNCATE ON action_audit
  FOR EACH STATEMENT EXECUTE FUNCTION action_audit_is_append_only();

-- Down Migration
DROP TABLE action_audit;
DROP FUNCTION action_audit_is_append_only();
DROP TABLE actions;
