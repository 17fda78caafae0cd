/** What tests and tools learn about one lab host (plain JSON: it crosses vitest's provide/inject). */
export interface LabHost {
  address: string;
  sshPort: number;
  /** Port that serves the scenario's HTTP traffic (nginx, or the app itself when there is no nginx). */
  httpPort?: number;
  /** TRIAGE.md category expected as root cause; null for a healthy host. */
  expected: string | null;
  /** Remediation tests change this host (rollback, killed connections): never assume its start state. */
  mutable?: boolean;
  /** The inventory's postgres.url for this host (the role diagbot uses). */
  postgresUrl?: string;
  /** Superuser URL of the host's own lab Postgres, for tests to inspect it behind diagbot's back. */
  postgresSuperuserUrl?: string;
  /** Where the app's own log is on the host (diagbot is not told: it must find it). */
  appLog?: string;
  /** Login user when not root (the least-privilege host). */
  sshUser?: string;
}

export interface LabInfo {
  dir: string;
  inventoryPath: string;
  knownHostsPath: string;
  privateKeyPath: string;
  hosts: Record<string, LabHost>;
  startMs: number;
}

export interface Lab extends LabInfo {
  stop(): Promise<void>;
}

export type LogFormat = 'main' | 'upstream_first' | 'json' | 'combined';
export type AppStack = 'node' | 'python' | 'gunicorn' | 'go' | 'ruby' | 'php';

export interface TrafficStep {
  path: string;
  count: number;
  method?: 'GET' | 'POST';
  /** Requests of this step in flight at once (default 4). */
  concurrency?: number;
  /** Status the client should see; the smoke test checks the access log for it. */
  status: number;
}

/** A scenario host: how it is built, what traffic it gets, what diagbot should conclude. */
export interface Scenario {
  name: string;
  /** Last octet in 127.0.B.0/24 (scenarios, B = DIAGBOT_LAB_BLOCK) — fixed so addresses stay stable between runs. */
  octet: number;
  expected: string | null;
  /** 'none' = no sshd at all; 'silent' = a listener that never sends a banner. */
  ssh: 'real' | 'none' | 'silent';
  nginx?: { format: LogFormat; accessLog: string; workers?: number; extra?: string; locations?: string };
  app?: {
    stack: AppStack;
    /** Route module under apps/<stack>/ copied into the release (node: routes.cjs, python: routes.py). */
    routes: string;
    /** The file the app's log ends up in (for tests that read or rotate it). */
    logPath: string;
    /**
     * How the log gets there, as on real hosts: the app writes the file (kept open, or reopened
     * per line), its stdout is redirected to it by the supervisor loop, supervisord captures its
     * stdout, or runit's svlogd writes it. `flag`: the path is given as --log-file=PATH instead
     * of in the environment.
     */
    logVia: 'file' | 'file-reopened' | 'flag' | 'stdout' | 'supervisord' | 'svlogd' | 'self';
    /** Shell lines run in the app's subshell right before exec (limits etc). */
    preExec?: string;
    /** Run the app as this (lab-only) user instead of root. */
    user?: string;
  };
  /** Lines written into the app log before the app starts, as a long-running host's log has them. */
  seedAppLog?: 'yesterday';
  /** Log in as this user instead of root (a least-privilege host: sudo allowlist, adm group). */
  sshUser?: 'triage';
  /** nginx proxies to this other lab host's app instead of its own (an LB-only host). */
  upstreamHost?: string;
  /** Shell lines run inside the namespace after the mounts, before any service starts. */
  setup?: string;
  traffic: TrafficStep[];
  /** Something done to the running host while (or after) the traffic runs; see scenario-actions.ts. */
  action?: 'break-config' | 'crash-workers' | 'rotate-logs';
  /** A lab Postgres of its own on the host's address (see lab-postgres.ts). */
  postgres?: boolean | LabPostgresSpec;
  badDeploy?: boolean;
  /** Remediation tests may change this host; tests that assume the start state skip it. */
  mutable?: boolean;
}

export interface LabPostgresSpec {
  maxConnections: number;
  /**
   * 'superuser': app and diagbot both connect as `postgres`.
   * 'least-privilege': app as owner role `shop`, diagbot as `diagbot` (pg_monitor + pg_signal_backend).
   */
  roles: 'superuser' | 'least-privilege';
}
