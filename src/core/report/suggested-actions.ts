import type { ActionId, Category } from '../types.js';
import type { HostOutcome, ReportFinding, SuggestedAction } from './types.js';

// Next steps from TRIAGE.md, worded for someone paged at night: the first thing to do, then
// where to look. Remediation ids come first because those may get a button.

const ACTION_TEXT: Record<ActionId, string> = {
  rollback: 'Roll back to the previous release, then check that the 5xx stop.',
  kill_idle_connections: 'Kill idle and long idle-in-transaction database connections to free pool slots.',
  rerun_diagnosis: 'Run the diagnosis again to see whether it is still happening.',
};

const CATEGORY_ADVICE: Record<Category, string> = {
  upstream_app_error: 'Look at the application error below; if it started with a deploy, roll back first.',
  unhandled_exception: 'Fix or work around the exception in the stack trace below.',
  nginx_internal_error: 'Fix what the nginx error log names (rewrite cycle, permissions, module); reload only after `nginx -t` passes.',
  intercepted_upstream_error: 'Add or fix the `error_page` for the intercepted status, or turn off `proxy_intercept_errors`; then look at why the upstream failed.',
  nginx_config_invalid: 'Fix the configuration until `nginx -t` passes before any reload: the running config is not what is on disk.',
  worker_crash: 'Read the crash lines in the error log (signal, module); a reload restores workers but not the cause.',
  fd_exhaustion: 'Raise the open-files limit (LimitNOFILE, worker_rlimit_nofile) and look for a descriptor leak; restart the affected process.',
  memory_exhaustion: 'Find what used the memory (OOM-killer lines, heap errors); restart the killed process and cap or fix the leak.',
  disk_full: 'Free space on the full filesystem (old logs, uploads, temp files) or grow it; then find what filled it.',
  db_pool_exhaustion: 'Find what holds connections (long transactions, leaked clients) and compare pool sizes with max_connections.',
  bad_deploy: 'Roll back first, investigate second: the errors below only exist since this release.',
  dependency_down: 'Check the downstream service the app cannot reach; take a failing backend out of the pool if others are healthy.',
  host_unreachable: 'Check that the host is up and reachable over SSH from the diagbot worker.',
};

const UNREACHABLE_ADVICE: Record<string, string> = {
  connect_timeout: 'The host did not answer in time: check that it is up and that a firewall lets the diagbot worker reach port 22.',
  refused: 'Nothing listens on the SSH port: check that sshd is running and the inventory port is right.',
  auth_failed: 'The SSH key was refused: check the inventory user and that its authorized_keys holds the diagbot key.',
  host_key_mismatch: 'The host key changed: confirm the change is legitimate (rebuild, new address) before updating known_hosts. Do not ignore it.',
  host_key_unknown: 'The host key is not in known_hosts: add it after checking its fingerprint.',
  host_key_revoked: 'The host presented a revoked key: treat the host as compromised until proven otherwise.',
  dns: 'The host name does not resolve: check the inventory address.',
};

export function suggestActions(outcome: HostOutcome, root: ReportFinding | null, reason: string | null): SuggestedAction[] {
  if (outcome === 'healthy') return [];
  if (outcome === 'unreachable') {
    return [{ text: (reason && UNREACHABLE_ADVICE[reason]) ?? CATEGORY_ADVICE.host_unreachable }];
  }
  if (!root) return [];
  return [
    ...root.actions.map((id) => ({ actionId: id, text: ACTION_TEXT[id] })),
    { text: CATEGORY_ADVICE[root.category] },
  ];
}
