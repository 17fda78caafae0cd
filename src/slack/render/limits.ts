// Block Kit limits (docs.slack.dev block reference). Exceeding any of them makes Slack reject the
// whole post, so fitToSlackLimits enforces every one of these after rendering.
export const SLACK_LIMITS = {
  blocks: 50,
  sectionText: 3000,
  headerText: 150,
  contextElements: 10,
  contextText: 2000,
  sectionFields: 10,
  fieldText: 2000,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  actionsElements: 25,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  blockId: 255,
  messageText: 40_000,
} as const;

/** The notification fallback is read on a lock screen: a line or two, far below Slack's limit. */
export const FALLBACK_TEXT_MAX = 500;
