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
}

export const MAX_HOSTS_PER_COMMAND = 20;
const RESPOND_TIMEOUT_MS = 5000;

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

/** `/diagnose HOST…|help`: validate, ack with an ephemeral answer, then record and queue. */
export function registerSlashDiagnose(app: App, deps: SlashDeps): void {
  app.command('/diagnose', async ({ command, ack, respond }) => {
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
    // Ack first: Slack allows 3 s, and a busy database must not turn into "operation_timeout"
    // for the user. If recording then fails, the response_url tells the user so.
    await answer(ephemeral(`:mag: Diagnosing ${parsed.hosts.map((h) => `\`${h}\``).join(', ')}: the findings will be posted in this channel.`));
    const t0 = performance.now();
    try {
      // Bounded by the pool's connect and statement timeouts.
      const rec = await recordSlashRequest(deps.pool, {
        channel: command.channel_id, userId: command.user_id, hosts: parsed.hosts, responseUrl: command.response_url || null,
      });
      const recordMs = Math.round(performance.now() - t0);
      await Promise.all([deps.queues.addSlackSync(rec.incidentId, rec.revision), deps.queues.addDiagnoses(rec.incidentId, rec.queued)]);
      deps.metrics.slashCommands.inc({ outcome: 'accepted' });
      log.info({ incidentId: rec.incidentId, hosts: parsed.hosts, recordMs, queueMs: Math.round(performance.now() - t0) - recordMs }, '/diagnose accepted');
    } catch (err) {
      deps.metrics.slashCommands.inc({ outcome: 'unavailable' });
      log.error({ err, hosts: parsed.hosts }, '/diagnose: could not record the request');
      const msg = ephemeral(':x: diagbot cannot record requests right now (its database or queue is unavailable), so nothing was run. Try again in a minute.');
      await withTimeout(respond({ response_type: 'ephemeral', replace_original: false, text: msg.text, blocks: msg.blocks }),
        RESPOND_TIMEOUT_MS, 'response_url').catch((e: unknown) => log.error({ err: e }, '/diagnose: could not tell the user either'));
    }
  });
}
