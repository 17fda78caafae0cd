/** How an executed remediation ended. 'skipped': the state had changed since the offer, nothing ran. */
export type FinalState = 'succeeded' | 'failed' | 'skipped' | 'unknown';

export interface ActionOutcome {
  state: FinalState;
  /** One sentence for the thread and the audit. */
  summary: string;
  /** Structured details kept on the action (figures, per-step exit codes). */
  result: Record<string, unknown>;
  /** Command output worth keeping; redacted and cut before it is stored. */
  output: string;
}
