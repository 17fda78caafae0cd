// The commands one diagnosis of `host` runs, rendered from commands/triage.yaml with the same
// targets diagbot chose (nginx's logs, the probe's places, the app logs it found), so a
// hand-written OpenSSH script can run exactly those checks.
import type { InventoryHost } from '../src/config/inventory.js';
import { chooseFromProbe, planAppLogSearch } from '../src/core/app-discovery/plan-app-logs.js';
import { planLogTargets } from '../src/core/index.js';
import { parseNginxConfig } from '../src/core/parsers/nginx-config.js';
import type { RawHostOutputs } from '../src/core/types.js';
import type { TriageCommand } from '../src/triage/command-set.js';
import { applies, renderCommand } from '../src/triage/render-command.js';

export interface RenderedCheck { id: string; script: string }

export function renderSameChecks(host: InventoryHost, commands: TriageCommand[], raw: RawHostOutputs): RenderedCheck[] {
  const plan = planLogTargets(raw.commands);
  const dump = raw.commands.find((c) => c.id === 'nginx_dump');
  const search = planAppLogSearch(raw.commands, raw.context, parseNginxConfig(dump?.stdout ?? ''));
  const choice = chooseFromProbe(search, raw.commands, 0, new Set([...plan.accessLogs, ...plan.errorLogs]));
  const targetsOf = (id: string): Array<string | string[] | undefined> => {
    if (id === 'access_log') return plan.accessLogs;
    if (id === 'error_log') return plan.errorLogs;
    if (id === 'log_probe') return [search.probes];
    if (id === 'app_log') return choice.files.map((f) => f.target);
    if (id === 'app_journal') return choice.journals.map((j) => j.target);
    return [undefined];
  };
  const checks: RenderedCheck[] = [];
  for (const c of commands.filter((x) => applies(x, host))) {
    for (const t of targetsOf(c.id)) checks.push({ id: c.id, script: renderCommand(c, host, t) });
  }
  return checks;
}

/**
 * What a person would type: one shell, the checks one after another, their output streamed back.
 * Each check in a subshell, so one that ends with `exit` does not end the rest (the newline
 * before `)` keeps a trailing comment from swallowing it).
 */
export function oneLiner(checks: RenderedCheck[]): string {
  return ['export LC_ALL=C PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"', ...checks.map((c) => `(${c.script}\n) 2>&1`)].join('; ');
}
