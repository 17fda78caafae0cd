import { readFileSync } from 'node:fs';
import { parseNginxConfig } from '../../../src/core/parsers/nginx-config.js';
import { chooseFromProbe, planAppLogSearch } from '../../../src/core/app-discovery/plan-app-logs.js';
import type { RawHostOutputs } from '../../../src/core/types.js';

// Discovery inputs captured from the lab (`diagnose --dump-raw`, trimmed to host_info, nginx -T,
// ps, app_discovery and log_probe): real /proc output of real supervisors and app servers.

export function captured(host: string): RawHostOutputs {
  return JSON.parse(readFileSync(new URL(`../../fixtures/discovery/${host}.json`, import.meta.url), 'utf8')) as RawHostOutputs;
}

export function discover(host: string) {
  const raw = captured(host);
  const dump = raw.commands.find((c) => c.id === 'nginx_dump');
  const config = dump && dump.exitCode === 0 && dump.stdout.trim() !== 'no-nginx' ? parseNginxConfig(dump.stdout) : null;
  const search = planAppLogSearch(raw.commands, raw.context, config);
  const now = Number(/^now (\d+)/m.exec(raw.commands.find((c) => c.id === 'host_info')!.stdout)![1]) * 1000;
  const choice = chooseFromProbe(search, raw.commands, now, new Set());
  return { raw, config, search, choice };
}
