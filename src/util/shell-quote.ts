/** POSIX single-quote a value so a shell sees exactly one literal word. */
export function shellQuote(value: string): string {
  if (value.includes('\0')) throw new Error('refusing to quote a value containing NUL');
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
