-- Up Migration

-- One row per alert group episode (from its first firing until it resolves), or per /diagnose.
CREATE TABLE incidents (
  id              bigserial PRIMARY KEY,
  source          text NOT NULL CHECK (source IN ('alertmanager', 'grafana', 'slash')),
  group_key       text,
  channel         text NOT NULL,
  title           text NOT NULL,
  status          text NOT NULL DEFAULT 'firing' CHECK (status IN ('firing', 'resolved')),
  requested_by    text,
  response_url    text,
  unmatched_hosts text[] NOT NULL DEFAULT '{}',
  -- Slack side: revision counts changes the parent should show; posted_revision is the last shown.
  parent_ts       text,
  revision        integer NOT NULL DEFAULT 1,
  posted_revision integer NOT NULL DEFAULT 0,
  resolved_reply_ts text,
  slack_error     text,
  sync_owner      text,
  sync_until      timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  resolved_at     timestamptz,
  CHECK ((source = 'slash') = (group_key IS NULL))
);
-- At most one open incident per alert group: two web processes cannot both open one.
CREATE UNIQUE INDEX incidents_one_open_per_group ON incidents (group_key) WHERE resolved_at IS NULL;
CREATE INDEX incidents_by_group ON incidents (group_key, id DESC);
CREATE INDEX incidents_unsynced ON incidents (id) WHERE posted_revision < revision;

-- Alert instances as the sender identifies them: fingerprint + startsAt.
CREATE TABLE alerts (
  id               bigserial PRIMARY KEY,
  incident_id      bigint NOT NULL REFERENCES incidents (id),
  fingerprint      text NOT NULL,
  starts_at        timestamptz NOT NULL,
  ends_at          timestamptz,
  status           text NOT NULL CHECK (status IN ('firing', 'resolved')),
  name             text NOT NULL,
  labels           jsonb NOT NULL,
  annotations      jsonb NOT NULL,
  generator_url    text,
  received_count   integer NOT NULL DEFAULT 1,
  first_received_at timestamptz NOT NULL DEFAULT now(),
  last_received_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (incident_id, fingerprint, starts_at)
);

-- One diagnosis per host per incident, however many alerts name the host.
CREATE TABLE diagnoses (
  id            bigserial PRIMARY KEY,
  incident_id   bigint NOT NULL REFERENCES incidents (id),
  host          text NOT NULL,
  state         text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
  attempts      integer NOT NULL DEFAULT 0,
  result        jsonb,
  root_category text,
  reachable     boolean,
  error         text,
  reply_ts      text,
  queued_at     timestamptz NOT NULL DEFAULT now(),
  started_at    timestamptz,
  finished_at   timestamptz,
  duration_ms   integer,
  UNIQUE (incident_id, host)
);

-- Down Migration
DROP TABLE diagnoses;
DROP TABLE alerts;
DROP TABLE incidents;
