import type { HostEvidence } from '../host-evidence.js';
import type { Finding } from '../types.js';
import { badDeploy } from './bad-deploy.js';
import { dbPoolExhaustion } from './db-pool-exhaustion.js';
import { dependencyDown } from './dependency-down.js';
import { diskFull } from './disk-full.js';
import { fdExhaustion } from './fd-exhaustion.js';
import { interceptedUpstreamError } from './intercepted-upstream-error.js';
import { memoryExhaustion } from './memory-exhaustion.js';
import { nginxConfigInvalid } from './nginx-config-invalid.js';
import { nginxInternalError } from './nginx-internal-error.js';
import { unhandledException } from './unhandled-exception.js';
import { upstreamAppError } from './upstream-app-error.js';
import type { Window } from './window.js';
import { workerCrash } from './worker-crash.js';

/** One rule per category; each reads the evidence and returns its findings (often none). */
export type Rule = (ev: HostEvidence, win: Window) => Finding[];

export const RULES: Record<string, Rule> = {
  upstreamAppError,
  unhandledException,
  nginxInternalError,
  interceptedUpstreamError,
  nginxConfigInvalid,
  workerCrash,
  fdExhaustion,
  memoryExhaustion,
  diskFull,
  dbPoolExhaustion,
  badDeploy,
  dependencyDown,
};
