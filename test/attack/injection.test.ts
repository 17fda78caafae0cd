import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { storableText } from '../../src/core/alerts/parse-webhook.js';
import { startFakeSlack, type FakeSlack } from '../fakes/fake-slack.js';
import { alertmanagerPayload, grafanaPayload, type Labels } from '../helpers/alert-payloads.js';
import { ALERT_CHANNEL, serviceEnv, startService, TEST_SIGNING_SECRET, type ServiceUnderTest } from '../helpers/diagbot-service.js';
import { postSigned, slashCommandBody } from '../helpers/slack-signing.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { CANARY_PREFIX, hostileStrings, type Hostile } from './hostile-strings.js';
import { deleteRedisPrefix, postWebhook, sleep } from './support.js';

// Hostile host names and label values through every door users and senders have: /diagnose
// arguments, Alertmanager and Grafana labels (instance, host, hostname, nodename, service, any
// label) and annotations. None may run anything — many would create a canary file if a shell ever
// saw them — each is refused or listed as "not in the inventory", escaped, and nothing is diagnosed.

const lab = inject('lab');
const RUN = randomBytes(4).toString('hex');
const HOSTILE = hostileStrings(RUN);
const CANARY = `${CANARY_PREFIX}${RUN}`;
const CHANNEL = 'C0INJECT';
const PER_PAYLOAD = 8;
/** Raw Slack markup the hostile strings carry; Slack must never receive it unescaped. */
const FORBIDDEN_RAW = ['<!channel>', '<!here>', '<!everyone>', '<@U0EVIL0001>', '<#C0EVIL0001>', '<!subteam^S0EVIL0001>',
  '<https://evil.example|', '<https://evil.example>', '```touch'];

let fake: FakeSlack;
let db: TestDatabase;
let env: Record<string, string>;
let svc: ServiceUnderTest;

/** Asynchronous on purpose: the service runs in this process, and a blocked event loop makes its Redis timeouts fire. */
function ssh(hostAddress: string, command: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    execFile('ssh', ['-F', '/dev/null', '-i', lab.privateKeyPath, '-o', `UserKnownHostsFile=${lab.knownHostsPath}`, '-o', 'BatchMode=yes',
      '-o', 'ConnectTimeout=5', '-p', '2222', `root@${hostAddress}`, command], { encoding: 'utf8', timeout: 15_000 },
    (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: `${stdout}${stderr}` }));
  });
}

function walk(dir: string, depth = 0, found: string[] = []): string[] {
  if (depth > 6 || !existsSync(dir)) return found;
  let entries: string[];
  try { entries = readdirSync(dir); } catch { return found; }
  for (const e of entries) {
    const p = join(dir, e);
    if (e.includes(CANARY)) found.push(p);
    try { if (statSync(p).isDirectory() && !statSync(p).isSymbolicLink()) walk(p, depth + 1, found); } catch { /* vanished */ }
  }
  return found;
}

/** Every canary of this run: this machine's /tmp, cwd and home, each lab host's private dirs, and a lab host's view over SSH. */
async function findCanaries(): Promise<string[]> {
  const local = [
    ...readdirSync('/tmp').filter((f) => f.includes(CANARY)).map((f) => `/tmp/${f}`),
    ...readdirSync(process.cwd()).filter((f) => f.includes(CANARY)).map((f) => join(process.cwd(), f)),
    ...readdirSync(homedir()).filter((f) => f.includes(CANARY)).map((f) => join(homedir(), f)),
    ...walk(join(lab.dir, 'hosts')),
  ];
  const remote: string[] = [];
  for (const name of ['healthy', 'app-bug']) {
    const r = await ssh(lab.hosts[name]!.address, 'ls -a /tmp /root /srv/app /srv/app/shared');
    if (r.code !== 0) throw new Error(`cannot look at ${name} over SSH: ${r.out}`);
    remote.push(...r.out.split('\n').filter((l) => l.includes(CANARY)).map((l) => `${name}:${l}`));
  }
  return [...local, ...remote];
}

const slackTexts = () => fake.calls.map((c) => JSON.stringify(c.body));
const markupLeaks = (texts: string[]) => texts.flatMap((t) => FORBIDDEN_RAW.filter((f) => t.includes(f)).map((f) => `${f} in ${t.slice(0, 200)}`));

beforeAll(async () => {
  fake = await startFakeSlack({ channels: [{ id: ALERT_CHANNEL, name: 'alerts' }, { id: CHANNEL, name: 'incident' }] });
  db = await createTestDatabase('attack_inject');
  env = serviceEnv({ databaseUrl: db.url, slackApiUrl: fake.url, inventoryPath: lab.inventoryPath });
  svc = await startService(env);
});

afterAll(async () => {
  await svc?.stop();
  await fake?.close();
  await db?.drop();
  if (env) await deleteRedisPrefix(env.QUEUE_PREFIX!);
});

describe('hostile host names and labels', () => {
  it(`has ${HOSTILE.length} hostile strings, and a canary check that sees a canary when there is one`, async () => {
    expect(HOSTILE.length).toBeGreaterThanOrEqual(200);
    expect(HOSTILE.filter((h) => h.value.includes(`touch ${'/tmp/'}${CANARY}`) || h.value.includes(CANARY)).length).toBeGreaterThan(100);
    expect(await findCanaries()).toEqual([]);
    // Positive control: a canary made on a lab host is seen both on this machine and over SSH.
    expect((await ssh(lab.hosts.healthy!.address, `touch /tmp/${CANARY}-control`)).code).toBe(0);
    try {
      const seen = await findCanaries();
      expect(seen).toContain(`/tmp/${CANARY}-control`);
      expect(seen.filter((s) => s.startsWith('healthy:'))).toEqual([`healthy:${CANARY}-control`]);
    } finally {
      expect((await ssh(lab.hosts.healthy!.address, `rm -f /tmp/${CANARY}-control`)).code).toBe(0);
    }
    expect(await findCanaries()).toEqual([]);
  });

  it('/diagnose refuses each one ephemerally as not in the inventory, escaped, and runs nothing', async () => {
    const wrong: Array<{ kind: string; status: number; answer: string }> = [];
    const answers: string[] = [];
    let next = 0;
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next < HOSTILE.length) {
        const h = HOSTILE[next++]!;
        const res = await postSigned(`${svc.url}/slack/events`, TEST_SIGNING_SECRET,
          slashCommandBody({ text: h.value, channel_id: CHANNEL, response_url: fake.responseUrl(`inj-${next}`) }));
        const answer = res.body;
        answers.push(answer);
        const json = res.json as { response_type?: string; text?: string } | undefined;
        if (res.status !== 200 || json?.response_type !== 'ephemeral' || !/not in the inventory/.test(answer)) {
          wrong.push({ kind: h.kind, status: res.status, answer: answer.slice(0, 300) });
        }
      }
    }));
    expect(wrong).toEqual([]);
    expect(markupLeaks(answers)).toEqual([]);
    await sleep(1500);
    expect(Number((await svc.ctx.pool.query("SELECT count(*)::int AS n FROM incidents WHERE source = 'slash'")).rows[0].n)).toBe(0);
    expect(Number((await svc.ctx.pool.query('SELECT count(*)::int AS n FROM diagnoses')).rows[0].n)).toBe(0);
    expect(fake.calls).toEqual([]);
    expect(await findCanaries()).toEqual([]);
  });

  it('alerts naming them are recorded, list them as unmatched in an escaped thread, and diagnose nothing', async () => {
    const chunks: Hostile[][] = [];
    for (let i = 0; i < HOSTILE.length; i += PER_PAYLOAD) chunks.push(HOSTILE.slice(i, i + PER_PAYLOAD));
    const clip = (v: string, n: number) => v.slice(0, n);
    const labelsFor = (h: Hostile, i: number): Labels => {
      const v = clip(h.value, 4000);
      return { alertname: clip(`Inject ${v}`, 4000), instance: `${clip(v, 3990)}:9100`, host: v, hostname: v, nodename: v, service: v,
        idx: String(i), [clip(`x_${h.value}`, 250)]: v };
    };
    const sent: Array<{ source: 'alertmanager' | 'grafana'; chunk: Hostile[]; incident: number }> = [];
    let retried = 0;
    for (const source of ['alertmanager', 'grafana'] as const) {
      for (const [c, chunk] of chunks.entries()) {
        const alerts = chunk.map((h, i) => ({ labels: labelsFor(h, i), annotations: { summary: clip(h.value, 4000), description: clip(`${h.value} on ${h.value}`, 4000) } }));
        const groupKey = `{}:{inject="${RUN}-${c}"}`;
        // Grafana's message repeats every label and annotation; its schema caps it at 64 KiB.
        const body = source === 'alertmanager' ? alertmanagerPayload({ alerts, groupKey })
          : grafanaPayload({ alerts, groupKey, message: clip(chunk.map((h) => h.value).join('\n'), 60_000) });
        // A 503 means "not recorded, retry" (e.g. a slow moment while the lab is busy): retry as senders do.
        let res = await postWebhook(svc.url, `/webhooks/${source}`, body);
        for (let attempt = 1; res.status === 503 && attempt < 3; attempt += 1) {
          retried += 1;
          await sleep(1000);
          res = await postWebhook(svc.url, `/webhooks/${source}`, body);
        }
        expect({ source, c, status: res.status, text: res.text.slice(0, 300), error: res.status === 200 ? null : svc.logs.filter((l) => (l.level as number) >= 50).at(-1) })
          .toMatchObject({ status: 200 });
        expect(res.json).toMatchObject({ ok: true, diagnosing: [] });
        sent.push({ source, chunk, incident: (res.json as { incident: number }).incident });
      }
    }
    if (retried > 0) console.log(`injection: ${retried} webhook deliveries answered 503 and were retried`);
    // Control: the same door does diagnose a host the inventory has.
    const control = await postWebhook(svc.url, '/webhooks/alertmanager', alertmanagerPayload({
      groupKey: `{}:{inject="${RUN}-control"}`, alerts: [{ labels: { alertname: 'InjectControl', instance: `${lab.hosts.healthy!.address}:9100` } }] }));
    expect(control.json).toMatchObject({ ok: true, diagnosing: ['healthy'] });

    // Every parent is posted, with its unmatched hosts; the control's thread gets its findings.
    await fake.waitFor((f) => f.messages(ALERT_CHANNEL).filter((m) => m.text.length > 0).length >= sent.length + 1, 90_000);
    await fake.waitFor((f) => f.messages(ALERT_CHANNEL).find((m) => m.text.includes('InjectControl') && m.replies.length > 0), 60_000);
    await expect.poll(async () => Number((await svc.ctx.pool.query('SELECT count(*)::int AS n FROM incidents WHERE posted_revision < revision')).rows[0].n),
      { timeout: 60_000, interval: 500 }).toBe(0);

    const rows = (await svc.ctx.pool.query<{ id: string; unmatched_hosts: string[]; diagnoses: number }>(
      'SELECT i.id, i.unmatched_hosts, (SELECT count(*)::int FROM diagnoses d WHERE d.incident_id = i.id) AS diagnoses FROM incidents i')).rows;
    const byId = new Map(rows.map((r) => [Number(r.id), r]));
    const problems: string[] = [];
    for (const s of sent) {
      const row = byId.get(s.incident);
      if (!row) { problems.push(`${s.source} incident ${s.incident} missing`); continue; }
      if (row.diagnoses !== 0) problems.push(`${s.source} incident ${s.incident}: ${row.diagnoses} diagnoses`);
      const expected = new Set(s.chunk.flatMap((h) => {
        const v = storableText(clip(h.value, 4000));
        return [storableText(v.slice(0, 200)), storableText(`${clip(v, 3990)}:9100`.slice(0, 200))];
      }));
      const got = new Set(row.unmatched_hosts);
      const missing = [...expected].filter((e) => !got.has(e));
      if (missing.length > 0) problems.push(`${s.source} incident ${s.incident}: not listed as unmatched: ${JSON.stringify(missing.slice(0, 3))}`);
    }
    expect(problems).toEqual([]);
    expect(Number((await svc.ctx.pool.query('SELECT count(*)::int AS n FROM diagnoses')).rows[0].n)).toBe(1);

    const parents = fake.messages(ALERT_CHANNEL).filter((m) => !m.text.includes('InjectControl'));
    expect(parents).toHaveLength(sent.length);
    for (const p of parents) expect(JSON.stringify(p.blocks)).toContain('Named by the alerts but not in the inventory, so not diagnosed');
    expect(markupLeaks(slackTexts())).toEqual([]);
    // The only SSH session any of this opened is the control's.
    expect(svc.logs.filter((l) => l.msg === 'diagnosis finished').map((l) => l.host)).toEqual(['healthy']);
    expect(await findCanaries()).toEqual([]);
  });
});
