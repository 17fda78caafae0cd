-- Up Migration
-- A Slack post that was sent but whose ts is not stored yet: the answer may have been lost after
-- Slack accepted it. A later attempt at the same post first looks for it in Slack (by the message
-- metadata it carries), from first_at on, instead of posting it a second time.
CREATE TABLE slack_post_attempts (
  incident_id bigint NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
  post_key    text NOT NULL,
  first_at    timestamptz NOT NULL DEFAULT now(),
  attempts    integer NOT NULL DEFAULT 1,
  PRIMARY KEY (incident_id, post_key)
);

-- Down Migration
DROP TABLE slack_post_attempts;
