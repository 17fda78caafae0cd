import { describe, expect, it } from 'vitest';
import type { HostReportInput } from '../../../src/core/report/index.js';
import { renderHostFindings, renderIncidentParent, type SlackMessage } from '../../../src/slack/render/index.js';
import { slackViolations } from './slack-validator.js';

// Log lines and alert labels are written by whoever can make a request or set a label; none of
// it may ping a channel, forge a link, or break out of a code block.

const HOSTILE = 'GET /x <!channel> <!here> <@U999> <https://evil.example|click here> & ``` bye ```` end';

/** Every text object plus the fallback (which is mrkdwn): what Slack parses. */
function parsedTexts(msg: SlackMessage): { type: string; text: string }[] {
  const out = [{ type: 'mrkdwn', text: msg.text }];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if ((o.type === 'mrkdwn' || o.type === 'plain_text') && typeof o.text === 'string') out.push({ type: o.type, text: o.text });
      else Object.values(o).forEach(walk);
    }
  };
  walk(msg.blocks);
  return out;
}

function expectNeutralised(msg: SlackMessage): void {
  expect(slackViolations(msg)).toEqual([]);
  for (const { type, text } of parsedTexts(msg)) {
    expect(text).not.toMatch(/<!channel>|<!here>|<@U999>|<https:\/\/evil/);
    // Backticks only format mrkdwn. There only our own fences remain, none from the excerpt.
    if (type !== 'mrkdwn') continue;
    expect((text.split('```').length - 1) % 2).toBe(0);
    expect(text).not.toContain('``` bye');
  }
}

const input: HostReportInput = {
  host: 'web-1', reachable: true, error: null, durationMs: 10,
  rootCause: { category: 'upstream_app_error', summary: `500s on ${HOSTILE}` },
  findings: [{
    category: 'upstream_app_error', severity: 'critical', role: 'root_cause', confidence: 0.9, summary: `500s on ${HOSTILE}`,
    evidence: [{ source: `/var/log/${HOSTILE}`, excerpt: `first\n${HOSTILE}\n\`\`\`\nlast` }], actions: [],
  }],
  commands: [], notes: [HOSTILE],
};

describe('untrusted text is neutralised', () => {
  it('in excerpts, summaries, sources and notes', () => {
    const msg = renderHostFindings(input);
    expectNeutralised(msg);
    const json = JSON.stringify(msg);
    expect(json).toContain('&lt;!channel&gt;');
    expect(json).toContain('&lt;https://evil.example|click here&gt;');
    expect(json).toContain('&amp;');
  });

  it('in alert titles, labels, summaries and host names', () => {
    const msg = renderIncidentParent({
      id: 3, source: 'grafana', title: HOSTILE, status: 'firing', createdAt: '2026-11-21T01:10:00Z',
      alerts: [{ name: HOSTILE, status: 'firing', startsAt: '2026-11-21T01:10:00Z', labels: { instance: HOSTILE, service: '`x`' }, summary: HOSTILE, generatorUrl: 'javascript:alert(1)' }],
      hosts: [{ host: HOSTILE, state: 'failed', rootCause: null, error: HOSTILE }],
      unmatchedHosts: [HOSTILE], slackError: HOSTILE, requestedBy: '<!channel>',
    });
    expectNeutralised(msg);
    expect(JSON.stringify(msg)).not.toContain('javascript:');
  });

  it('a requester that is not a user id is shown as text, not a mention', () => {
    const msg = renderIncidentParent({ id: 4, source: 'slash', title: 'x', status: 'firing', createdAt: '2026-11-21T01:10:00Z', alerts: [], hosts: [], requestedBy: '<!channel>' });
    expectNeutralised(msg);
  });
});
