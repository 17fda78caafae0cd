import type { AppSignatureKind } from './signatures/kinds.js';

// Lines whose alarming words are about something else. A signature is a report of a failure:
// not a line the app itself logged at info/debug, not a deprecation notice, not an inotify watch
// limit (ENOSPC/EMFILE that is no disk and no descriptor table), not a failure that the same line
// says was recovered from, not a user's search text quoted in the log.

const QUIET_LEVEL = /(?:^|[\s[|(])(?:INFO|DEBUG|TRACE|NOTICE)(?=[\s\]|:/)]|$)|^[ID], \[|\blevel=(?:info|debug|trace)\b|"level"\s*:\s*(?:"(?:info|debug|trace)"|[123]0)\b|\.(?:INFO|DEBUG|NOTICE):|^(?:info|dbug|trce): |\[(?:INF|DBG|VRB)\]/;
const LOUD_LEVEL = /(?:^|[\s[|(])(?:ERROR|FATAL|CRITICAL|SEVERE|PANIC|WARN|WARNING|ALERT|EMERG|CRIT|ERR|FTL|WRN)(?=[\s\]|:/)]|$)|^[EFW], \[|\blevel=(?:error|fatal|critical|warn|warning)\b|"level"\s*:\s*(?:"(?:error|fatal|critical|warn|warning)"|[456]0)\b|^(?:fail|crit|warn): /i;
// supervisord logs a crashed child at INFO; its own "not expected" says it is not.
const LOUD_AT_INFO = /\(terminated by SIG\w+; not expected\)/;
const DEPRECATION = /\bdeprecat(?:ed|ion)\b|DeprecationWarning|\[DEP\d{4}\]/i;
const FILE_WATCH = /inotify|file watchers|\bfs\.?watch\b|chokidar|fsnotify|\bFSWatcher\b|max_user_(?:watches|instances)|\bwatch(?:ing)? ['"/]|\bwatch \S+ ENOSPC|Failed to watch/i;
const RECOVERED = /(?<!\bnot |n't |\bun)\b(?:re)?connected\b(?! (?:refused|reset|closed|failed|timed? ?out))|\b(?:succeeded|recovered|restored)\b/i;
const USER_INPUT = /(?:\b(?:q|query|search|term|keywords?|search_term|text)\s*[=:]\s*|\bsearch(?:ed|ing)? for\s+)(["'])[^"']*$/i;

/** The line's own level says nothing is wrong (info/debug), before any error-level word. */
export function quietLevel(line: string): boolean {
  const head = line.slice(0, 100);
  const quiet = QUIET_LEVEL.exec(head);
  if (!quiet) return false;
  const loud = LOUD_LEVEL.exec(head);
  return !loud || quiet.index < loud.index;
}

/** Reasons to ignore the whole line, whatever it matches. */
export function ignoredLine(line: string): boolean {
  return (quietLevel(line) && !LOUD_AT_INFO.test(line)) || DEPRECATION.test(line);
}

/** Reasons to ignore one match of `kind` at `index` in `line`. */
export function falseAlarm(kind: AppSignatureKind, line: string, index: number): boolean {
  if ((kind === 'disk_full' || kind === 'too_many_open_files') && FILE_WATCH.test(line)) return true;
  if (kind === 'circuit_open' || kind === 'connection_refused' || kind === 'dns_failure' || kind === 'dependency_timeout' || kind === 'unreachable') {
    if (RECOVERED.test(line.slice(index))) return true;
  }
  return USER_INPUT.test(line.slice(0, index));
}
