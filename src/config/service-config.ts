import * as z from 'zod';
import { ConfigError } from './config-error.js';
import { DEFAULT_REDIS_URL, describeRedisTarget, hasHashTag, parseRedisTarget, type RedisTarget } from './redis-target.js';

/** Which process is starting: each needs a different subset of settings. */
export type ServiceRole = 'web' | 'worker' | 'start' | 'migrate';

const channelId = z.string().regex(/^[CGD][A-Z0-9]{2,}$/, 'must be a Slack channel id like C0123456789 (not a #name)');
const approverId = z.string().regex(/^[UWS][A-Z0-9]{2,}$/, 'each entry must be a Slack user id (U…/W…) or user-group id (S…)');

const urlWithScheme = (schemes: string[]) => z.string().refine((v) => {
  try { return schemes.includes(new URL(v).protocol); } catch { return false; }
}, `must be a URL starting with ${schemes.map((s) => `${s}//`).join(' or ')}`);

const intInRange = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Every setting, as SPEC.md and .env.example name them. Empty strings count as missing. */
const schema = z.object({
  SLACK_BOT_TOKEN: z.string().regex(/^xox[bp]-/, 'must be a bot token starting with xoxb-'),
  SLACK_SIGNING_SECRET: z.string().min(8, 'must be the app\'s signing secret (never empty)'),
  SLACK_API_URL: urlWithScheme(['http:', 'https:']).transform((v) => (v.endsWith('/') ? v : `${v}/`)).optional(),
  SLACK_SOCKET_MODE: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  SLACK_APP_TOKEN: z.string().regex(/^xapp-/, 'must be an app-level token starting with xapp-').optional(),
  DATABASE_URL: urlWithScheme(['postgres:', 'postgresql:']),
  // Checked as a whole (with the REDIS_* below) by parseRedisTarget, into `redis`.
  REDIS_URL: z.string().default(DEFAULT_REDIS_URL),
  REDIS_SENTINELS: z.string().optional(),
  REDIS_SENTINEL_NAME: z.string().optional(),
  REDIS_SENTINEL_PASSWORD: z.string().optional(),
  REDIS_CLUSTER_NODES: z.string().optional(),
  REDIS_PASSWORD: z.string().optional(),
  QUEUE_PREFIX: z.string().regex(/^(?:[A-Za-z0-9_.-]|\{[A-Za-z0-9_.-]+\}){1,64}$/,
    'must be 1-64 letters, digits, "_", "." or "-", optionally with one {hash tag}').default('diagbot'),
  DIAGBOT_INVENTORY: z.string().min(1).default('./inventory.yaml'),
  ALERT_CHANNEL: channelId,
  WEBHOOK_TOKEN: z.string().min(16, 'must be at least 16 characters (it is the only thing guarding the webhooks)'),
  ACTION_APPROVERS: z.string().default('').transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(approverId)),
  PORT: intInRange(0, 65535).default(3000),
  // /metrics names hosts, queues and Slack outcomes: it can ask for a bearer token, or move to
  // its own listener (loopback by default) and off PORT.
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  METRICS_PORT: intInRange(0, 65535).optional(),
  METRICS_HOST: z.string().regex(/^[A-Za-z0-9.:-]{1,253}$/, 'must be an address to listen on, like 127.0.0.1 or 0.0.0.0').default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WORKER_CONCURRENCY: intInRange(1, 256).default(8),
  SSH_MAX_CHANNELS: intInRange(2, 1024).default(48),
  SSH_MAX_CONNECTING: intInRange(1, 256).default(8),
  DIAGNOSE_TIMEOUT_MS: intInRange(1000, 600_000).default(20_000),
  DIAGNOSE_RETRY_BASE_MS: intInRange(100, 60_000).default(2000),
  SWEEP_EVERY_MS: intInRange(500, 600_000).default(15_000),
  DIAGNOSIS_STUCK_AFTER_MS: intInRange(1000, 3_600_000).default(60_000),
  DIAGNOSIS_GIVE_UP_AFTER_MS: intInRange(10_000, 7 * 86_400_000).default(30 * 60_000),
  SHUTDOWN_TIMEOUT_MS: intInRange(1000, 600_000).default(25_000),
  ACTION_OFFER_TTL_MS: intInRange(1000, 24 * 3_600_000).default(30 * 60_000),
  ACTION_SETTLE_MS: intInRange(0, 600_000).default(30_000),
});

type Settings = z.infer<typeof schema>;
export type ServiceConfig = Settings & {
  /** The Redis deployment named by REDIS_URL or REDIS_SENTINELS / REDIS_CLUSTER_NODES. */
  redis: RedisTarget;
  /** Set when QUEUE_PREFIX was wrapped in a {hash tag} for Redis Cluster: the prefix as given. */
  queuePrefixGiven?: string;
};

/** Every setting name; .env.example must document each one. */
export const SERVICE_SETTINGS = Object.keys(schema.shape) as (keyof Settings)[];

/** The settings each role cannot run without; the rest have defaults or are optional. */
const REQUIRED: Record<ServiceRole, (keyof Settings)[]> = {
  migrate: ['DATABASE_URL'],
  web: ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'DATABASE_URL', 'ALERT_CHANNEL', 'WEBHOOK_TOKEN'],
  worker: ['SLACK_BOT_TOKEN', 'DATABASE_URL', 'ALERT_CHANNEL'],
  start: ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'DATABASE_URL', 'ALERT_CHANNEL', 'WEBHOOK_TOKEN'],
};

const PLACEHOLDERS: Partial<Record<keyof Settings, string>> = {
  SLACK_BOT_TOKEN: 'xoxb-placeholder', SLACK_SIGNING_SECRET: 'not-needed', ALERT_CHANNEL: 'C000NOTSET',
  WEBHOOK_TOKEN: 'not-needed-not-needed',
};

/**
 * Reads every setting from `env` (passed in, so tests use plain objects) and reports all
 * problems at once. Settings a role does not need get placeholders rather than errors.
 */
export function loadServiceConfig(env: Record<string, string | undefined>, role: ServiceRole): ServiceConfig {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(schema.shape)) {
    const v = env[key]?.trim();
    input[key] = v === '' ? undefined : v;
  }
  const problems: string[] = [];
  for (const key of Object.keys(schema.shape) as (keyof Settings)[]) {
    if (input[key] !== undefined || schema.shape[key].safeParse(undefined).success) continue;
    if (REQUIRED[role].includes(key)) problems.push(`${key} is not set (required for "diagbot ${role}")`);
    else input[key] = PLACEHOLDERS[key];
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0]);
      if (input[key] === undefined) continue; // already reported as missing
      problems.push(`${key}: ${issue.message}`);
    }
  }
  if (parsed.success && parsed.data.SLACK_SOCKET_MODE && !parsed.data.SLACK_APP_TOKEN && role !== 'migrate' && role !== 'worker') {
    problems.push('SLACK_APP_TOKEN is not set (required when SLACK_SOCKET_MODE=true)');
  }
  if (parsed.success && parsed.data.METRICS_PORT !== undefined && parsed.data.METRICS_PORT !== 0 && parsed.data.METRICS_PORT === parsed.data.PORT) {
    problems.push(`METRICS_PORT: must differ from PORT (${parsed.data.PORT}); unset it to serve /metrics on PORT`);
  }
  const redis = parseRedisTarget(input);
  problems.push(...redis.problems);
  if (problems.length > 0 || !parsed.success || !redis.target) throw new ConfigError(problems, 'environment');
  const cfg: ServiceConfig = { ...parsed.data, redis: redis.target };
  // Cluster: BullMQ's scripts touch several keys of a queue at once, which must share a slot.
  if (cfg.redis.kind === 'cluster' && !hasHashTag(cfg.QUEUE_PREFIX)) {
    cfg.queuePrefixGiven = cfg.QUEUE_PREFIX;
    cfg.QUEUE_PREFIX = `{${cfg.QUEUE_PREFIX}}`;
  }
  return cfg;
}

/** Values safe to log: secrets replaced by their length. */
export function describeConfig(cfg: ServiceConfig): Record<string, unknown> {
  const secret = (v: string | undefined) => (v ? `<${v.length} chars>` : '<unset>');
  return {
    ...cfg,
    SLACK_BOT_TOKEN: secret(cfg.SLACK_BOT_TOKEN), SLACK_SIGNING_SECRET: secret(cfg.SLACK_SIGNING_SECRET),
    SLACK_APP_TOKEN: secret(cfg.SLACK_APP_TOKEN), WEBHOOK_TOKEN: secret(cfg.WEBHOOK_TOKEN),
    METRICS_TOKEN: cfg.METRICS_TOKEN ? secret(cfg.METRICS_TOKEN) : undefined,
    DATABASE_URL: cfg.DATABASE_URL.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:****@'),
    REDIS_URL: describeRedisTarget(cfg.redis),
    REDIS_PASSWORD: cfg.REDIS_PASSWORD ? secret(cfg.REDIS_PASSWORD) : undefined,
    REDIS_SENTINEL_PASSWORD: cfg.REDIS_SENTINEL_PASSWORD ? secret(cfg.REDIS_SENTINEL_PASSWORD) : undefined,
    redis: undefined,
  };
}
