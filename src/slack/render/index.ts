// Pure Block Kit rendering of diagbot's reports: data in, Slack message out, no I/O.
export type { ActionButton, SlackMessage } from './blocks.js';
export { fitToSlackLimits, type FitOptions } from './fit-to-slack-limits.js';
export { SLACK_LIMITS } from './limits.js';
export { escapeMrkdwn } from './mrkdwn.js';
export { renderDiagnoseHelp, renderUnknownHosts } from './render-ephemeral.js';
export { renderHostFindings, type HostFindingsOptions } from './render-host-findings.js';
export { renderIncidentParent } from './render-incident-parent.js';
export { renderResolvedReply } from './render-resolved-reply.js';
export { renderActionResult } from './render-action-result.js';
