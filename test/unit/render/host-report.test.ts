import { describe, expect, expectTypeOf, it } from 'vitest';
import { buildHostReport, safeText, type HostReportInput } from '../../../src/core/report/index.js';
import type { Finding } from '../../../src/core/types.js';
import type { HostResult } from '../../../src/triage/host-result.js';
import { clipMrkdwn } from '../../../src/slack/render/clip-text.js';
import { labHost } from './inputs.js';

const f = (over: Partial<Finding>): Finding => ({
  category: 'upstream_app_error', severity: 'critical', role: 'symptom', confidence: 0.5, summary: 's', evidence: [], actions: [], ...over,
});

describe('neutral host report', () => {
  it('accepts the triage result as it is', () => {
    expectTypeOf<HostResult>().toExtend<HostReportInput>();
  });

  it('puts the root cause first and splits the rest by role, severity first', () => {
    const r = buildHostReport({
      ...labHost('healthy', 'web-1', '10.0.3.11'),
      rootCause: { category: 'disk_full', summary: 'full' },
      findings: [
        f({ severity: 'info', summary: 'info symptom' }),
        f({ summary: 'critical symptom' }),
        f({ category: 'disk_full', role: 'root_cause', actions: [] }),
        f({ category: 'fd_exhaustion', role: 'contributing', severity: 'warning' }),
      ],
    });
    expect(r.outcome).toBe('root_cause');
    expect(r.rootCause).toMatchObject({ category: 'disk_full', summary: 'full' });
    expect(r.symptoms.map((s) => s.summary)).toEqual(['critical symptom', 'info symptom']);
    expect(r.contributing.map((c) => c.category)).toEqual(['fd_exhaustion']);
    expect(r.headline).toBe('web-1: Disk full (disk_full).');
  });

  it('drops an excerpt another one of the same source already contains', () => {
    const r = buildHostReport({
      ...labHost('healthy', 'web-1', '10.0.3.11'),
      rootCause: { category: 'disk_full', summary: 'x' },
      findings: [f({ category: 'disk_full', role: 'root_cause', evidence: [
        { source: 'a.log', excerpt: 'line 1' }, { source: 'a.log', excerpt: 'line 1\nline 2' }, { source: 'b.log', excerpt: 'line 1' }, { source: 'b.log', excerpt: 'line 1' },
      ] })],
    });
    expect(r.rootCause!.evidence.map((e) => `${e.source}:${e.excerpt}`)).toEqual(['a.log:line 1\nline 2', 'b.log:line 1']);
  });

  it('reports command trouble, not non-zero exits (those are data)', () => {
    const r = buildHostReport({
      ...labHost('healthy', 'web-1', '10.0.3.11'),
      commands: [
        { id: 'nginx_test', exitCode: 1, durationMs: 5, truncated: false, timedOut: false },
        { id: 'access_log', target: '/var/log/a.log', exitCode: null, durationMs: 5000, truncated: true, timedOut: true },
        { id: 'pg_activity', exitCode: null, durationMs: 5, truncated: false, timedOut: false, error: 'psql: not found' },
      ],
    });
    expect(r.commandProblems).toEqual([
      { id: 'access_log', target: '/var/log/a.log', kinds: ['timed_out', 'truncated'], detail: 'timed out after 5000 ms; output cut at the size cap, older lines were not read' },
      { id: 'pg_activity', target: null, kinds: ['failed'], detail: 'psql: not found' },
    ]);
  });

  it('counts findings beyond what any message shows', () => {
    const findings = [f({ category: 'disk_full', role: 'root_cause' }), ...Array.from({ length: 40 }, () => f({}))];
    const r = buildHostReport({ ...labHost('healthy', 'web-1', '10.0.3.11'), rootCause: { category: 'disk_full', summary: 'x' }, findings });
    expect(r.symptoms.length + r.omittedFindings).toBe(40);
  });
});

describe('safeText', () => {
  it('replaces a long unbroken run whole instead of cutting a token in half', () => {
    const jwtish = `eyJ${'a'.repeat(400)}`;
    expect(safeText(`token ${jwtish} after`)).toBe('token [403 characters not shown] after');
  });

  it('keeps lines to a readable length, cut between words', () => {
    const out = safeText(Array.from({ length: 400 }, (_, i) => `w${i}`).join(' '));
    expect(out.length).toBeLessThanOrEqual(1002);
    expect(out.endsWith(' …')).toBe(true);
    expect(out.replace(/ …$/, '').split(' ').every((w, i) => w === `w${i}`)).toBe(true);
  });
});

describe('clipMrkdwn', () => {
  it('closes a code fence it cuts through and says how much is left out', () => {
    const text = `head\n\`\`\`\n${Array.from({ length: 200 }, (_, i) => `line ${i}`).join('\n')}\n\`\`\``;
    const out = clipMrkdwn(text, 500);
    expect(out.length).toBeLessThanOrEqual(500);
    expect((out.split('```').length - 1) % 2).toBe(0);
    expect(out).toMatch(/_… \d+ more lines not shown_$/);
  });

  it('never ends inside an entity or one of our <…> tokens', () => {
    const out = clipMrkdwn(`${'x '.repeat(200)}&amp;&amp;<!date^1^{time}|fallback> ${'y'.repeat(3000)}`, 460);
    expect(out).not.toMatch(/&[a-z]*\n|<[^>]*\n/);
  });
});
