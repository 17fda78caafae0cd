import type { ActionId, Calibration, Category, CheckSummary, Finding, HostFigures, Role, RootCause, Severity } from '../types.js';
import type { ResourceRef } from './resources.js';
import type { IncidentCauses } from './shared-causes.js';
import type { Sparkline } from './sparkline.js';

// Inputs: plain views of a host result and of an incident. Kept structural (not imported from
// triage or the database layer) so the core stays pure and any adapter can feed it.

export interface CommandReportInput {
  id: string;
  target?: string;
  exitCode: number | null;
  durationMs: number;
  truncated: boolean;
  timedOut: boolean;
  error?: string;
}

/** What one host's diagnosis produced; the triage HostResult is assignable to it. */
export interface HostReportInput {
  host: string;
  address?: string;
  reachable: boolean;
  error: string | null;
  /** Stable reason word when unreachable (connect_timeout, auth_failed, host_key_mismatch…). */
  errorReason?: string | null;
  durationMs: number;
  startedAt?: string;
  rootCause: RootCause | null;
  findings: Finding[];
  commands: CommandReportInput[];
  checks?: CheckSummary[];
  figures?: HostFigures | null;
  notes?: string[];
  /** Diagnosed because this host's nginx sends requests here. */
  via?: { host: string; target: string };
}

export interface AlertView {
  name: string;
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  summary?: string | null;
  startsAt: string;
  endsAt?: string | null;
  generatorUrl?: string | null;
}

export type HostDiagnosisState = 'queued' | 'running' | 'done' | 'failed';

export interface HostStatusView {
  host: string;
  state: HostDiagnosisState;
  rootCause: RootCause | null;
  reachable?: boolean | null;
  error?: string | null;
  durationMs?: number | null;
  /** What stands behind the host's root cause (database, release, downstream…), for shared causes. */
  resources?: ResourceRef[];
}

export interface IncidentView {
  id: number;
  source: 'alertmanager' | 'grafana' | 'slash';
  title: string;
  status: 'firing' | 'resolved';
  alerts: AlertView[];
  hosts: HostStatusView[];
  /** Slack user id of whoever typed the slash command. */
  requestedBy?: string | null;
  /** Hosts named by alert labels that the inventory does not know. */
  unmatchedHosts?: string[];
  slackError?: string | null;
  createdAt: string;
  resolvedAt?: string | null;
}

// Outputs: the platform-neutral report. Every string in it has been through redact().

export interface ReportEvidence {
  source: string;
  excerpt: string;
  /** Lines in the original excerpt; more than `excerpt` holds when it was bounded. */
  totalLines: number;
}

export interface ReportFinding {
  category: Category;
  severity: Severity;
  role: Role;
  /** Null when the root cause came without a matching finding. */
  confidence: number | null;
  summary: string;
  evidence: ReportEvidence[];
  actions: ActionId[];
  /** Set when the confidence was blended with this installation's feedback. */
  calibration: Calibration | null;
  /** "right 3 of 10 times here" when people corrected this category often. */
  accuracyNote: string | null;
}

export type HostOutcome = 'root_cause' | 'healthy' | 'unreachable';

export type CommandProblemKind = 'timed_out' | 'failed' | 'truncated';

export interface CommandProblem {
  id: string;
  target: string | null;
  kinds: CommandProblemKind[];
  detail: string;
}

export interface SuggestedAction {
  text: string;
  /** Set when a remediation button may exist for it. */
  actionId?: ActionId;
}

export interface HostReport {
  host: string;
  address: string | null;
  outcome: HostOutcome;
  /** One plain sentence: what a reader needs if they read nothing else. */
  headline: string;
  /** Human title of the outcome, e.g. "Database connection pool exhausted". */
  title: string;
  durationMs: number;
  startedAt: string | null;
  error: string | null;
  unreachableReason: string | null;
  rootCause: ReportFinding | null;
  symptoms: ReportFinding[];
  contributing: ReportFinding[];
  /** Findings whose role does not fit the ones above (a second root-cause claim). */
  other: ReportFinding[];
  /** Findings left out of the report because there were too many to show. */
  omittedFindings: number;
  checks: CheckSummary[];
  commandProblems: CommandProblem[];
  notes: string[];
  /** "behind lb-1 (its nginx sends requests to 10.0.3.13:8080)" when diagnosed as the tier behind. */
  via: { host: string; target: string } | null;
  suggestedActions: SuggestedAction[];
  /** 5xx per minute over the window with the deploy / first new error / first 5xx marked. */
  curve: Sparkline | null;
}

export interface AlertLine {
  name: string;
  status: 'firing' | 'resolved';
  keyLabels: { key: string; value: string }[];
  summary: string | null;
  startsAt: string;
  endsAt: string | null;
  generatorUrl: string | null;
}

export type HostLineKind = 'root_cause' | 'unreachable' | 'failed' | 'running' | 'queued' | 'healthy';

export interface HostLine {
  host: string;
  kind: HostLineKind;
  category: Category | null;
  /** Root cause summary, unreachable/failure reason; null otherwise. */
  detail: string | null;
  durationMs: number | null;
}

export interface IncidentReport {
  id: number;
  source: IncidentView['source'];
  status: IncidentView['status'];
  title: string;
  requestedBy: string | null;
  createdAt: string;
  resolvedAt: string | null;
  alerts: AlertLine[];
  /** Problems first, then work in progress, then healthy hosts. */
  hosts: HostLine[];
  /** Host names in the order they were given (requested or named by the alerts). */
  hostNames: string[];
  counts: Record<HostLineKind, number>;
  /** Distinct root-cause categories, in host order: what people search for. */
  rootCauseCategories: Category[];
  unmatchedHosts: string[];
  slackError: string | null;
  /** Root causes shared by several hosts (with the resource behind them), and hosts by cause. */
  causes: IncidentCauses;
}
