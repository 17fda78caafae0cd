import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/core/types.js';
import type { HostReportInput, IncidentView } from '../../../src/core/report/index.js';
import {
  fitToSlackLimits, renderHostFindings, renderIncidentParent, renderResolvedReply, renderUnknownHosts, type SlackMessage,
} from '../../../src/slack/render/index.js';
import { blockTexts, slackViolations } from './slack-validator.js';

// Far more than any real host produces: every message must still be accepted by Slack, lead
// with the root cause, and say what it left out.

const KB = 1024;
const big = (n: number, unit = 'x') => unit.repeat(n);
const manyLines = (n: number, width = 120) => Array.from({ length: n }, (_, i) => `line ${i} ${big(width, 'y')}`).join('\n');

function finding(i: number, role: Finding['role']): Finding {
  return {
    category: i === 0 ? 'db_pool_exhaustion' : 'upstream_app_error',
    severity: 'critical', role, confidence: 0.9,
    summary: `finding ${i}: ${big(10 * KB, 's')}`,
    evidence: [
      { source: `/var/log/app-${i}.log`, excerpt: big(100 * KB, 'a') },
      { source: 'fence', excerpt: `before\n\`\`\`\ninside ${'`'.repeat(7)}\n${manyLines(2000)}` },
      { source: big(5 * KB, 'p'), excerpt: manyLines(50) },
    ],
    actions: i === 0 ? ['kill_idle_connections'] : [],
  };
}

function hugeHost(): HostReportInput {
  const findings = Array.from({ length: 200 }, (_, i) => finding(i, i === 0 ? 'root_cause' : i % 2 ? 'symptom' : 'contributing'));
  return {
    host: 'web-1', address: '10.0.3.11', reachable: true, error: null, durationMs: 812,
    rootCause: { category: 'db_pool_exhaustion', summary: big(100 * KB, 'r') },
    findings,
    commands: Array.from({ length: 100 }, (_, i) => ({ id: `cmd_${i}`, target: big(KB, 't'), exitCode: null, durationMs: 5000, truncated: true, timedOut: true, error: big(5 * KB, 'e') })),
    checks: Array.from({ length: 50 }, (_, i) => ({ area: `area_${i}`, checked: i % 2 === 0, detail: big(10 * KB, 'd') })),
    notes: Array.from({ length: 100 }, () => big(10 * KB, 'n')),
  };
}

function hugeIncident(): IncidentView {
  return {
    id: 42, source: 'alertmanager', title: big(10 * KB, 'T'), status: 'firing',
    alerts: Array.from({ length: 300 }, (_, i) => ({
      name: `Alert${i}${big(KB, 'N')}`, status: 'firing' as const, startsAt: '2026-11-21T01:10:00Z',
      labels: { instance: big(10 * KB, 'i'), service: big(10 * KB, 's'), host: big(10 * KB, 'h'), job: big(10 * KB, 'j'), extra: big(10 * KB, 'z') },
      summary: big(10 * KB, 'S'), generatorUrl: `http://prom/${big(10 * KB, 'u')}`,
    })),
    hosts: Array.from({ length: 500 }, (_, i) => i % 5 === 0
      ? { host: `web-${i}`, state: 'done' as const, rootCause: { category: 'disk_full' as const, summary: big(10 * KB, 'c') }, reachable: true, durationMs: 900 }
      : { host: `web-${i}${big(KB, 'w')}`, state: (['running', 'queued', 'failed', 'done'] as const)[i % 4]!, rootCause: null, error: big(10 * KB, 'f') }),
    unmatchedHosts: Array.from({ length: 500 }, (_, i) => `ghost-${i}${big(10 * KB, 'g')}`),
    slackError: big(10 * KB, 'E'),
    createdAt: '2026-11-21T01:10:05Z', resolvedAt: '2026-11-21T02:10:05Z',
  };
}

function expectValid(msg: SlackMessage): void {
  expect(slackViolations(msg)).toEqual([]);
  expect(msg.text.length).toBeLessThanOrEqual(500);
}

describe('Block Kit limits', () => {
  it('a host with 200 huge findings still fits, root cause first, with notes', () => {
    const buttons = Array.from({ length: 30 }, (_, i) => ({
      actionId: i === 3 ? big(300, 'a') : `act_${i}`, text: big(200, 'B'), value: i === 5 ? big(3000, 'v') : `v${i}`,
      style: 'danger' as const, confirm: { title: big(500, 't'), text: big(2000, 'c'), confirm: big(100, 'y'), deny: big(100, 'n') },
    }));
    const msg = renderHostFindings(hugeHost(), { incidentId: 42, buttons });
    expectValid(msg);
    const texts = blockTexts(msg);
    expect(texts[0]).toContain('Root cause on web-1');
    expect(texts[1]).toContain('root cause: `db_pool_exhaustion`');
    const json = JSON.stringify(msg);
    expect(json).toContain('more findings not shown; see `diagbot diagnose web-1 --format json`');
    expect(json).toMatch(/more (lines|characters) not shown/);
    // Over-long payloads are dropped rather than sent cut; the rest are capped at 25.
    const actions = msg.blocks.find((b) => b.type === 'actions');
    expect(actions?.type === 'actions' && actions.elements.length).toBe(25);
  });

  it('an incident with 300 alerts, 500 hosts and 10 KB labels fits', () => {
    const view = hugeIncident();
    for (const msg of [renderIncidentParent(view), renderIncidentParent({ ...view, source: 'slash', requestedBy: 'U123' }), renderResolvedReply(view)]) {
      expectValid(msg);
    }
    const json = JSON.stringify(renderIncidentParent(view));
    expect(json).toContain('more alerts not shown');
    expect(json).toContain('more hosts not shown');
    expect(json).toContain('`disk_full`');
    expect(blockTexts(renderIncidentParent(view))[0]!.length).toBeLessThanOrEqual(150);
  });

  it('unknown-host replies fit however much was typed', () => {
    const typed = Array.from({ length: 500 }, (_, i) => `${i}${big(10 * KB, 'q')}`);
    const known = Array.from({ length: 1000 }, (_, i) => `web-${i}`);
    expectValid(renderUnknownHosts(typed, { [typed[0]!]: known.slice(0, 50) }, known));
  });

  it('fitToSlackLimits repairs any message: block count, lengths, fences', () => {
    const fenced = `intro\n\`\`\`\n${manyLines(500)}\n\`\`\``;
    const msg = fitToSlackLimits({
      text: big(50 * KB, 'x'),
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: big(500, 'H') } },
        ...Array.from({ length: 80 }, () => ({ type: 'section' as const, text: { type: 'mrkdwn' as const, text: fenced }, block_id: big(300, 'b') })),
        { type: 'section', fields: Array.from({ length: 15 }, () => ({ type: 'mrkdwn' as const, text: big(3000, 'f') })) },
        { type: 'context', elements: Array.from({ length: 14 }, () => ({ type: 'mrkdwn' as const, text: big(3000, 'c') })) },
      ],
    }, { moreHint: 'see the CLI' });
    expectValid(msg);
    expect(msg.blocks).toHaveLength(50);
    expect(blockTexts(msg)[48]).toContain('more sections not shown; see the CLI');
    expect(msg.blocks[49]!.type).toBe('context');
    expect(blockTexts(msg)[1]).toContain('more lines not shown');
  });

  it('an empty fallback text gets a non-empty one', () => {
    expect(fitToSlackLimits({ text: '  ', blocks: [] }).text).not.toBe('');
  });
});
