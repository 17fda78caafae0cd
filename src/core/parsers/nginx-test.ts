// `nginx -t`: is the configuration on disk loadable? A failure means the next reload will fail and
// that the running config may differ from the files (a failed reload keeps the old one). When the
// only errors are permission denials (triage runs unprivileged), the test says nothing either way.

export interface NginxTestResult {
  verdict: 'ok' | 'invalid' | 'inconclusive';
  /** The `[emerg]`/`[alert]` lines and the final verdict line, line-exact. */
  lines: string[];
  /** The first `[emerg]` message, e.g. `unexpected "}" in /etc/nginx/sites/app.conf:5`. */
  reason: string | null;
}

export function parseNginxTest(text: string, exitCode: number | null): NginxTestResult {
  const all = text.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');
  const emerg = all.filter((l) => /\[emerg\]/.test(l));
  const failed = all.some((l) => /test failed/.test(l)) || (exitCode !== null && exitCode !== 0);
  const lines = all.filter((l) => /\[(emerg|alert|crit)\]|test failed|test is successful|syntax is ok/.test(l));
  const reason = emerg[0]?.replace(/^.*\[emerg\] (?:\d+#\d+: )?/, '') ?? null;
  if (!failed) return { verdict: 'ok', lines, reason: null };
  const onlyPermissions = emerg.length > 0 && emerg.every((l) => /\(13: Permission denied\)/.test(l));
  if (onlyPermissions || emerg.length === 0) return { verdict: 'inconclusive', lines, reason };
  return { verdict: 'invalid', lines, reason };
}
