import type pg from 'pg';
import { inTransaction } from './pool.js';

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

/** A /diagnose request becomes its own incident: its message and thread are its own. */
export async function recordSlashRequest(pool: pg.Pool, req: SlashRequest): Promise<RecordedRequest> {
  return inTransaction(pool, async (db) => {
    const inc = await db.query<{ id: string; revision: number }>(
      `INSERT INTO incidents (source, channel, title, requested_by, response_url)
       VALUES ('slash', $1, $2, $3, $4) RETURNING id, revision`,
      [req.channel, `Diagnosing ${req.hosts.join(', ')}`.slice(0, 200), req.userId, req.responseUrl]);
    const incidentId = Number(inc.rows[0]!.id);
    const diag = await db.query<{ id: string; host: string }>(
      `INSERT INTO diagnoses (incident_id, host) SELECT $1, h FROM unnest($2::text[]) AS h
       ON CONFLICT DO NOTHING RETURNING id, host`, [incidentId, req.hosts]);
    return { incidentId, revision: inc.rows[0]!.revision, queued: diag.rows.map((r) => ({ id: Number(r.id), host: r.host })) };
  });
}
