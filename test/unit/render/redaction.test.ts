import { describe, expect, it } from 'vitest';
import type { HostReportInput, IncidentView } from '../../../src/core/report/index.js';
import {
  renderHostFindings, renderIncidentParent, renderResolvedReply, renderUnknownHosts, type SlackMessage,
} from '../../../src/slack/render/index.js';

// Secrets planted wherever text from a host, an alert or a user can reach a message. The
// fragments below are the parts that must never be posted; the masks keep their context.

const PEM = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfn\nPEMBODYSECRETLINE\n-----END RSA PRIVATE KEY-----';
const SECRETS = [
  'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp',
  'postgres://app:S3cretPw@db-1:5432/app',
  'AKIAIOSFODNN7EXAMPLE',
  PEM,
  'Authorization: Bearer abc.def-123_456789xyzTOKEN',
  'password=hunter2hunter2',
];
const FRAGMENTS = ['1234567890-0987654321', 'S3cretPw', 'IOSFODNN7EXAMPLE', 'MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn', 'PEMBODYSECRETLINE', '456789xyzTOKEN', 'hunter2hunter2'];
const ALL = SECRETS.join('\n');
const ONE_LINE = SECRETS.filter((s) => s !== PEM).join(' ');

function host(): HostReportInput {
  return {
    host: 'web-1', address: '10.0.3.11', reachable: true, error: null, durationMs: 812,
    rootCause: { category: 'db_pool_exhaustion', summary: `pool exhausted ${ONE_LINE}` },
    findings: [
      { category: 'db_pool_exhaustion', severity: 'critical', role: 'root_cause', confidence: 0.9, summary: `pool ${ONE_LINE}`, evidence: [{ source: 'pg_activity', excerpt: ALL }], actions: ['kill_idle_connections'] },
      { category: 'upstream_app_error', severity: 'critical', role: 'symptom', confidence: 0.9, summary: `app ${ONE_LINE}`, evidence: [{ source: `/etc/app.env ${ONE_LINE}`, excerpt: `config dump\n${ALL}\nend` }], actions: [] },
    ],
    commands: [{ id: 'pg_activity', target: ONE_LINE, exitCode: 1, durationMs: 5, truncated: false, timedOut: false, error: `psql failed: ${ONE_LINE}` }],
    checks: [{ area: 'postgres', checked: true, detail: `connected with ${ONE_LINE}` }],
    notes: [`note ${ONE_LINE}`],
  };
}

function incident(): IncidentView {
  return {
    id: 1, source: 'alertmanager', title: `DB down ${ONE_LINE}`, status: 'firing', createdAt: '2026-11-21T01:10:00Z', resolvedAt: '2026-11-21T01:20:00Z',
    alerts: [{
      name: `Alert ${ONE_LINE}`, status: 'firing', startsAt: '2026-11-21T01:10:00Z',
      labels: { instance: 'postgres://app:S3cretPw@db-1:5432/app', service: 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp', job: 'password=hunter2hunter2', host: 'AKIAIOSFODNN7EXAMPLE' },
      summary: `summary ${ALL}`, generatorUrl: 'https://app:S3cretPw@prom.example/graph',
    }],
    hosts: [
      { host: 'web-1', state: 'done', rootCause: { category: 'db_pool_exhaustion', summary: `pool ${ONE_LINE}` }, reachable: true },
      { host: 'web-2', state: 'done', rootCause: null, reachable: false, error: `ssh ${ONE_LINE}` },
      { host: 'web-3', state: 'failed', rootCause: null, error: `job failed ${ONE_LINE}` },
    ],
    unmatchedHosts: [ONE_LINE], slackError: `chat.update failed ${ONE_LINE}`,
  };
}

function expectNoSecret(msg: SlackMessage): void {
  const json = JSON.stringify(msg);
  for (const f of FRAGMENTS) expect(json, f).not.toContain(f);
}

describe('secrets never reach Slack', () => {
  it('host findings: summaries, excerpts, sources, commands, checks, notes', () => {
    const msg = renderHostFindings(host());
    expectNoSecret(msg);
    expect(JSON.stringify(msg)).toContain('postgres://app:****@db-1');
  });

  it('unreachable host error', () => {
    expectNoSecret(renderHostFindings({ ...host(), reachable: false, rootCause: null, findings: [], error: `auth failed ${ONE_LINE}`, errorReason: 'auth_failed' }));
  });

  it('incident parent, resolved reply: titles, labels, alert summaries, host errors', () => {
    expectNoSecret(renderIncidentParent(incident()));
    expectNoSecret(renderIncidentParent({ ...incident(), status: 'resolved' }));
    expectNoSecret(renderIncidentParent({ ...incident(), source: 'slash', requestedBy: ONE_LINE }));
    expectNoSecret(renderResolvedReply(incident()));
  });

  it('unknown host names echoed back to the user', () => {
    expectNoSecret(renderUnknownHosts(SECRETS.filter((s) => s !== PEM), {}, ['web-1']));
  });
});
