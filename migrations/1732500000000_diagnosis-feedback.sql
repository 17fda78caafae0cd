-- Up Migration

-- "Right cause" / "Wrong cause → …" answers on a findings reply. One row per person and
-- diagnosis (changing the answer updates it; every answer is also in action_audit). The row keeps
-- what was judged: the category shown, the rules behind it and the evidence it cited, so the
-- accuracy report and the confidence calibration never depend on re-reading old results.
CREATE TABLE diagnosis_feedback (
  id               bigserial PRIMARY KEY,
  diagnosis_id     bigint NOT NULL REFERENCES diagnoses (id),
  incident_id      bigint NOT NULL REFERENCES incidents (id),
  host             text NOT NULL,
  user_id          text NOT NULL,
  -- The root cause the reply showed; 'no_problem' when it found none.
  category         text NOT NULL,
  verdict          text NOT NULL CHECK (verdict IN ('confirmed', 'corrected')),
  -- What the person said it really was: a TRIAGE.md category, 'no_problem' or 'something_else'.
  corrected_to     text,
  rules            text[] NOT NULL DEFAULT '{}',
  evidence_sources text[] NOT NULL DEFAULT '{}',
  confidence       real,
  changes          integer NOT NULL DEFAULT 0,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (diagnosis_id, user_id),
  CHECK ((verdict = 'corrected') = (corrected_to IS NOT NULL)),
  CHECK (corrected_to IS DISTINCT FROM category)
);
CREATE INDEX diagnosis_feedback_by_incident ON diagnosis_feedback (incident_id);
CREATE INDEX diagnosis_feedback_by_category ON diagnosis_feedback (category, updated_at);
-- The accuracy report counts diagnoses per category over a time range.
CREATE INDEX diagnoses_finished_by_category ON diagnoses (finished_at, root_category) WHERE state = 'done';

-- Down Migration
DROP INDEX diagnoses_finished_by_category;
DROP TABLE diagnosis_feedback;
