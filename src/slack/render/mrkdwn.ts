// Slack mrkdwn helpers for untrusted text (log lines, labels, alert annotations). Escaping
// `& < >` is what stops `<!channel>` pings and forged `<url|label>` links; breaking up runs of
// three backticks stops a log line from closing or opening a code fence.

const ZWSP = '\u200b';

/** For plain_text objects: Slack decodes these three entities there as well. */
export function escapePlain(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeMrkdwn(text: string): string {
  return escapePlain(text).replace(/`{3,}/g, (run) => run.split('').join(ZWSP));
}

/** A fenced block; the excerpt cannot end it early because its ``` runs are broken up. */
export function codeBlock(text: string): string {
  return `\`\`\`\n${escapeMrkdwn(text)}\n\`\`\``;
}

/** Inline code for a value; a backtick inside would end it, so it becomes a quote. */
export function inlineCode(text: string): string {
  return `\`${escapeMrkdwn(text).replace(/`/g, "'")}\``;
}

/** Shown in each reader's own time zone; the fallback is UTC for clients that cannot. */
export function slackDate(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return escapeMrkdwn(iso);
  const fallback = `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${fallback}>`;
}

/** A user mention only for something shaped like a Slack user id; anything else is shown as text. */
export function userMention(id: string): string {
  return /^[UW][A-Z0-9]{2,20}$/.test(id) ? `<@${id}>` : escapeMrkdwn(id);
}

/** A link only to http(s); `|` and `>` would end Slack's link syntax, so they are percent-encoded. */
export function link(url: string, label: string): string | null {
  if (!/^https?:\/\/[^\s]+$/i.test(url)) return null;
  const safe = url.replace(/&/g, '&amp;').replace(/</g, '%3C').replace(/>/g, '%3E').replace(/\|/g, '%7C');
  return `<${safe}|${escapeMrkdwn(label)}>`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function formatDuration(ms: number): string {
  if (ms < 10_000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 2 * 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}
