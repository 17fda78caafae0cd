import type pg from 'pg';

export interface SlashRequest {
  channel: string;
  userId: string;
  hosts: string[];
  responseUrl: string | null;
}

export interface RecordedRequest {
  incidentId: number;
  revision: number;
  queued: { id: number; host: string }[];
}

/**
 * A /diagnose request becomes its own incident: its message and thread are its own. One
 * statement (atomic on its own) keeps the ack path to a single round trip.
 */
export async function recordSlashRequest(pool: pg.Pool, req: SlashRequest): Promise<RecordedRequest> {
  const r = await pool.query<{ incident_id: string; revision: number; id: string; host: string }>(
    `WITH inc AS (
       INSERT INTO incidents (source, channel, title, requested_by, response_url)
       VALUES ('slash', $1, $2, $3, $4) RETURNING id, revision),
     d AS (
       INSERT INTO diagnoses (incident_id, host) SELECT inc.id, h FROM inc, unnest($5::text[]) AS h RETURNING id, host)
     SELECT inc.id AS incident_id, inc.revision, d.id, d.host FROM inc, d`,
    [req.channel, `Diagnosing ${req.hosts.join(', ')}`.slice(0, 200), req.userId, req.responseUrl, req.hosts]);
  const first = r.rows[0];
  if (!first) throw new Error('recording the /diagnose request returned no rows');
  return { incidentId: Number(first.incident_id), revision: first.revision, queued: r.rows.map((x) => ({ id: Number(x.id), host: x.host })) };
}
