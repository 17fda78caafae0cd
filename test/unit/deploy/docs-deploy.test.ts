import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { localHost } from '../../../src/config/inventory.js';
import { wrapForHost } from '../../../src/transport/transport.js';
import { loadTriageCommands } from '../../../src/triage/command-set.js';
import { renderCommand } from '../../../src/triage/render-command.js';
import { envExampleKeys, repoFile } from './repo-files.js';

const section = repoFile('docs/deploying.md');
const leastPrivilege = repoFile('docs/least-privilege.md');
/** Fenced code blocks of one language in a document. */
const blocks = (lang: string, text = section) => [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);

describe('docs/deploying.md and docs/least-privilege.md', () => {
  it('names only settings that .env.example documents', () => {
    const documented = envExampleKeys();
    // `${NAME}` references in inventory examples are the operator's own variables, not diagbot's settings.
    const settings = (text: string) => text.replace(/\$\{[A-Z0-9_]+\}|environment variable\s+[A-Z0-9_]+/g, '');
    const named = new Set([...settings(section).matchAll(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g)].map((m) => m[0]));
    expect(named.size).toBeGreaterThan(5);
    for (const name of named) expect(documented, name).toContain(name);
    for (const name of [...settings(leastPrivilege).matchAll(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g)].map((m) => m[0])) expect(documented, name).toContain(name);
  });

  it('points at files that exist', () => {
    for (const f of ['Dockerfile', 'docker-compose.yml', 'slack-app-manifest.yaml', 'commands/postgres-pool.sql', 'src/transport/transport.ts']) {
      expect(section + leastPrivilege, f).toContain(`\`${f}\``);
      expect(existsSync(new URL(`../../../${f}`, import.meta.url)), f).toBe(true);
    }
  });

  it('lists the same mounts as docker-compose.yml', () => {
    const rows = [...section.matchAll(/^\s*\| `(deploy\/[^`]+)` \| `([^`]+)` \|/gm)].map((m) => `./${m[1]}:${m[2]}`);
    const compose = parse(repoFile('docker-compose.yml'), { merge: true }) as { services: { web: { volumes: { source: string; target: string }[] } } };
    expect(rows.sort()).toEqual(compose.services.web.volumes.map((v) => `${v.source}:${v.target}`).sort());
  });

  it('describes sudo the way diagbot uses it: the sudoers allowlist covers every sudo line diagbot sends', () => {
    // Nothing runs under sudo as a whole; only programs marked {{sudo}} do.
    expect(wrapForHost('true', 5000)).toMatch(/ timeout -k 1 5 sh -c 'true'$/);
    const sudoHost = { ...localHost(), sudo: true };
    const sent = loadTriageCommands().flatMap((c) => renderCommand(c, sudoHost, c.phase === 'logs' ? '/var/log/x' : c.phase === 'probe' ? ['d:/var/log/x'] : undefined)
      .match(/sudo -n (\S+) (-\S+)/g) ?? []).map((m) => m.replace('sudo -n ', ''));
    const rule = /^triage ALL=\(root\) NOPASSWD: (.+)$/m.exec(leastPrivilege)![1]!.split(', ').map((r) => r.replace(/^\/usr\/sbin\//, ''));
    expect([...new Set(sent)].sort()).toEqual(rule.sort());
    expect(leastPrivilege).toContain("`timeout -k 1 N sh -c '<script>'`");
  });

  it('gives an Alertmanager receiver and a Grafana contact point that reach diagbot with the bearer token', () => {
    const routes = repoFile('src/service/web.ts');
    const [am, grafana] = blocks('yaml').map((b) => parse(b) as Record<string, unknown>);
    const receiver = (am as { receivers: { name: string; webhook_configs?: Record<string, unknown>[] }[] })
      .receivers.find((r) => r.webhook_configs)!.webhook_configs![0]!;
    expect(receiver.send_resolved).toBe(true);
    expect(receiver.http_config).toEqual({ authorization: { type: 'Bearer', credentials: '<WEBHOOK_TOKEN>' } });
    const amPath = new URL(receiver.url as string).pathname;
    const route = (am as { route: { routes: { receiver: string; group_by: string[]; group_interval: string }[] } }).route.routes[0]!;
    expect(route.receiver).toBe('diagbot');
    expect(route.group_by.length).toBeGreaterThan(0);
    expect(route.group_interval).toMatch(/^\d+[smh]$/);

    const point = (grafana as { contactPoints: { receivers: { type: string; settings: Record<string, string> }[] }[] }).contactPoints[0]!.receivers[0]!;
    expect(point.type).toBe('webhook');
    expect(point.settings.authorization_scheme).toBe('Bearer');
    expect(point.settings.authorization_credentials).toBe('<WEBHOOK_TOKEN>');
    const grafanaPath = new URL(point.settings.url!).pathname;
    expect([amPath, grafanaPath]).toEqual(['/webhooks/alertmanager', '/webhooks/grafana']);
    for (const p of [amPath, grafanaPath]) expect(routes).toContain(`path: '${p}'`);
  });

  it('grants the Postgres probe predefined roles, never superuser', () => {
    const [sql] = blocks('sql', leastPrivilege);
    expect(sql).toBeDefined();
    expect(sql).toMatch(/GRANT pg_monitor TO diagbot_probe;/);
    expect(sql).toMatch(/GRANT pg_signal_backend TO diagbot_probe;/);
    expect(sql).not.toMatch(/SUPERUSER/i);
  });
});
