// pg_activity: the JSON document from commands/postgres-pool.sql — client connections by state
// against max_connections minus the slots reserved for superusers.

export interface PgActivityRow {
  state: string;
  datname: string;
  usename: string;
  applicationName: string;
  count: number;
  maxStateSeconds: number;
}

export interface PgActivityEvidence {
  maxConnections: number;
  reserved: number;
  /** Slots ordinary roles (the app) can use. */
  usable: number;
  total: number;
  byState: Record<string, number>;
  idleInTransaction: number;
  /** Longest time any idle-in-transaction connection has sat in that state. */
  oldestIdleInTransactionS: number;
  rows: PgActivityRow[];
  /** False when diagbot's role cannot see other roles' sessions (no pg_read_all_stats/pg_monitor). */
  seesAll: boolean;
  raw: string;
}

export function parsePgActivity(text: string): PgActivityEvidence | null {
  let doc: unknown;
  try {
    // psql may print the document with surrounding whitespace or a header; take the JSON object.
    const start = text.indexOf('{');
    const end = text.lastIndexOf('}');
    if (start < 0 || end < start) return null;
    doc = JSON.parse(text.slice(start, end + 1));
  } catch {
    return null;
  }
  if (typeof doc !== 'object' || doc === null) return null;
  const d = doc as { max_connections?: unknown; reserved?: unknown; rows?: unknown; sees_all?: unknown };
  const maxConnections = Number(d.max_connections);
  if (!Number.isFinite(maxConnections) || maxConnections <= 0) return null;
  const reserved = Number.isFinite(Number(d.reserved)) ? Number(d.reserved) : 0;
  const rows: PgActivityRow[] = (Array.isArray(d.rows) ? d.rows : []).map((r: Record<string, unknown>) => ({
    state: String(r.state ?? 'unknown'),
    datname: String(r.datname ?? ''),
    usename: String(r.usename ?? ''),
    applicationName: String(r.application_name ?? ''),
    count: Number(r.count) || 0,
    maxStateSeconds: Number(r.max_state_seconds) || 0,
  }));
  const byState: Record<string, number> = {};
  for (const r of rows) byState[r.state] = (byState[r.state] ?? 0) + r.count;
  const iit = rows.filter((r) => r.state.startsWith('idle in transaction'));
  return {
    maxConnections,
    reserved,
    usable: Math.max(1, maxConnections - reserved),
    total: rows.reduce((n, r) => n + r.count, 0),
    byState,
    idleInTransaction: iit.reduce((n, r) => n + r.count, 0),
    oldestIdleInTransactionS: iit.reduce((m, r) => Math.max(m, r.maxStateSeconds), 0),
    rows,
    seesAll: d.sees_all !== false,
    raw: text.trim(),
  };
}
