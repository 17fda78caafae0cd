import { pino, type Logger, type LoggerOptions } from 'pino';
import { redact } from '../core/redact.js';

export type { Logger } from 'pino';

// Field names whose values are never logged, wherever they sit in a log object.
const SECRET_PATHS = [
  'token', 'password', 'secret', 'authorization', 'signingSecret', 'botToken', 'appToken',
  '*.token', '*.password', '*.secret', '*.authorization', '*.signingSecret', '*.botToken',
  'headers.authorization', 'headers["x-slack-signature"]', 'req.headers.authorization',
  'config.SLACK_BOT_TOKEN', 'config.SLACK_SIGNING_SECRET', 'config.SLACK_APP_TOKEN', 'config.WEBHOOK_TOKEN',
];

function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redact(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { type: value.name, message: redact(value.message), stack: value.stack ? redact(value.stack) : undefined,
      code: (value as { code?: unknown }).code };
  }
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, depth + 1);
  return out;
}

/**
 * JSON logs on stdout. Known secret fields are censored by path, and every string (messages,
 * error stacks, nested values) also goes through the same redaction as Slack output, since
 * errors from SSH or Postgres can quote URLs with passwords in them.
 */
export function createLogger(opts: { level?: string; name?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const options: LoggerOptions = {
    name: opts.name ?? 'diagbot',
    level: opts.level ?? 'info',
    redact: { paths: SECRET_PATHS, censor: '****' },
    serializers: { err: (e: unknown) => redactDeep(e), error: (e: unknown) => redactDeep(e) },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((a) => redactDeep(a)) as Parameters<typeof method>);
      },
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return opts.destination ? pino(options, opts.destination as pino.DestinationStream) : pino(options);
}
