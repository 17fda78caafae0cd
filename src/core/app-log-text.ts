import { findOutputs, usableStdout } from './command-outputs.js';
import type { CommandOutput } from './types.js';

// The app-log readers' outputs as one text of `==> source <==` sections for the app-log parser:
// inventory globs, discovered files (with their rotated generation first) and journals. Docker's
// json-file lines are unwrapped to "TIME message" so stamps and messages read like any log.

const APP_LOG_COMMANDS = ['app_log_globs', 'app_log', 'app_journal'];

function unwrapDockerLine(line: string): string {
  if (!line.startsWith('{"log":')) return line;
  try {
    const o = JSON.parse(line) as { log?: unknown; time?: unknown };
    if (typeof o.log !== 'string') return line;
    return `${typeof o.time === 'string' ? `${o.time} ` : ''}${o.log.replace(/\n$/, '')}`;
  } catch {
    return line;
  }
}

export function appLogText(outputs: readonly CommandOutput[]): string | null {
  const parts: string[] = [];
  for (const id of APP_LOG_COMMANDS) {
    for (const out of findOutputs(outputs, id)) {
      const text = usableStdout(out);
      if (!text || text.trim() === 'no-journal') continue;
      const body = text.split('\n').filter((l) => l !== '-- No entries --');
      // A reader's output that lost its first header to the size cap still belongs to its target.
      if (out.target && !body[0]?.startsWith('==> ')) body.unshift(`==> ${out.target} <==`);
      parts.push(body.map(unwrapDockerLine).join('\n'));
    }
  }
  return parts.length > 0 ? parts.join('\n') : null;
}

/** nginx log readers print `==> path <==` between a rotated generation and the current file. */
export function withoutSectionHeaders(text: string): string {
  return text.includes('==> ') ? text.split('\n').filter((l) => !/^==> \/.* <==$/.test(l)).join('\n') : text;
}
