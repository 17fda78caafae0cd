import type { App, RespondArguments } from '@slack/bolt';
import type pg from 'pg';
import { closestHosts, type Inventory } from '../config/inventory.js';
import { recordSlashRequest } from '../db/slash-store.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { JobQueues } from '../queue/job-queues.js';
import { renderDiagnoseHelp, renderUnknownHosts, type SlackMessage } from '../slack/render/index.js';

export interface SlashDeps {
  pool: pg.Pool;
  queues: JobQueues;
  inventory: Inventory;
  log: Logger;
  metrics: Metrics;
}

export const MAX_HOSTS_PER_COMMAND = 20;
/** Slack waits 3 s for the ack; recording must leave room for the answer to travel back. */
const RECORD_BUDGET_MS = 2000;

type Parsed = { kind: 'help' } | { kind: 'error'; message: SlackMessage } | { kind: 'hosts'; hosts: string[] };

function ephemeral(text: string): SlackMessage {
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

/** Only inventory host names pass; everything else typed is answered, never executed. */
export function parseDiagnoseText(text: string, inventory: Inventory): Parsed {
  const words = text.trim().split(/[\s,]+/).filter(Boolean);
  if (words.length === 0 || (words.length === 1 && /^(help|-h|--help)$/i.test(words[0]!))) return { kind: 'help' };
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

function withBudget<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), ms); })])
    .finally(() => clearTimeout(timer));
}

/** `/diagnose HOST…|help`: validate, record, queue, then ack with an ephemeral answer. */
export function registerSlashDiagnose(app: App, deps: SlashDeps): void {
  app.command('/diagnose', async ({ command, ack }) => {
    const parsed = parseDiagnoseText(command.text ?? '', deps.inventory);
    const answer = (msg: SlackMessage) => ack({ response_type: 'ephemeral', text: msg.text, blocks: msg.blocks } as RespondArguments & { response_type: 'ephemeral' });
    if (parsed.kind === 'help') {
      deps.metrics.slashCommands.inc({ outcome: 'help' });
      return answer(renderDiagnoseHelp());
    }
    if (parsed.kind === 'error') {
      deps.metrics.slashCommands.inc({ outcome: 'rejected' });
      return answer(parsed.message);
    }
    const log = deps.log.child({ user: command.user_id, channel: command.channel_id });
    const work = (async () => {
      const rec = await recordSlashRequest(deps.pool, {
        channel: command.channel_id, userId: command.user_id, hosts: parsed.hosts, responseUrl: command.response_url || null,
      });
      await deps.queues.addSlackSync(rec.incidentId, rec.revision);
      await deps.queues.addDiagnoses(rec.incidentId, rec.queued);
      return rec;
    })();
    const outcome = await withBudget(work.then((r) => r, (err: unknown) => err as Error), RECORD_BUDGET_MS);
    if (outcome === 'timeout') {
      deps.metrics.slashCommands.inc({ outcome: 'slow' });
      log.warn({ hosts: parsed.hosts }, '/diagnose: recording is slow; answered before it finished');
      work.catch((err) => log.error({ err }, '/diagnose: recording failed after the ack'));
      return answer(ephemeral(':hourglass: diagbot is slow to record this request. If it goes through, the diagnosis will appear in this channel; if nothing appears within a minute, try again.'));
    }
    if (outcome instanceof Error) {
      deps.metrics.slashCommands.inc({ outcome: 'unavailable' });
      log.error({ err: outcome, hosts: parsed.hosts }, '/diagnose: could not record the request');
      return answer(ephemeral(':x: diagbot cannot record requests right now (its database or queue is unavailable). Nothing was run; try again in a minute.'));
    }
    deps.metrics.slashCommands.inc({ outcome: 'accepted' });
    log.info({ incidentId: outcome.incidentId, hosts: parsed.hosts }, '/diagnose accepted');
    return answer(ephemeral(`:mag: Diagnosing ${parsed.hosts.map((h) => `\`${h}\``).join(', ')}: the findings will be posted in this channel (incident #${outcome.incidentId}).`));
  });
}
