import type { LogTargetPlan } from './plan-log-targets.js';
import type { AccessLogEvidence } from './parsers/access-log.js';
import type { AppSources } from './app-discovery/app-sources.js';
import type { AppLogEvidence } from './parsers/app-log.js';
import type { DiskEvidence } from './parsers/disk.js';
import type { ErrorLogEvidence } from './parsers/error-log.js';
import type { FdEvidence } from './parsers/fd-usage.js';
import type { HostInfo } from './parsers/host-info.js';
import type { KernelLogEvidence } from './parsers/kernel-log.js';
import type { MemoryEvidence } from './parsers/memory.js';
import type { NginxConfig } from './parsers/nginx-config.js';
import type { NginxTestResult } from './parsers/nginx-test.js';
import type { PgActivityEvidence } from './parsers/pg-activity.js';
import type { ProcessEvidence } from './parsers/processes.js';
import type { ReleasesEvidence } from './parsers/releases.js';
import type { RawHostOutputs } from './types.js';

// Everything parsed from one host, as plain JSON-safe data. A null section means the command was
// missing or gave nothing usable; `notes` says which and why.

export interface TimelinePoint {
  timeMs: number;
  /** Line-exact source line (redacted), when one was kept. */
  line: string | null;
  source: string;
}

/** TRIAGE.md: when 5xx started, the first new error, and the last deploy, side by side. */
export interface Timeline {
  windowStartMs: number;
  first5xx: TimelinePoint | null;
  firstNewError: TimelinePoint | null;
  lastDeploy: (TimelinePoint & { release: string | null }) | null;
}

export interface CommandStatus {
  id: string;
  target?: string;
  ok: boolean;
  note: string | null;
}

export interface HostEvidence {
  host: string;
  context: RawHostOutputs['context'];
  clock: {
    /** The host's own clock when host_info ran; the latest log stamp otherwise. */
    nowMs: number;
    source: 'host_info' | 'latest_log' | 'none';
    /** Host UTC offset used for zone-less stamps, inferred from stamps that carry one. */
    tzOffsetMinutes: number;
  };
  hostInfo: HostInfo | null;
  nginx: {
    present: boolean;
    config: NginxConfig | null;
    test: NginxTestResult | null;
    logPlan: LogTargetPlan;
  };
  accessLogs: AccessLogEvidence[];
  errorLogs: ErrorLogEvidence[];
  processes: ProcessEvidence | null;
  fds: FdEvidence | null;
  disk: DiskEvidence | null;
  memory: MemoryEvidence | null;
  kernel: KernelLogEvidence | null;
  app: AppLogEvidence | null;
  /** Which app logs were read and how each was found; the app behind nginx and where it runs. */
  appSources: AppSources;
  releases: ReleasesEvidence | null;
  pg: PgActivityEvidence | null;
  timeline: Timeline;
  commands: CommandStatus[];
  notes: string[];
}

export const DEFAULT_WINDOW_MINUTES = 60;
