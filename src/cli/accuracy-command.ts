import { UsageError } from '../config/config-error.js';
import { describeConfig, loadServiceConfig } from '../config/service-config.js';
import { accuracyTable, buildAccuracyReport, parseSince, type AccuracyReport } from '../core/report/accuracy.js';
import { loadAccuracyRows } from '../db/feedback-store.js';
import { createPool } from '../db/pool.js';

// `diagbot accuracy [--since 30d] [--format text|json]`: how often each root cause was confirmed
// or corrected by people in Slack, read from DATABASE_URL (the bot's own Postgres).

export interface AccuracyCliOptions { since: string; format: string }

export function renderAccuracyText(r: AccuracyReport, sinceText: string): string {
  const answered = r.categories.reduce((n, c) => n + c.confirmed + c.corrected, 0);
  return `diagbot accuracy since ${r.since} (${sinceText}): ${answered} answer${answered === 1 ? '' : 's'}\n\n${accuracyTable(r).join('\n')}\n`;
}

export async function runAccuracy(opts: AccuracyCliOptions, env: Record<string, string | undefined>,
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = process): Promise<number> {
  if (!['text', 'json'].includes(opts.format)) throw new UsageError(`--format must be "text" or "json" (got ${JSON.stringify(opts.format)})`);
  const since = parseSince(opts.since, Date.now());
  if (!since) throw new UsageError(`--since must be like 30d, 12h, 90m or a date such as 2026-11-01 (got ${JSON.stringify(opts.since)})`);
  // Only DATABASE_URL is needed, as for `diagbot migrate`.
  const config = loadServiceConfig(env, 'migrate');
  const pool = createPool(config.DATABASE_URL, { max: 2, applicationName: 'diagbot-accuracy' });
  try {
    const rows = await loadAccuracyRows(pool, since);
    const report = buildAccuracyReport(since, rows.diagnoses, rows.answers);
    io.stdout.write(opts.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderAccuracyText(report, opts.since));
    return 0;
  } catch (err) {
    // Not a usage problem: the database is down, unreachable or not migrated yet.
    io.stderr.write(`diagbot: could not read the feedback from ${String(describeConfig(config).DATABASE_URL)}: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await pool.end().catch(() => undefined);
  }
}
