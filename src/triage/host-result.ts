import type { CommandReportInput } from '../core/report/types.js';
import type { CheckSummary, Finding, HostFigures, RemoteUpstreamRef, RootCause } from '../core/types.js';
import type { UnreachableReason } from '../transport/ssh-errors.js';

/** One command's outcome as reported (output itself stays out of the result). */
export type CommandSummary = CommandReportInput;

/** The per-host JSON result; field names are the SPEC.md contract. */
export interface HostResult {
  host: string;
  address: string;
  reachable: boolean;
  error: string | null;
  errorReason: UnreachableReason | null;
  durationMs: number;
  startedAt: string;
  rootCause: RootCause | null;
  findings: Finding[];
  commands: CommandSummary[];
  /** What was looked at, so a quiet result shows its coverage. */
  checks: CheckSummary[];
  /** 5xx/requests in the window, live release, DB connections by state; null when unreachable. */
  figures: HostFigures | null;
  notes: string[];
  /** The app logs read and how each was found ("held open by gunicorn pid 2211"). */
  appLogs: Array<{ source: string; how: string }>;
  /** Where this host's nginx sends requests on other machines (the tier behind it). */
  upstreams: RemoteUpstreamRef[];
  /** Set when this host was diagnosed because another host's nginx sends requests to it. */
  via?: { host: string; target: string };
}
