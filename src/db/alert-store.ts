import type pg from 'pg';
import type { AlertGroup } from '../core/alerts/alert-group.js';
import { inTransaction } from './pool.js';

export interface RecordedGroup {
  incidentId: number;
  revision: number;
  opened: boolean;
  /** Diagnoses still waiting for a job; enqueueing them again is harmless (job ids dedupe). */
  queued: { id: number; host: string }[];
}

export interface RecordGroupOptions {
  channel: string;
  /** Hosts each alert names, matched against the inventory (same order as group.alerts). */
  hostsByAlert: string[][];
  unmatchedHosts: string[];
  maxHostsPerIncident: number;
}

/**
 * Records one webhook delivery durably. Deliveries for the same group are serialised by an
 * advisory lock, so concurrent webhooks (or web processes) find or open the same incident;
 * the partial unique index on open incidents backs that up.
 */
export async function recordAlertGroup(pool: pg.Pool, group: AlertGroup, opts: RecordGroupOptions): Promise<RecordedGroup> {
  return inTransaction(pool, async (db) => {
    await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [group.groupKey]);
    const resolving = group.status === 'resolved';
    let row = (await db.query<{ id: string; status: string }>(
      'SELECT id, status FROM incidents WHERE group_key = $1 AND resolved_at IS NULL', [group.groupKey])).rows[0];
    if (!row && resolving) {
      // A resolve for a group whose episode is already closed (a repeat) belongs to that episode.
      row = (await db.query<{ id: string; status: string }>(
        'SELECT id, status FROM incidents WHERE group_key = $1 ORDER BY id DESC LIMIT 1', [group.groupKey])).rows[0];
    }
    const opened = !row;
    if (!row) {
      row = (await db.query<{ id: string; status: string }>(
        `INSERT INTO incidents (source, group_key, channel, title, status, resolved_at)
         VALUES ($1, $2, $3, $4, $5, CASE WHEN $5 = 'resolved' THEN now() END) RETURNING id, status`,
        [group.source, group.groupKey, opts.channel, group.title, group.status])).rows[0]!;
    }
    const incidentId = Number(row.id);
    await upsertAlerts(db, incidentId, group);

    const hosts = [...new Set(group.alerts.flatMap((a, i) => (a.status === 'firing' ? opts.hostsByAlert[i] ?? [] : [])))];
    if (!resolving && hosts.length > 0) {
      // One diagnosis per host per incident, capped so a broad label match cannot fan out to a fleet.
      await db.query(
        `INSERT INTO diagnoses (incident_id, host)
         SELECT $1, h FROM unnest($2::text[]) AS h
         WHERE (SELECT count(*) FROM diagnoses WHERE incident_id = $1 AND trigger = 'initial') < $3
         ON CONFLICT DO NOTHING`,
        [incidentId, hosts.slice(0, opts.maxHostsPerIncident), opts.maxHostsPerIncident]);
    }
    const updated = await db.query<{ revision: number }>(
      `UPDATE incidents SET revision = revision + 1, updated_at = now(), title = $2,
         status = CASE WHEN $3 THEN 'resolved' ELSE status END,
         resolved_at = CASE WHEN $3 THEN coalesce(resolved_at, now()) ELSE resolved_at END,
         unmatched_hosts = ARRAY(SELECT DISTINCT u FROM unnest(unmatched_hosts || $4::text[]) AS u LIMIT 20)
       WHERE id = $1 RETURNING revision`,
      [incidentId, group.title, resolving, opts.unmatchedHosts]);
    const queued = (await db.query<{ id: string; host: string }>(
      "SELECT id, host FROM diagnoses WHERE incident_id = $1 AND state = 'queued' ORDER BY id", [incidentId])).rows;
    return { incidentId, revision: updated.rows[0]!.revision, opened,
      queued: queued.map((q) => ({ id: Number(q.id), host: q.host })) };
  });
}

async function upsertAlerts(db: pg.PoolClient, incidentId: number, group: AlertGroup): Promise<void> {
  const rows = group.alerts.map((a) => ({
    fingerprint: a.fingerprint, starts_at: a.startsAt, ends_at: a.endsAt, status: a.status, name: a.name,
    labels: a.labels, annotations: a.annotations, generator_url: a.generatorUrl,
  }));
  await db.query(
    `INSERT INTO alerts (incident_id, fingerprint, starts_at, ends_at, status, name, labels, annotations, generator_url)
     SELECT DISTINCT ON (r.fingerprint, r.starts_at) $1, r.fingerprint, r.starts_at, r.ends_at, r.status, r.name,
            r.labels, r.annotations, r.generator_url
       FROM jsonb_to_recordset($2::jsonb) AS r(fingerprint text, starts_at timestamptz, ends_at timestamptz,
            status text, name text, labels jsonb, annotations jsonb, generator_url text)
     ON CONFLICT (incident_id, fingerprint, starts_at) DO UPDATE SET
       status = EXCLUDED.status, ends_at = EXCLUDED.ends_at, labels = EXCLUDED.labels,
       annotations = EXCLUDED.annotations, received_count = alerts.received_count + 1, last_received_at = now()`,
    [incidentId, JSON.stringify(rows)]);
}
