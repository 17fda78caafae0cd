import { excerpt } from '../excerpt.js';
import type { HostEvidence } from '../host-evidence.js';
import type { Finding } from '../types.js';
import { finding } from './finding.js';
import { httpStats } from './http-stats.js';
import { inWindow, type Window } from './window.js';

// nginx_config_invalid: `nginx -t` rejects the files on disk. A failed reload keeps the old config
// running, so what runs is not what is on disk, and the next restart will not come back.

export function nginxConfigInvalid(ev: HostEvidence, win: Window): Finding[] {
  const test = ev.nginx.test;
  if (!test || test.verdict !== 'invalid') return [];
  // An installed nginx that runs nothing serves no request: its config matters only at a start.
  if (!ev.nginx.present) {
    return [finding({
      category: 'nginx_config_invalid', severity: 'info', confidence: 0.5,
      summary: `nginx is installed but not running, and nginx -t fails (${test.reason ?? 'configuration test failed'}): it would not start as configured.`,
      evidence: [excerpt('nginx_test', test.lines)],
    })];
  }
  const emerg = ev.errorLogs.flatMap((log) => log.entries
    .filter((e) => e.level === 'emerg' && inWindow(win, e.timeMs))
    .map((e) => ({ e, line: e.sample >= 0 ? log.lines[e.sample] : undefined, source: log.path })));
  const has5xx = httpStats(ev, win).errors.length > 0;
  const reload = emerg.length > 0 ? `; a reload was refused in the window (${emerg.length} [emerg] in the error log), so the running nginx still uses its previous config` : '; the running nginx keeps whatever config it last loaded';
  return [finding({
    category: 'nginx_config_invalid',
    severity: emerg.length > 0 || has5xx ? 'critical' : 'warning',
    confidence: 0.9,
    summary: `nginx -t fails: ${test.reason ?? 'configuration test failed'}${reload}; the config on disk is not what is running and the next restart will fail.`,
    evidence: [
      excerpt('nginx_test', test.lines),
      ...emerg.filter((x) => x.line).slice(0, 1).map((x) => excerpt(x.source, x.line!)),
    ],
    firstSeenMs: emerg[0]?.e.timeMs ?? null,
  })];
}
