import { describe, it } from 'vitest';
import {
  renderHostFindings, renderIncidentParent, renderResolvedReply, renderDiagnoseHelp, renderUnknownHosts,
} from '../../../src/slack/render/index.js';
import { rerunButton } from '../../../src/slack/render/render-actions.js';
import { expectGolden } from './golden.js';
import { firingIncident, labHost, resolvedIncident, slashIncident, unreachableHost } from './inputs.js';

// Whole messages rendered from real lab captures. Read the JSON in test/fixtures/golden/ (or
// paste it into Block Kit Builder) when one changes: it is what on-call engineers will see.

describe('host findings (golden)', () => {
  it('db_pool_exhaustion', () => {
    expectGolden('host-db-pool-exhaustion', renderHostFindings(labHost('pool-exhausted', 'web-1', '10.0.3.11'), { incidentId: 42 }));
  });

  it('bad_deploy, with the re-run button (remediation offers: actions-golden.test.ts)', () => {
    expectGolden('host-bad-deploy', renderHostFindings(labHost('bad-deploy', 'web-1', '10.0.3.11'), { incidentId: 42, buttons: [rerunButton(7)] }));
  });

  it('disk_full, with a command whose output was cut', () => {
    const input = labHost('disk-full', 'web-2', '10.0.3.12');
    // Not in the capture: marks one command so the golden also shows how command trouble reads.
    input.commands = input.commands.map((c) => (c.id === 'app_log' ? { ...c, truncated: true } : c));
    expectGolden('host-disk-full', renderHostFindings(input));
  });

  it('healthy', () => {
    expectGolden('host-healthy', renderHostFindings(labHost('healthy', 'web-4', '10.0.3.14'), { incidentId: 42 }));
  });

  it('unreachable', () => {
    expectGolden('host-unreachable', renderHostFindings(unreachableHost(), { incidentId: 42 }));
  });
});

describe('incident messages (golden)', () => {
  it('firing alert group, one host done and one still running', () => {
    expectGolden('incident-firing', renderIncidentParent(firingIncident()));
  });

  it('resolved alert group', () => {
    expectGolden('incident-resolved', renderIncidentParent(resolvedIncident()));
  });

  it('resolved reply in the thread', () => {
    expectGolden('resolved-reply', renderResolvedReply(resolvedIncident()));
  });

  it('/diagnose while running, and once done', () => {
    expectGolden('incident-slash-running', renderIncidentParent(slashIncident(false)));
    expectGolden('incident-slash-done', renderIncidentParent(slashIncident(true)));
  });

  it('/diagnose help and unknown hosts', () => {
    expectGolden('diagnose-help', renderDiagnoseHelp());
    expectGolden('unknown-hosts', renderUnknownHosts(['web-11', 'db9'], { 'web-11': ['web-1'], db9: [] }, ['web-1', 'web-2', 'web-3', 'web-4']));
  });
});
