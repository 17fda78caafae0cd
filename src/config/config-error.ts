/**
 * A problem the operator must fix before anything runs (exit code 2). Carries every
 * problem found, so one run shows the whole list instead of one at a time.
 */
export class ConfigError extends Error {
  readonly code = 'E_CONFIG';
  constructor(readonly problems: string[], readonly subject = 'configuration') {
    super(`${subject} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` +
      problems.map((p) => `  - ${p}`).join('\n'));
    this.name = 'ConfigError';
  }
}

/** Bad command-line usage (exit code 2). */
export class UsageError extends Error {
  readonly code = 'E_USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * A ConfigError or UsageError, recognised by its code: the server commands are a separate bundle
 * (scripts/bundle.ts) with their own copy of these classes, so `instanceof` cannot tell.
 */
export function isOperatorError(err: unknown): err is ConfigError | UsageError {
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof Error && (code === 'E_CONFIG' || code === 'E_USAGE');
}
