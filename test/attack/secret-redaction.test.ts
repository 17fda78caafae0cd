import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { HostResult } from '../../src/triage/host-result.js';
import { startFakeSlack, type FakeMessage, type FakeSlack } from '../fakes/fake-slack.js';
import { alertmanagerPayload } from '../helpers/alert-payloads.js';
import { ALERT_CHANNEL, serviceEnv, startService, TEST_SIGNING_SECRET, type ServiceUnderTest } from '../helpers/diagbot-service.js';
import { runCli, type CliRun } from '../helpers/run-cli.js';
import { postSigned, slashCommandBody } from '../helpers/slack-signing.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { deleteRedisPrefix, dumpRedisPrefix, postWebhook } from './support.js';

// The `leaky` lab host logs credentials in 50+ formats (test/lab/apps/node/routes-leaky.cjs) inside
// ERROR lines, stack traces, request-header dumps and nginx-logged query strings. diagbot reads them
// over SSH for a /diagnose, for an alert and for the CLI; afterwards not one secret may be found in
// anything it produced: Slack calls, its logs, Redis, any row of any table, the CLI's JSON.

interface Planted { id: string; text: string; needles: string[] }

const lab = inject('lab');
const { SECRETS, HOSTILE_TENANT } = createRequire(import.meta.url)('../lab/apps/node/routes-leaky.cjs') as { SECRETS: Planted[]; HOSTILE_TENANT: string };
const CHANNEL = 'C0LEAKS';
const host = lab.hosts.leaky!;
let fake: FakeSlack;
let db: TestDatabase;
let env: Record<string, string>;
let svc: ServiceUnderTest;
let cli: CliRun;
let cliText: CliRun;
let sinks: Map<string, string>;

const flat = (m: FakeMessage) => [m.text, JSON.stringify(m.blocks ?? []), ...m.replies.map((r) => `${r.text}\n${JSON.stringify(r.blocks ?? [])}`)].join('\n');

/** Every row of every table in the test database, as JSON text, one sink per table. */
async function dumpDatabase(url: string): Promise<Map<string, string>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = (await client.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).rows.map((r) => r.t);
    const out = new Map<string, string>();
    for (const t of tables) {
      const rows = await client.query(`SELECT row_to_json(x)::text AS j FROM ${client.escapeIdentifier(t)} x`);
      out.set(`table ${t} (${rows.rowCount} rows)`, rows.rows.map((r: { j: string }) => r.j).join('\n'));
    }
    return out;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  fake = await startFakeSlack({ channels: [{ id: ALERT_CHANNEL, name: 'alerts' }, { id: CHANNEL, name: 'incident' }] });
  db = await createTestDatabase('attack_leaks');
  env = serviceEnv({ databaseUrl: db.url, slackApiUrl: fake.url, inventoryPath: lab.inventoryPath });
  svc = await startService(env);

  const slash = await postSigned(`${svc.url}/slack/events`, TEST_SIGNING_SECRET,
    slashCommandBody({ text: 'leaky', channel_id: CHANNEL, response_url: fake.responseUrl('leaky') }));
  expect(slash.status).toBe(200);
  const alert = await postWebhook(svc.url, '/webhooks/alertmanager', alertmanagerPayload({
    groupKey: '{}:{alertname="CheckoutErrors"}',
    alerts: [{ labels: { alertname: 'CheckoutErrors', instance: `${host.address}:9100`, severity: 'critical' },
      annotations: { summary: '5xx above 5% on the shop' } }],
  }));
  expect(alert.status).toBe(200);
  // Both threads carry the findings.
  await fake.waitFor((f) => f.messages(CHANNEL).find((m) => m.replies.length > 0 && flat(m).includes('upstream_app_error')), 60_000);
  await fake.waitFor((f) => f.messages(ALERT_CHANNEL).find((m) => m.replies.length > 0 && flat(m).includes('upstream_app_error')), 60_000);
  cli = await runCli(['diagnose', 'leaky', '--inventory', lab.inventoryPath, '--format', 'json'], { timeoutMs: 60_000 });
  cliText = await runCli(['diagnose', 'leaky', '--inventory', lab.inventoryPath], { timeoutMs: 60_000 });

  sinks = new Map<string, string>([
    ...fake.calls.map((c, i) => [`slack call #${i + 1} ${c.method}`, JSON.stringify(c.body)] as [string, string]),
    ['service logs', svc.logs.map((l) => JSON.stringify(l)).join('\n')],
    ...[...await dumpRedisPrefix(env.QUEUE_PREFIX!)].map(([k, v]) => [`redis ${k}`, v] as [string, string]),
    ...await dumpDatabase(db.url),
    ['cli stdout (--format json)', cli.stdout],
    ['cli stdout (text)', cliText.stdout],
    ['cli stderr', cli.stderr],
  ]);
}, 180_000);

afterAll(async () => {
  await svc?.stop();
  await fake?.close();
  await db?.drop();
  if (env) await deleteRedisPrefix(env.QUEUE_PREFIX!);
});

describe('secrets planted in real command output', () => {
  it(`plants ${SECRETS.length} secret formats, all really present on the host`, () => {
    expect(SECRETS.length).toBeGreaterThanOrEqual(30);
    const appLog = readFileSync(join(lab.dir, 'hosts', 'leaky', 'var-log', lab.hosts.leaky!.appLog!.replace(/^\/var\/log\//, '')), 'utf8');
    const accessLog = readFileSync(join(lab.dir, 'hosts', 'leaky', 'var-log', 'nginx', 'access.log'), 'utf8');
    const missing = SECRETS.flatMap((s) => s.needles.filter((n) => !appLog.includes(n) && !accessLog.includes(n)).map((n) => `${s.id}: ${n}`));
    expect(missing).toEqual([]);
    expect(accessLog).toMatch(/"GET \/api\/leaky\/settings\?api_key=LeakyQueryApiKey\S+ HTTP\/1\.1" 500/);
  });

  it('diagnoses the host as the classifier really sees it: the app produced the 500s', () => {
    expect(cli.code).toBe(0);
    const result = (JSON.parse(cli.stdout) as { results: HostResult[] }).results[0]!;
    expect(result.rootCause?.category).toBe(host.expected);
    expect(result.findings.map((f) => f.category)).toContain('unhandled_exception');
  });

  it('finds none of them in Slack calls, logs, Redis, any table or the CLI output', () => {
    expect([...sinks.keys()].some((k) => k.startsWith('table action_audit'))).toBe(true);
    expect([...sinks.keys()].some((k) => k.startsWith('table diagnoses (2 rows)') || k.startsWith('table diagnoses'))).toBe(true);
    expect([...sinks.keys()].filter((k) => k.startsWith('redis ')).length).toBeGreaterThan(0);
    expect([...sinks.keys()].filter((k) => k.startsWith('slack call ')).length).toBeGreaterThan(3);
    const leaks: string[] = [];
    for (const [sink, text] of sinks) {
      for (const s of SECRETS) for (const n of s.needles) if (text.includes(n)) leaks.push(`${s.id} in ${sink}: …${text.slice(Math.max(0, text.indexOf(n) - 60), text.indexOf(n) + n.length + 20)}…`);
    }
    expect(leaks).toEqual([]);
  });

  it('still shows what failed and which credential it was, masked', () => {
    const slack = [...sinks].filter(([k]) => k.startsWith('slack call ')).map(([, v]) => v).join('\n');
    const shown = [
      'postgres://shop_app:****@db-1.internal', 'AKIA****', 'password=****', 'postgres://report:****@reports-db',
      "sk_live_****", 'Bearer ****', 'hooks.slack.com/services/****', 'AccountKey=****', 'api_key=****',
      'access_token=****', 'X-Amz-Signature=****', 'sig=****', '-----BEGIN EC PRIVATE KEY----- ****',
    ];
    const missing = (text: string) => shown.filter((s) => !text.includes(s));
    expect(missing(cli.stdout)).toEqual([]);
    expect(missing(slack)).toEqual([]);
  });
});

describe('terminal control sequences from the same log line', () => {
  it('are in the host\'s app log raw', () => {
    const appLog = readFileSync(join(lab.dir, 'hosts', 'leaky', 'var-log', lab.hosts.leaky!.appLog!.replace(/^\/var\/log\//, '')), 'utf8');
    expect(appLog).toContain(HOSTILE_TENANT);
  });

  it('reach every sink only as visible escapes: Slack calls, logs, Redis, tables, CLI JSON and text', () => {
    // As raw characters, or as JSON's \u001b for them: either would act on a reader's terminal once decoded.
    // eslint-disable-next-line no-control-regex
    const raw = /[\x00-\x08\x0b-\x1f\x7f-\x9f]|\\u00(?:0[0-8bcef]|1[0-9a-f]|7f|[89][0-9a-f])/i;
    const bad: string[] = [];
    for (const [sink, text] of sinks) {
      const at = text.search(raw);
      // Other text may legitimately hold escapes (JSON's \n is fine); only the planted ones matter.
      if (at >= 0 && /52;c;|all green|PAYMENTS FINE/.test(text.slice(Math.max(0, at - 200), at + 200))) bad.push(`${sink}: …${JSON.stringify(text.slice(Math.max(0, at - 40), at + 40))}…`);
    }
    expect(bad).toEqual([]);
    const escaped = '\\e]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\\x07\\e[2J\\e[H\\e]0;all green\\x07\\rPAYMENTS FINE';
    expect(cliText.code).toBe(0);
    expect(cliText.stdout).toContain(escaped);
    const slack = [...sinks].filter(([k]) => k.startsWith('slack call ')).map(([, v]) => JSON.parse(v) as unknown);
    expect(JSON.stringify(slack)).toContain(JSON.stringify(escaped).slice(1, -1));
  });
});

describe('inventory secrets kept out of the file (postgres.url "${ENV}", postgres.urlFile)', () => {
  // Trust auth on the test Postgres: the probe connects with these passwords, so they really are used.
  const ENV_PASSWORD = 'PgEnvPassw0rdPlantedXyz';
  const FILE_PASSWORD = 'PgFilePassw0rdPlantedXyz';
  let dir: string;
  let run: CliRun;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'diagbot-inv-secrets-'));
    // The lab inventory's key and known_hosts paths are absolute, so a copy elsewhere works as is.
    const doc = parseYaml(readFileSync(lab.inventoryPath, 'utf8')) as { hosts: Record<string, Record<string, unknown>> };
    doc.hosts.leaky!.postgres = { url: 'postgres://postgres:${LEAKY_PG_PASSWORD}@127.0.0.1:5432/postgres' };
    doc.hosts.healthy!.postgres = { urlFile: './healthy.pgurl' };
    writeFileSync(join(dir, 'healthy.pgurl'), `postgres://postgres:${FILE_PASSWORD}@127.0.0.1:5432/postgres\n`, { mode: 0o600 });
    writeFileSync(join(dir, 'inventory.yaml'), stringifyYaml(doc));
    run = await runCli(['diagnose', 'leaky', 'healthy', '--inventory', join(dir, 'inventory.yaml'), '--format', 'json'],
      { timeoutMs: 90_000, env: { LEAKY_PG_PASSWORD: ENV_PASSWORD } });
  }, 120_000);

  afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('are expanded and used (each host probed its Postgres), and appear nowhere in the output', () => {
    const results = (JSON.parse(run.stdout) as { results: HostResult[] }).results;
    expect(results.map((r) => r.host).sort()).toEqual(['healthy', 'leaky']);
    for (const r of results) expect(r.commands.find((c) => c.id === 'pg_activity')?.exitCode, r.host).toBe(0);
    for (const text of [run.stdout, run.stderr]) {
      expect(text).not.toContain(ENV_PASSWORD);
      expect(text).not.toContain(FILE_PASSWORD);
    }
  });
});
