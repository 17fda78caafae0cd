import type { Finding } from './types.js';

/** The finding for a host the diagnosis could not run on; the reason words are stable. */
export function unreachableFinding(reason: string, message: string): Finding {
  return {
    category: 'host_unreachable',
    severity: 'critical',
    role: 'root_cause',
    confidence: 1,
    summary: `Could not diagnose: ${message}`,
    evidence: [{ source: 'ssh', excerpt: `${reason}: ${message}` }],
    actions: [],
  };
}
