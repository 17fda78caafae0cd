import type { CommandOutput } from './types.js';

// Any triage command may be missing, fail, time out or be cut short. These helpers turn that into
// a usable stdout (possibly partial) plus a note saying what was lost, so parsers never throw.

export function findOutput(outputs: readonly CommandOutput[], id: string): CommandOutput | undefined {
  return outputs.find((o) => o.id === id);
}

export function findOutputs(outputs: readonly CommandOutput[], id: string): CommandOutput[] {
  return outputs.filter((o) => o.id === id);
}

function label(out: CommandOutput): string {
  return out.target ? `${out.id} (${out.target})` : out.id;
}

/** Human note about anything abnormal in one command's run, or null when it ran cleanly. */
export function problemNote(out: CommandOutput): string | null {
  if (out.error) return `${label(out)} could not run: ${out.error}`;
  if (out.timedOut) return `${label(out)} timed out after ${out.durationMs} ms; its output is partial`;
  if (out.exitCode === null) return `${label(out)} ended without an exit status; its output may be missing or partial`;
  if (out.exitCode !== 0) {
    const err = out.stderr.trim().split('\n')[0] ?? '';
    return `${label(out)} exited with ${out.exitCode}${err ? `: ${err}` : ''}`;
  }
  if (out.truncated) return `${label(out)} output was truncated at the size cap`;
  return null;
}

/**
 * The stdout worth parsing, or null when the command produced nothing usable. Output cut at the
 * size cap is cut mid-line at one edge (the end when the head was kept, the start when the tail
 * was); that fragment is dropped rather than misread.
 */
export function usableStdout(out: CommandOutput | undefined): string | null {
  if (!out || out.error) return null;
  let text = out.stdout ?? '';
  if (out.truncated) {
    text = text.endsWith('\n') ? text.slice(text.indexOf('\n') + 1) : text.slice(0, text.lastIndexOf('\n') + 1);
  }
  return text.trim() === '' ? null : text;
}

export function splitLines(text: string): string[] {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
