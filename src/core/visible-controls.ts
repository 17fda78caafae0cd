// Text from hosts reaches the on-call's terminal (CLI), Slack and storage. Control characters in it
// can rewrite what the reader sees and copies: ESC sequences clear the screen, retitle the window
// or write the clipboard (OSC 52), a bare CR overwrites the start of the line, DEL and C1 codes are
// read as controls by some terminals, bidi overrides reorder the characters shown. Whoever can make
// an app log a request path could use them, so each is replaced by a visible escape. Tab and
// newline carry the layout and stay; CR before a newline is a line ending and goes. Colour (SGR)
// sequences, common in app logs, are removed instead: they only paint, and escaped they would glue
// `\x1b[31m` to the word after it, which signatures then no longer match.

// eslint-disable-next-line no-control-regex
const SGR = /\x1b\[[0-9;:]*m/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const ANY = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const CR_EOL = /\r+(?=\n|$)/g;

const NAMED: Record<string, string> = { '\0': '\\0', '\b': '\\b', '\v': '\\v', '\f': '\\f', '\r': '\\r', '\x1b': '\\e' };

function escape(c: string): string {
  const code = c.charCodeAt(0);
  return NAMED[c] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
}

/** The text with every control character but tab and newline shown as an escape (`\e`, `\r`, `\x9b`, `\u202e`). */
export function visibleControls(text: string): string {
  if (!ANY.test(text)) return text;
  return text.replace(SGR, '').replace(CR_EOL, '').replace(CONTROL, escape);
}

/** True when the text holds a character visibleControls would change. */
export function hasControls(text: string): boolean {
  return ANY.test(text);
}
