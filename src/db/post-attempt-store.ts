import type pg from 'pg';

export interface PostAttempt { firstAt: Date; attempts: number }

/**
 * Records that a post is about to be sent (before sending it). `attempts > 1` says an earlier
 * attempt may have reached Slack, and `firstAt` since when to look for it.
 */
export async function recordPostAttempt(pool: pg.Pool, incidentId: number, key: string): Promise<PostAttempt> {
  const r = await pool.query<{ first_at: Date; attempts: number }>(
    `INSERT INTO slack_post_attempts (incident_id, post_key) VALUES ($1, $2)
     ON CONFLICT (incident_id, post_key) DO UPDATE SET attempts = slack_post_attempts.attempts + 1
     RETURNING first_at, attempts`, [incidentId, key]);
  const row = r.rows[0]!;
  return { firstAt: row.first_at, attempts: row.attempts };
}

/** Slack answered that it did nothing (ok:false, 429): the next attempt need not look first. */
export async function forgetPostAttempt(pool: pg.Pool, incidentId: number, key: string): Promise<void> {
  await pool.query('DELETE FROM slack_post_attempts WHERE incident_id = $1 AND post_key = $2', [incidentId, key]);
}
