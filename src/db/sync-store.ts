import type pg from 'pg';
import { toActionRow, type ActionRow } from './action-store.js';
import type { DiagnosisTrigger } from './diagnosis-store.js';

// What the Slack publisher reads and writes. Only the holder of an incident's lease talks to
// Slack for it, so two workers never post the same parent or reply.

export interface IncidentRow {
  id: number;
  source: 'alertmanager' | 'grafana' | 'slash';
  channel: string;
  title: string;
  status: 'firing' | 'resolved';
  requestedBy: string | null;
  responseUrl: string | null;
  unmatchedHosts: string[];
  parentTs: string | null;
  revision: number;
  postedRevision: number;
  resolvedReplyTs: string | null;
  slackError: string | null;
  createdAt: string;
  resolvedAt: string | null;
}

export interface AlertRow {
  name: string;
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string | null;
  generatorUrl: string | null;
}

export interface DiagnosisState {
  id: number;
  host: string;
  state: 'queued' | 'running' | 'done' | 'failed';
  result: unknown;
  rootCategory: string | null;
  reachable: boolean | null;
  error: string | null;
  durationMs: number | null;
  replyTs: string | null;
  trigger: DiagnosisTrigger;
  actionId: string | null;
  requestedBy: string | null;
  replyRevision: number;
  postedReplyRevision: number;
}

export interface AuditRow {
  at: string;
  userId: string;
  outcome: string;
  detail: string | null;
  durationMs: number | null;
}

export interface SyncSnapshot {
  incident: IncidentRow;
  alerts: AlertRow[];
  alertCount: number;
  /** Oldest first; a host may appear more than once (re-runs, checks after a remediation). */
  diagnoses: DiagnosisState[];
  actions: (ActionRow & { audit: AuditRow[] })[];
}

export async function acquireSyncLease(pool: pg.Pool, incidentId: number, owner: string, ttlMs: number): Promise<boolean> {
  const r = await pool.query(
    `UPDATE incidents SET sync_owner = $2, sync_until = now() + make_interval(secs => $3::float8 / 1000)
     WHERE id = $1 AND (sync_until IS NULL OR sync_until < now() OR sync_owner = $2)`, [incidentId, owner, ttlMs]);
  return r.rowCount === 1;
}

export async function releaseSyncLease(pool: pg.Pool, incidentId: number, owner: string): Promise<void> {
  await pool.query('UPDATE incidents SET sync_owner = NULL, sync_until = NULL WHERE id = $1 AND sync_owner = $2', [incidentId, owner]);
}

const ts = (v: Date | null): string | null => (v ? v.toISOString() : null);

export async function loadSyncSnapshot(pool: pg.Pool, incidentId: number, maxAlerts = 50): Promise<SyncSnapshot | null> {
  const i = (await pool.query('SELECT * FROM incidents WHERE id = $1', [incidentId])).rows[0];
  if (!i) return null;
  const [alerts, count, diags, actions, audit] = await Promise.all([
    pool.query(`SELECT * FROM (SELECT DISTINCT ON (fingerprint) * FROM alerts WHERE incident_id = $1
                ORDER BY fingerprint, starts_at DESC) a ORDER BY status, starts_at, fingerprint LIMIT $2`, [incidentId, maxAlerts]),
    pool.query<{ n: string }>('SELECT count(DISTINCT fingerprint) AS n FROM alerts WHERE incident_id = $1', [incidentId]),
    pool.query('SELECT * FROM diagnoses WHERE incident_id = $1 ORDER BY id', [incidentId]),
    pool.query('SELECT * FROM actions WHERE incident_id = $1 ORDER BY created_at, id', [incidentId]),
    // Refusals of unknown ids have no incident; everything tied to this incident's actions is here.
    pool.query(`SELECT action_id, at, user_id, outcome, detail, duration_ms FROM action_audit
                WHERE incident_id = $1 AND action_id IS NOT NULL ORDER BY id LIMIT 500`, [incidentId]),
  ]);
  const auditBy = new Map<string, AuditRow[]>();
  for (const a of audit.rows) {
    const list = auditBy.get(a.action_id) ?? [];
    list.push({ at: ts(a.at)!, userId: a.user_id, outcome: a.outcome, detail: a.detail, durationMs: a.duration_ms });
    auditBy.set(a.action_id, list);
  }
  return {
    incident: {
      id: Number(i.id), source: i.source, channel: i.channel, title: i.title, status: i.status,
      requestedBy: i.requested_by, responseUrl: i.response_url, unmatchedHosts: i.unmatched_hosts,
      parentTs: i.parent_ts, revision: i.revision, postedRevision: i.posted_revision,
      resolvedReplyTs: i.resolved_reply_ts, slackError: i.slack_error, createdAt: ts(i.created_at)!, resolvedAt: ts(i.resolved_at),
    },
    alerts: alerts.rows.map((a) => ({ name: a.name, status: a.status, labels: a.labels, annotations: a.annotations,
      startsAt: ts(a.starts_at)!, endsAt: ts(a.ends_at), generatorUrl: a.generator_url })),
    alertCount: Number(count.rows[0]!.n),
    diagnoses: diags.rows.map((d) => ({ id: Number(d.id), host: d.host, state: d.state, result: d.result,
      rootCategory: d.root_category, reachable: d.reachable, error: d.error, durationMs: d.duration_ms, replyTs: d.reply_ts,
      trigger: d.trigger, actionId: d.action_id, requestedBy: d.requested_by,
      replyRevision: d.reply_revision, postedReplyRevision: d.posted_reply_revision })),
    actions: actions.rows.map((a) => ({ ...toActionRow(a), audit: auditBy.get(a.id) ?? [] })),
  };
}

export async function saveParentTs(pool: pg.Pool, incidentId: number, parentTs: string): Promise<void> {
  await pool.query('UPDATE incidents SET parent_ts = $2 WHERE id = $1 AND parent_ts IS NULL', [incidentId, parentTs]);
}

/** `revision`: the reply revision the posted message shows. */
export async function saveReplyTs(pool: pg.Pool, diagnosisId: number, replyTs: string, revision: number): Promise<void> {
  await pool.query(
    'UPDATE diagnoses SET reply_ts = $2, posted_reply_revision = GREATEST(posted_reply_revision, $3) WHERE id = $1 AND reply_ts IS NULL',
    [diagnosisId, replyTs, revision]);
}

export async function markReplyPosted(pool: pg.Pool, diagnosisId: number, revision: number): Promise<void> {
  await pool.query('UPDATE diagnoses SET posted_reply_revision = GREATEST(posted_reply_revision, $2) WHERE id = $1', [diagnosisId, revision]);
}

export async function saveResolvedReplyTs(pool: pg.Pool, incidentId: number, replyTs: string): Promise<void> {
  await pool.query('UPDATE incidents SET resolved_reply_ts = $2 WHERE id = $1 AND resolved_reply_ts IS NULL', [incidentId, replyTs]);
}

/** Records what Slack now shows; revision only moves forward. */
export async function markPosted(pool: pg.Pool, incidentId: number, revision: number, slackError: string | null): Promise<void> {
  await pool.query(
    'UPDATE incidents SET posted_revision = GREATEST(posted_revision, $2), slack_error = $3 WHERE id = $1',
    [incidentId, revision, slackError]);
}

/** Incidents whose Slack messages are behind (a lost job, a Slack outage): the sweeper re-queues them. */
export async function listUnsynced(pool: pg.Pool, olderThanMs: number, limit = 100): Promise<{ id: number; revision: number }[]> {
  const r = await pool.query<{ id: string; revision: number }>(
    `SELECT id, revision FROM incidents WHERE posted_revision < revision
       AND updated_at < now() - make_interval(secs => $1::float8 / 1000) ORDER BY id LIMIT $2`, [olderThanMs, limit]);
  return r.rows.map((x) => ({ id: Number(x.id), revision: x.revision }));
}
