import { redact } from '../redact.js';

// Every string a report carries goes through here: bounded, then redacted. Bounding comes first
// because redaction's patterns get slow on long unbroken runs (quadratic in their length), and
// no reader needs a 100 KB line. An unbroken run longer than MAX_RUN is replaced whole, never
// cut: a cut token would no longer match its redaction pattern and half of it would show.

const MAX_RUN = 256;
const MAX_LINE_CHARS = 1000;
const LONG_RUN = new RegExp(`\\S{${MAX_RUN + 1},}`, 'g');

function boundLine(line: string): string {
  if (line.length <= MAX_RUN) return line;
  const short = line.replace(LONG_RUN, (run) => `[${run.length} characters not shown]`);
  if (short.length <= MAX_LINE_CHARS) return short;
  // Runs are short now, so a space is always near: the cut never splits a word.
  const space = short.lastIndexOf(' ', MAX_LINE_CHARS);
  return `${short.slice(0, space > 0 ? space : MAX_LINE_CHARS)} …`;
}

/** Bounded, redacted lines, plus how many lines the original had (for "N more lines" notes). */
export function safeLines(text: string, maxLines: number): { text: string; totalLines: number } {
  const lines = text.split('\n');
  return { text: redact(lines.slice(0, maxLines).map(boundLine).join('\n')), totalLines: lines.length };
}

export function safeText(text: string, maxLines = 20): string {
  return safeLines(text, maxLines).text;
}
