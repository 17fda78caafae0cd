import type pg from 'pg';
import { buildAccuracyReport, parseSince } from '../core/report/accuracy.js';
import { loadAccuracyRows } from '../db/feedback-store.js';
import { renderAccuracy } from '../slack/render/render-accuracy.js';
import type { SlackMessage } from '../slack/render/index.js';
import { withTimeout } from '../util/with-timeout.js';

// `/diagnose accuracy [30d]`: read-only, answered in the ack itself, so it is bounded well under
// Slack's 3 s: a slow database gets an error message instead of Slack's "operation_timeout".

export const DEFAULT_SINCE = '30d';
const QUERY_BUDGET_MS = 2000;

function ephemeral(text: string): SlackMessage {
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

/** The answer for the user; a database error is logged through `onError` and told briefly. */
export async function accuracyAnswer(pool: pg.Pool, sinceText: string, onError: (err: unknown) => void, nowMs = Date.now()): Promise<SlackMessage> {
  const since = parseSince(sinceText, nowMs);
  if (!since) return ephemeral('`/diagnose accuracy [PERIOD]`: PERIOD is like `30d`, `12h` or a date such as `2026-11-01`.');
  try {
    const rows = await withTimeout(loadAccuracyRows(pool, since), QUERY_BUDGET_MS, 'accuracy query');
    return renderAccuracy(buildAccuracyReport(since, rows.diagnoses, rows.answers), sinceText);
  } catch (err) {
    onError(err);
    return ephemeral(':x: diagbot cannot read its accuracy right now (its database is unavailable or slow). Try again in a minute.');
  }
}
