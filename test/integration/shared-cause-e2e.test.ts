import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFakeSlack, type FakeMessage, type FakeSlack } from '../fakes/fake-slack.js';
import { startAlertmanager, type AlertInput, type Alertmanager } from '../helpers/alertmanager.js';
import { ALERT_CHANNEL, serviceEnv, startService, TEST_WEBHOOK_TOKEN, type ServiceUnderTest } from '../helpers/diagbot-service.js';
import { runCli } from '../helpers/run-cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { holdMutableHost } from '../lab/remediation-lab.js';

// One cause, said once: the real Alertmanager names five lab hosts; two of them are, per the
// inventory, app servers of one database (pool-kill is pointed at pool-exhausted's Postgres,
// whose pool is exhausted) and both find db_pool_exhaustion; the other three have other causes
// or none. The parent says the shared cause once and groups the hosts by cause; the CLI's
// report ends with the same summary.

const lab = inject('lab');
const SHARED_DB_HOST = 'pool-kill';
const HOSTS = ['pool-exhausted', SHARED_DB_HOST, 'disk-full', 'dependency-down', 'healthy'];
let fake: FakeSlack;
let db: TestDatabase;
let svc: ServiceUnderTest;
let am: Alertmanager;
let inventoryPath = '';
let releaseHost: (() => Promise<void>) | undefined;

const flat = (m: FakeMessage) => `${m.text}\n${JSON.stringify(m.blocks ?? [])}`;
const dbLabel = () => `${new URL(lab.hosts['pool-exhausted']!.postgresUrl!).hostname}/app`;

beforeAll(async () => {
  // Nothing else may change pool-kill (remediation tests do) while it stands in for a second app server.
  releaseHost = await holdMutableHost(lab, SHARED_DB_HOST, 180_000);
  const inv = parse(readFileSync(lab.inventoryPath, 'utf8')) as { hosts: Record<string, { postgres?: { url: string } }> };
  inv.hosts[SHARED_DB_HOST]!.postgres = { url: lab.hosts['pool-exhausted']!.postgresUrl! };
  inventoryPath = join(tmpdir(), `diagbot-shared-cause-${process.pid}.yaml`);
  await writeFile(inventoryPath, stringify(inv));
  fake = await startFakeSlack({ channels: [{ id: ALERT_CHANNEL, name: 'alerts' }] });
  db = await createTestDatabase('shared_cause');
  svc = await startService(serviceEnv({ databaseUrl: db.url, slackApiUrl: fake.url, inventoryPath }));
  am = await startAlertmanager({ webhookUrl: `${svc.url}/webhooks/alertmanager`, bearerToken: TEST_WEBHOOK_TOKEN,
    groupBy: ['alertname'], groupWait: '1s', groupInterval: '1s' });
});

afterAll(async () => {
  await am?.stop();
  await svc?.stop();
  await fake?.close();
  await db?.drop();
  if (inventoryPath) await rm(inventoryPath, { force: true });
  await releaseHost?.();
});

describe('one shared cause per incident', () => {
  it('an Alertmanager alert naming five hosts: the shared cause once in the parent, then hosts by cause', async () => {
    const alerts: AlertInput[] = HOSTS.map((host) => ({ labels: { alertname: 'ShopErrors', host, severity: 'page' }, annotations: { summary: '5xx on shop' } }));
    await am.postAlerts(alerts);
    const parent = await fake.waitFor((f) => {
      const m = f.messages(ALERT_CHANNEL)[0];
      return m && m.replies.length >= HOSTS.length && !/diagnosing…|queued/.test(flat(m)) ? m : null;
    }, 60_000);
    const text = flat(parent);
    expect(text).toContain(`:link: *\`db_pool_exhaustion\` on ${dbLabel()} — 2 of 5 hosts*: pool-exhausted, pool-kill`);
    expect(text).toContain(`db_pool_exhaustion on ${dbLabel()} — 2 of 5 hosts`); // the notification text says it too
    const hostsSection = ((parent.blocks ?? []) as { text?: { text: string } }[]).map((b) => b.text?.text ?? '').find((t) => t.includes(':link:'))!;
    const order = ['on ' + dbLabel(), '*`db_pool_exhaustion`* (2 hosts)', '*pool-exhausted*', '*pool-kill*', '*Other hosts*', '*healthy*'];
    const at = order.map((s) => hostsSection.indexOf(s));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(hostsSection).toContain('*`disk_full`* (1 host)');
    expect(hostsSection).toContain('*`dependency_down`* (1 host)');
    // Different causes are not merged: one shared-cause line only.
    expect(hostsSection.match(/:link:/g)).toHaveLength(1);
    expect(fake.calls.filter((c) => c.status !== 200 || (c.response as { ok?: boolean }).ok !== true)).toEqual([]);
  });

  it('the CLI report ends with the same summary, and its JSON has incident.sharedCauses', async () => {
    const args = ['diagnose', 'pool-exhausted', SHARED_DB_HOST, 'disk-full', 'bad-deploy', '--inventory', inventoryPath];
    const text = await runCli(args, { timeoutMs: 90_000 });
    expect(text.code).toBe(0);
    const tail = text.stdout.trimEnd().split('\n').slice(-3);
    expect(tail[0]).toBe('4 hosts: 4 with a root cause, 0 without a problem, 0 unreachable');
    expect(tail[1]).toBe(`shared cause: db_pool_exhaustion on ${dbLabel()} — 2 of 4 hosts (pool-exhausted, pool-kill)`);
    expect(tail[2]).toMatch(/^by cause: db_pool_exhaustion: pool-exhausted, pool-kill · (disk_full: disk-full · bad_deploy: bad-deploy|bad_deploy: bad-deploy · disk_full: disk-full)$/);
    // The 5xx curve of the bad deploy, on the same line as in Slack: the deploy first, then errors and 5xx.
    expect(text.stdout).toMatch(/5xx\/min [▁▂▃▄▅▆▇█DEX]*D[▁▂▃▄▅▆▇█]*E?X?[▁▂▃▄▅▆▇█DEX]* \d\d:\d\d–\d\d:\d\dZ, peak \d+ · D deploy \d\d:\d\d:\d\dZ/);

    const json = await runCli([...args, '--format', 'json'], { timeoutMs: 90_000 });
    const out = JSON.parse(json.stdout) as { incident: { sharedCauses: unknown[] }; results: unknown[] };
    expect(out.results).toHaveLength(4);
    expect(out.incident.sharedCauses).toEqual([{ category: 'db_pool_exhaustion', resource: dbLabel(), resourceKind: 'postgres', hosts: ['pool-exhausted', 'pool-kill'] }]);
  });
});
