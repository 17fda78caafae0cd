import type pg from 'pg';
import type { FakeSlack } from '../../fakes/fake-slack.js';
import type { AlertStatus } from '../../helpers/alert-payloads.js';
import { sleep } from './owned-process.js';
import { alertKey, type StormGroup } from './storm.js';

/** Alerts answered 2xx that Postgres does not hold, or holds with another status. */
export async function checkAlerts(pool: pg.Pool, accepted: Map<string, AlertStatus>) {
  const rows = (await pool.query<{ fingerprint: string; starts_at: Date; status: AlertStatus }>(
    'SELECT fingerprint, starts_at, status FROM alerts')).rows;
  const stored = new Map(rows.map((r) => [alertKey(r.fingerprint, r.starts_at.toISOString()), r.status]));
  let lost = 0;
  let wrongStatus = 0;
  for (const [k, status] of accepted) {
    const s = stored.get(k);
    if (s === undefined) lost += 1;
    else if (s !== status) wrongStatus += 1;
  }
  return { accepted: accepted.size, stored: stored.size, lost, wrongStatus };
}

export interface Backlog { unsynced: number; diagnosing: number; repliesMissing: number; resolvesMissing: number }

export async function backlog(pool: pg.Pool): Promise<Backlog> {
  const r = await pool.query<Backlog>(`SELECT
    (SELECT count(*)::int FROM incidents WHERE parent_ts IS NULL OR posted_revision < revision) AS unsynced,
    (SELECT count(*)::int FROM diagnoses WHERE state NOT IN ('done', 'failed')) AS diagnosing,
    (SELECT count(*)::int FROM diagnoses WHERE reply_ts IS NULL) AS "repliesMissing",
    (SELECT count(*)::int FROM incidents WHERE status = 'resolved' AND resolved_reply_ts IS NULL) AS "resolvesMissing"`);
  return r.rows[0]!;
}

/** What is still pending, row by row, for the log of a slow drain. */
export async function pendingDetail(pool: pg.Pool): Promise<string> {
  const inc = (await pool.query(`SELECT id, revision, posted_revision, sync_owner IS NOT NULL AS leased,
      round(extract(epoch FROM sync_until - now()))::int AS lease_left_s, parent_ts IS NOT NULL AS parent, status,
      round(extract(epoch FROM now() - updated_at))::int AS idle_s
    FROM incidents WHERE parent_ts IS NULL OR posted_revision < revision OR (status = 'resolved' AND resolved_reply_ts IS NULL)
    ORDER BY id LIMIT 10`)).rows;
  const diag = (await pool.query(`SELECT id, incident_id, state, attempts, reply_ts IS NOT NULL AS replied
    FROM diagnoses WHERE state NOT IN ('done', 'failed') OR reply_ts IS NULL ORDER BY id LIMIT 10`)).rows;
  return JSON.stringify({ incidents: inc, diagnoses: diag });
}

/**
 * Waits until Postgres says every incident, diagnosis and resolve is shown in Slack; returns how
 * long it took. A drain slower than `reportAfterMs` logs what is still pending (once).
 */
export async function waitDrained(pool: pg.Pool, timeoutMs: number, reportAfterMs = 20_000): Promise<{ ms: number; last: Backlog }> {
  const started = Date.now();
  let last: Backlog = { unsynced: -1, diagnosing: -1, repliesMissing: -1, resolvesMissing: -1 };
  let reported = false;
  while (Date.now() - started < timeoutMs) {
    try {
      last = await backlog(pool);
      if (last.unsynced + last.diagnosing + last.repliesMissing + last.resolvesMissing === 0) return { ms: Date.now() - started, last };
      if (!reported && Date.now() - started > reportAfterMs) {
        reported = true;
        console.log(`slow drain: still pending after ${reportAfterMs} ms: ${await pendingDetail(pool)}`);
      }
    } catch { /* the database may be restarting */ }
    await sleep(250);
  }
  throw new Error(`backlog not drained within ${timeoutMs} ms: ${JSON.stringify(last)} ${await pendingDetail(pool).catch(() => '')}`);
}

/**
 * What the fake Slack shows against what the groups call for: one parent per group, in its
 * thread one findings reply per diagnosed host and one resolved reply if it resolved; and no
 * chat.postMessage beyond those.
 */
export async function checkSlack(pool: pg.Pool, fake: FakeSlack, channel: string, groups: StormGroup[]) {
  // Stored group keys are hashed: an incident is found through the alert name its group carries.
  const incidents = (await pool.query<{ name: string; parent_ts: string | null; n_diag: number; status: string }>(
    `SELECT a.name, i.parent_ts, i.status, (SELECT count(*)::int FROM diagnoses d WHERE d.incident_id = i.id) AS n_diag
       FROM incidents i JOIN (SELECT DISTINCT incident_id, name FROM alerts) a ON a.incident_id = i.id
      WHERE i.source = 'alertmanager'`)).rows;
  const byKey = new Map<string, typeof incidents>();
  for (const i of incidents) byKey.set(i.name, [...(byKey.get(i.name) ?? []), i]);
  const messages = fake.messages(channel);
  const problems: string[] = [];
  let expectedReplies = 0;
  let replies = 0;
  for (const g of groups.filter((x) => x.deliveries > 0)) {
    const inc = byKey.get(g.name) ?? [];
    const parents = messages.filter((m) => m.text.includes(g.name));
    if (inc.length !== 1) problems.push(`${g.name}: ${inc.length} incidents`);
    if (parents.length !== 1) problems.push(`${g.name}: ${parents.length} parent messages`);
    const parent = parents[0];
    if (!parent) continue;
    if (inc[0] && inc[0].parent_ts !== parent.ts) problems.push(`${g.name}: stored parent ts ${inc[0].parent_ts} is not the posted ${parent.ts}`);
    const want = (inc[0]?.n_diag ?? 0) + (g.state === 'resolved' ? 1 : 0);
    if (g.namesHealthy && inc[0]?.n_diag !== 1) problems.push(`${g.name}: ${inc[0]?.n_diag} diagnoses for one named host`);
    expectedReplies += want;
    replies += parent.replies.length;
    if (parent.replies.length !== want) problems.push(`${g.name}: ${parent.replies.length} replies, expected ${want}`);
  }
  // Every successful post for these groups: top-level ones that are one of their parents, and
  // replies in their threads, answered or not. A duplicate or a lost post makes this differ from what is expected.
  const parentTs = new Set(messages.filter((m) => groups.some((g) => g.deliveries > 0 && m.text.includes(g.name))).map((m) => m.ts));
  // A call whose answer the fake dropped (status 0) took effect all the same: it counts.
  const posts = fake.callsTo('chat.postMessage').filter((c) => {
    const res = c.response as { ok?: boolean; ts?: string };
    if ((c.status !== 200 && c.status !== 0) || typeof res !== 'object' || !res.ok) return false;
    const thread = (c.body as { thread_ts?: string }).thread_ts;
    return thread ? parentTs.has(thread) : parentTs.has(res.ts ?? '');
  }).length;
  const groupCount = groups.filter((x) => x.deliveries > 0).length;
  if (posts !== groupCount + expectedReplies) problems.push(`${posts} successful chat.postMessage calls for ${groupCount} parents + ${expectedReplies} replies`);
  return { parents: parentTs.size, groups: groupCount, replies, expectedReplies, posts, problems };
}
