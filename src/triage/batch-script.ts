import { randomBytes } from 'node:crypto';
import { shellQuote } from '../util/shell-quote.js';
import { HOST_SBIN_PATH } from '../transport/transport.js';

export interface BatchSection {
  /** "command_id#n": unique within the batch. */
  key: string;
  /** The command's rendered script (read-only, checked when the command set was loaded). */
  script: string;
  timeoutMs: number;
}

/** A fresh boundary per batch; hosts' output cannot predict it. */
export function newBoundary(): string {
  return `diagbot-${randomBytes(12).toString('hex')}`;
}

/**
 * One shell script running the sections one after another, each under its own `timeout`, each
 * framed by markers on stdout and stderr (see section-reader.ts) with its exit status. Only
 * shell built-ins run between sections, so a section costs the host what the command alone
 * would. The boundary is assembled at run time so it appears in no command line (ps, audit
 * logs) that a later section might print.
 */
export function batchScript(boundary: string, sections: BatchSection[]): string {
  const cut = 12;
  const lines = [
    `LC_ALL=C PATH="$PATH:${HOST_SBIN_PATH}"; export LC_ALL PATH`,
    `p=${boundary.slice(0, cut)} q=${boundary.slice(cut)}; b="$p$q"`,
    `s() { printf '\\n%s S %s\\n' "$b" "$1"; printf '\\n%s S %s\\n' "$b" "$1" >&2; }`,
    `e() { printf '\\n%s E %s %s\\n' "$b" "$1" "$2"; printf '\\n%s E %s\\n' "$b" "$1" >&2; }`,
  ];
  for (const s of sections) {
    const seconds = Math.max(1, Math.ceil(s.timeoutMs / 1000));
    // stdin is not the section's: on a standby channel it is the rest of this very script.
    lines.push(`s ${s.key}; timeout -k 1 ${seconds} sh -c ${shellQuote(s.script)} </dev/null; e ${s.key} $?`);
  }
  return `${lines.join('\n')}\n`;
}
