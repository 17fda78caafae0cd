// Shared vocabulary of diagbot's pure core. Everything here is plain data: no I/O.
import type { HostFigures } from './figures.js';

export type { HostFigures } from './figures.js';

/** Category ids fixed by TRIAGE.md; the contract for findings. */
export const CATEGORIES = [
  'upstream_app_error',
  'unhandled_exception',
  'nginx_internal_error',
  'intercepted_upstream_error',
  'nginx_config_invalid',
  'worker_crash',
  'fd_exhaustion',
  'memory_exhaustion',
  'disk_full',
  'db_pool_exhaustion',
  'bad_deploy',
  'dependency_down',
  'host_unreachable',
] as const;
export type Category = (typeof CATEGORIES)[number];

export type Severity = 'critical' | 'warning' | 'info';
export type Role = 'root_cause' | 'symptom' | 'contributing';

/** Remediations a finding may call for; buttons are built from these ids. */
export type ActionId = 'rollback' | 'kill_idle_connections' | 'rerun_diagnosis';

export interface EvidenceExcerpt {
  /** Where it came from: a command id, or a file path on the host. */
  source: string;
  /** Exact lines as they appear in the source (possibly shortened with an ellipsis line). */
  excerpt: string;
}

export interface Finding {
  category: Category;
  severity: Severity;
  role: Role;
  /** 0..1: how sure the rule is, raised by corroborating signals. */
  confidence: number;
  summary: string;
  evidence: EvidenceExcerpt[];
  actions: ActionId[];
  /** Optional epoch-ms of the first signal, used to order causes by time. */
  firstSeenMs?: number;
  /** Set when `confidence` was blended with this installation's feedback (calibrate-confidence.ts). */
  calibration?: Calibration;
}

/** How a shown confidence came about: the rule's own value and the answers that moved it. */
export interface Calibration {
  builtIn: number;
  confirmed: number;
  corrected: number;
}

/** Output of one triage command as the transport returned it. A non-zero exit is data. */
export interface CommandOutput {
  id: string;
  /** For per-target commands (one per log file), the target the command ran against. */
  target?: string;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  truncated: boolean;
  timedOut: boolean;
  /** Set when the command could not run at all (channel failure, not applicable…). */
  error?: string;
}

/** Everything collected from one host, handed to the pure evidence builder. */
export interface RawHostOutputs {
  host: string;
  /** Inventory facts the commands were run with. */
  context: {
    hasPostgres: boolean;
    hasDeploy: boolean;
    /** The inventory's app.logPaths: an override; when empty, app logs are discovered. */
    appLogGlobs: string[];
    /** This host's inventory address, labels and the other inventory hosts (names and addresses),
     *  so an nginx upstream can be recognised as another inventory host. */
    address?: string;
    labels?: Record<string, string>;
    peers?: Array<{ name: string; address: string }>;
  };
  commands: CommandOutput[];
}

export interface RootCause {
  category: Category;
  summary: string;
}

/** One line per area of what was looked at (see checks.ts). */
export interface CheckSummary {
  area: string;
  checked: boolean;
  detail: string;
}

export interface Diagnosis {
  findings: Finding[];
  rootCause: RootCause | null;
  checks?: CheckSummary[];
  figures?: HostFigures;
  /** What the evidence could not tell (a missing clock, a command without usable output…). */
  notes?: string[];
  /** nginx upstreams on other machines (with the inventory host at that address, if any). */
  upstreams?: RemoteUpstreamRef[];
  /** The app logs read (files, or `journal:UNIT`) and how each was found. */
  appLogs?: Array<{ source: string; how: string }>;
}

export interface RemoteUpstreamRef {
  /** `10.0.3.13:8080` as nginx names it. */
  target: string;
  /** The inventory host at that address or name; null when it is not in the inventory. */
  host: string | null;
}
