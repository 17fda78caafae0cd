import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from './logger.js';

const TO_PINO: Record<LogLevel, 'error' | 'warn' | 'info' | 'debug'> = {
  [LogLevel.ERROR]: 'error', [LogLevel.WARN]: 'warn', [LogLevel.INFO]: 'info', [LogLevel.DEBUG]: 'debug',
};

/** Bolt's logger interface on top of pino, so Bolt's own messages are JSON lines too. */
export function boltLogger(log: Logger): BoltLogger {
  let level = LogLevel.INFO;
  const child = log.child({ component: 'bolt' });
  const emit = (lvl: 'error' | 'warn' | 'info' | 'debug') => (...msg: unknown[]) => {
    // Bolt logs whole request bodies at debug; do not even format them unless asked to.
    if (!child.isLevelEnabled(lvl)) return;
    const err = msg.find((m) => m instanceof Error);
    const text = msg.filter((m) => !(m instanceof Error)).map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
    if (err) child[lvl]({ err }, text || (err as Error).message);
    else child[lvl](text);
  };
  return {
    debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error'),
    setLevel: (l: LogLevel) => { level = l; child.level = TO_PINO[l]; },
    getLevel: () => level,
    setName: () => undefined,
  };
}
