import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { diagnoseOutputs } from '../../../src/core/index.js';
import type { HostReportInput, IncidentView } from '../../../src/core/report/index.js';
import type { RawHostOutputs } from '../../../src/core/types.js';
import { unreachableFinding } from '../../../src/core/unreachable.js';

// Report inputs built from the raw output captured on the lab's hosts, with fixed durations and
// timestamps so rendered messages are byte-for-byte stable.

const LAB = fileURLToPath(new URL('../../fixtures/lab/', import.meta.url));
const STARTED_AT = '2026-11-21T01:10:21.000Z';

export function labHost(scenario: string, host: string, address: string): HostReportInput {
  const raw = JSON.parse(readFileSync(`${LAB}${scenario}.json`, 'utf8')) as RawHostOutputs;
  const d = diagnoseOutputs(raw);
  return {
    host, address, reachable: true, error: null, errorReason: null, durationMs: 812, startedAt: STARTED_AT,
    rootCause: d.rootCause, findings: d.findings,
    commands: raw.commands.map(({ id, target, exitCode, durationMs, truncated, timedOut, error }) => ({
      id, ...(target !== undefined ? { target } : {}), exitCode, durationMs, truncated, timedOut, ...(error ? { error } : {}),
    })),
    checks: d.checks ?? [], figures: d.figures ?? null, notes: [],
  };
}

export function unreachableHost(host = 'web-3', address = '10.0.3.13'): HostReportInput {
  const message = `SSH connect to ${address}:22 timed out after 5000 ms`;
  return {
    host, address, reachable: false, error: message, errorReason: 'connect_timeout', durationMs: 5003, startedAt: STARTED_AT,
    rootCause: null, findings: [unreachableFinding('connect_timeout', message)], commands: [], checks: [], notes: [],
  };
}

const POOL_SUMMARY = 'Database connections exhausted: 17/20 connections in use (17 usable after 3 reserved), 7 idle in transaction (oldest 26 s), 10 idle; 16 pool errors in the app log in the last 60 min ("timeout exceeded when trying to connect"), first 2026-11-21 01:09:56Z.';

export function firingIncident(): IncidentView {
  return {
    id: 42, source: 'alertmanager', title: 'HighErrorRate', status: 'firing',
    alerts: [
      {
        name: 'HighErrorRate', status: 'firing', startsAt: '2026-11-21T01:10:00Z',
        labels: { alertname: 'HighErrorRate', instance: 'web-1:9113', service: 'checkout', severity: 'page', team: 'shop' },
        summary: '5xx rate on checkout above 5% for 5 minutes (currently 25.8%)',
        generatorUrl: 'http://prometheus.lab:9090/graph?g0.expr=rate(nginx_http_requests_total%7Bstatus%3D~%225..%22%7D%5B5m%5D)&g0.tab=1',
      },
      {
        name: 'HighErrorRate', status: 'firing', startsAt: '2026-11-21T01:10:30Z',
        labels: { alertname: 'HighErrorRate', instance: 'web-2:9113', service: 'checkout', severity: 'page' },
        summary: '5xx rate on checkout above 5% for 5 minutes (currently 7.1%)',
      },
    ],
    hosts: [
      { host: 'web-2', state: 'running', rootCause: null },
      { host: 'web-1', state: 'done', rootCause: { category: 'db_pool_exhaustion', summary: POOL_SUMMARY }, reachable: true, error: null, durationMs: 812 },
    ],
    unmatchedHosts: ['web-9'],
    createdAt: '2026-11-21T01:10:05Z',
  };
}

export function resolvedIncident(): IncidentView {
  const v = firingIncident();
  return {
    ...v, status: 'resolved', resolvedAt: '2026-11-21T01:33:05Z',
    alerts: v.alerts.map((a) => ({ ...a, status: 'resolved' as const, endsAt: '2026-11-21T01:33:00Z' })),
    hosts: [
      v.hosts[1]!,
      { host: 'web-2', state: 'done', rootCause: null, reachable: false, error: 'SSH connect to 10.0.3.12:22 timed out after 5000 ms', durationMs: 5003 },
    ],
  };
}

export function slashIncident(done: boolean): IncidentView {
  return {
    id: 7, source: 'slash', title: 'web-1, web-2', status: 'firing', alerts: [],
    hosts: done
      ? [
        { host: 'web-1', state: 'done', rootCause: { category: 'bad_deploy', summary: "Release 20261121010953 went live at 2026-11-21 01:09:53Z; 5xx started 2 s later (20 since, first 2026-11-21 01:09:55Z), and errors that only exist since then: \"Error: Cannot find module 'left-pad-v2'\" (20×); roll back to 20261120190953." }, reachable: true, durationMs: 812 },
        { host: 'web-2', state: 'done', rootCause: null, reachable: true, durationMs: 640 },
      ]
      : [{ host: 'web-1', state: 'running', rootCause: null }, { host: 'web-2', state: 'queued', rootCause: null }],
    requestedBy: 'U024BE7LH',
    createdAt: '2026-11-21T01:12:00Z',
  };
}
