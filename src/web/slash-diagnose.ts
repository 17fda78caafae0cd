import type { App, RespondArguments } from '@slack/bolt';
import type pg from 'pg';
import { closestHosts, type Inventory } from '../config/inventory.js';
import { recordSlashRequest } from '../db/slash-store.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { JobQueues } from '../queue/job-queues.js';
import { withTimeout } from '../util/with-timeout.js';
import { renderDiagnoseHelp, renderUnknownHosts, type SlackMessage } from '../slack/render/index.js';
import { accuracyAnswer, DEFAULT_SINCE } from './slash-accuracy.js';

export interface SlashDeps {
  pool: pg.Pool;
  queues: JobQueues;
  inventory: Inventory;
  log: Logger;
  metrics: Metrics;
  /** Test-only (DIAGBOT_TEST_PAUSE_AFTER_ACK_MS): holds the handler after the ack, so a test can kill the process there. */
  testPauseAfterAckMs?: number;
}

export const MAX_HOSTS_PER_COMMAND = 20;
// Record + queue must leave the ack well inside Slack's 3 s, even when a dependency hangs.
const RECORD_BUDGET_MS = 1500;
const QUEUE_BUDGET_MS = 800;

type Parsed = { kind: 'help' } | { kind: 'accuracy'; since: string } | { kind: 'error'; message: SlackMessage } | { kind: 'hosts'; hosts: string[] };

function ephemeral(text: string): SlackMessage {
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

/** Only inventory host names pass; everything else typed is answered, never executed. */
export function parseDiagnoseText(text: string, inventory: Inventory): Parsed {
  const words = text.trim().split(/[\s,]+/).filter(Boolean);
  if (words.length === 0 || (words.length === 1 && /^(help|-h|--help)$/i.test(words[0]!))) return { kind: 'help' };
  // A keyword, like help (a host named "accuracy" in the inventory can still be diagnosed from the CLI).
  if (words[0]!.toLowerCase() === 'accuracy' && words.length <= 2) return { kind: 'accuracy', since: words[1] ?? DEFAULT_SINCE };
  if (words.length > MAX_HOSTS_PER_COMMAND) {
    return { kind: 'error', message: ephemeral(`:warning: At most ${MAX_HOSTS_PER_COMMAND} hosts per \`/diagnose\`; you named ${words.length}.`) };
  }
  const known = [...inventory.hosts.values()].filter((h) => !h.local).map((h) => h.name);
  const knownSet = new Set(known);
  const unknown = [...new Set(words.filter((w) => !knownSet.has(w)))];
  if (unknown.length > 0) {
    const suggestions = Object.fromEntries(unknown.map((u) => [u, closestHosts(inventory, u).filter((n) => knownSet.has(n))]));
    return { kind: 'error', message: renderUnknownHosts(unknown, suggestions, known) };
  }
  return { kind: 'hosts', hosts: [...new Set(words)] };
}

/** `/diagnose HOST…|help`: validate, record and queue, then ack with an ephemeral answer. */
export function registerSlashDiagnose(app: App, deps: SlashDeps): void {
  app.command('/diagnose', async ({ command, ack }) => {
    const parsed = parseDiagnoseText(command.text ?? '', deps.inventory);
    const answer = (msg: SlackMessage) => ack({ response_type: 'ephemeral', text: msg.text, blocks: msg.blocks } as RespondArguments & { response_type: 'ephemeral' });
    if (parsed.kind === 'help') {
      deps.metrics.slashCommands.inc({ outcome: 'help' });
      return answer(renderDiagnoseHelp());
    }
    if (parsed.kind === 'accuracy') {
      deps.metrics.slashCommands.inc({ outcome: 'accuracy' });
      return answer(await accuracyAnswer(deps.pool, parsed.since, (err) => deps.log.error({ err }, '/diagnose accuracy: could not read the feedback')));
    }
    if (parsed.kind === 'error') {
      deps.metrics.slashCommands.inc({ outcome: 'rejected' });
      return answer(parsed.message);
    }
    const log = deps.log.child({ user: command.user_id, channel: command.channel_id });
    // Recorded before the ack: once the user reads "Diagnosing", the request is in Postgres and
    // the worker's sweeper finishes it even if this process dies the next instant. Bounded so
    // the ack still beats Slack's 3 s when the database hangs (then the ack says nothing ran).
    const t0 = performance.now();
    let rec: Awaited<ReturnType<typeof recordSlashRequest>>;
    try {
      rec = await withTimeout(recordSlashRequest(deps.pool, {
        channel: command.channel_id, userId: command.user_id, hosts: parsed.hosts, responseUrl: command.response_url || null,
      }), RECORD_BUDGET_MS, 'recording the /diagnose request');
    } catch (err) {
      deps.metrics.slashCommands.inc({ outcome: 'unavailable' });
      log.error({ err, hosts: parsed.hosts }, '/diagnose: could not record the request');
      return answer(ephemeral(':x: diagbot cannot record requests right now (its database is unavailable), so nothing was run. Try again in a minute.'));
    }
    const recordMs = Math.round(performance.now() - t0);
    // The row is durable: if Redis is down now, the sweeper queues it later, so the ack stands.
    const queued = await withTimeout(Promise.all([deps.queues.addSlackSync(rec.incidentId, rec.revision), deps.queues.addDiagnoses(rec.incidentId, rec.queued)]),
      QUEUE_BUDGET_MS, 'queueing the /diagnose request')
      .then(() => true, (err: unknown) => { log.warn({ err, incidentId: rec.incidentId }, '/diagnose: recorded but not queued; the sweeper will queue it'); return false; });
    await answer(ephemeral(`:mag: Diagnosing ${parsed.hosts.map((h) => `\`${h}\``).join(', ')}: the findings will be posted in this channel.`));
    deps.metrics.slashCommands.inc({ outcome: 'accepted' });
    log.info({ incidentId: rec.incidentId, hosts: parsed.hosts, recordMs, queued, ackMs: Math.round(performance.now() - t0) }, '/diagnose accepted');
    if (deps.testPauseAfterAckMs) await new Promise((r) => setTimeout(r, deps.testPauseAfterAckMs));
  });
}
