import { setTimeout as sleep } from 'node:timers/promises';
import { UnrecoverableError, type Job } from 'bullmq';
import type pg from 'pg';
import { saveActionResultTs } from '../src/db/action-store.js';
import { loadIncidentFeedback } from '../src/db/feedback-store.js';
import {
  acquireSyncLease, loadSyncSnapshot, markPosted, markReplyPosted, releaseSyncLease, saveParentTs, saveReplyTs, saveResolvedReplyTs,
  type SyncSnapshot,
} from '../src/db/sync-store.js';
import type { Logger } from '../src/log/logger.js';
import type { SlackSyncJobData } from '../src/queue/job-queues.js';
import { forgetPostAttempt, recordPostAttempt } from '../src/db/post-attempt-store.js';
import { replyFor } from '../src/slack/diagnosis-reply.js';
import { findPost } from '../src/slack/find-post.js';
import { postKey, postMetadata, type PostTag } from '../src/slack/post-tag.js';
import { renderActionResult, renderIncidentParent, renderResolvedReply, type SlackMessage } from '../src/slack/render/index.js';
import { SlackApiError, type SlackClient } from '../src/slack/slack-client.js';
import { retryFor } from '../src/util/retry-for.js';
import { actionView, isFinal, snapshotView } from '../src/slack/snapshot-view.js';

export interface SlackSyncDeps { pool: pg.Pool; slack: SlackClient; log: Logger; owner: string }

// Short, and renewed while the publisher works (429 waits can make a publish long): a worker that
// dies holding it blocks the incident's Slack updates for LEASE_MS at most, less than others wait.
const LEASE_MS = 20_000;
const LEASE_RENEW_MS = 5000;
const LEASE_WAIT_MS = 30_000;

/** A message Slack refused for its shape is sent again as plain text rather than not at all. */
function plain(msg: SlackMessage): SlackMessage {
  return { text: msg.text.slice(0, 3000), blocks: [] };
}

async function postOrFallback(deps: SlackSyncDeps, channel: string, msg: SlackMessage, tag: PostTag, threadTs?: string): Promise<string> {
  const metadata = postMetadata(tag);
  try {
    return await deps.slack.post(channel, msg, threadTs, metadata);
  } catch (err) {
    if (err instanceof SlackApiError && /^(invalid_blocks|invalid_blocks_format|msg_too_long)$/.test(err.slackError)) {
      deps.log.error({ err, channel }, 'Slack refused the blocks; posting plain text instead');
      return deps.slack.post(channel, plain(msg), threadTs, metadata);
    }
    throw err;
  }
}

/**
 * Posts `msg` once: the attempt is recorded before it is sent, and a later attempt at the same
 * post (the answer was lost: timeout, reset, 5xx; or the worker died) first looks for it in Slack
 * by its metadata. Found, it is brought up to date instead of posted again.
 */
async function postOnce(deps: SlackSyncDeps, channel: string, msg: SlackMessage, tag: PostTag, threadTs?: string): Promise<string> {
  const key = postKey(tag);
  const attempt = await recordPostAttempt(deps.pool, tag.incident, key);
  if (attempt.attempts > 1) {
    const seen = await findPost(deps.slack, deps.log, { channel, tag, threadTs, since: attempt.firstAt });
    if ('found' in seen && seen.found) {
      deps.log.info({ channel, tag, ts: seen.found }, 'an earlier attempt had posted this message; not posting it again');
      await deps.slack.update(channel, seen.found, msg);
      return seen.found;
    }
  }
  try {
    return await postOrFallback(deps, channel, msg, tag, threadTs);
  } catch (err) {
    // Slack said it did nothing, and no earlier attempt may have posted: the retry need not look.
    if (err instanceof SlackApiError && !err.ambiguous && attempt.attempts === 1) {
      await forgetPostAttempt(deps.pool, tag.incident, key).catch(() => undefined);
    }
    throw err;
  }
}

/** Brings the incident's Slack messages up to date with what is stored; safe to run twice. */
async function publish(deps: SlackSyncDeps, s: SyncSnapshot): Promise<void> {
  const { incident } = s;
  const view = snapshotView(s);
  let parentTs = incident.parentTs;
  if (!parentTs) {
    const posted = await postOnce(deps, incident.channel, renderIncidentParent(view), { incident: incident.id, kind: 'parent', revision: incident.revision });
    await persist(deps, 'parent ts', () => saveParentTs(deps.pool, incident.id, posted));
    parentTs = posted;
  } else if (incident.postedRevision < incident.revision) {
    await deps.slack.update(incident.channel, parentTs, renderIncidentParent(view));
  }
  // How each remediation ended, once, before the check that follows it.
  for (const a of s.actions) {
    if (!isFinal(a.state) || a.resultTs) continue;
    const ts = await postOnce(deps, incident.channel, renderActionResult(actionView(a), { incidentId: incident.id }),
      { incident: incident.id, kind: 'action_result', revision: incident.revision, subject: a.id, host: a.host }, parentTs);
    await persist(deps, 'action result ts', () => saveActionResultTs(deps.pool, a.id, ts));
  }
  const feedback = await loadIncidentFeedback(deps.pool, incident.id);
  for (const d of s.diagnoses) {
    if (d.replyTs && d.postedReplyRevision >= d.replyRevision) continue;
    const msg = replyFor(d, s, feedback.get(d.id));
    if (!msg) continue;
    if (!d.replyTs) {
      const ts = await postOnce(deps, incident.channel, msg,
        { incident: incident.id, kind: 'diagnosis', revision: d.replyRevision, subject: d.id, host: d.host }, parentTs);
      await persist(deps, 'reply ts', () => saveReplyTs(deps.pool, d.id, ts, d.replyRevision));
    } else {
      // Buttons that were used disappear; the reply now says who did what and how it ended.
      await deps.slack.update(incident.channel, d.replyTs, msg);
      await markReplyPosted(deps.pool, d.id, d.replyRevision);
    }
  }
  if (incident.status === 'resolved' && !incident.resolvedReplyTs) {
    const ts = await postOnce(deps, incident.channel, renderResolvedReply(view), { incident: incident.id, kind: 'resolved', revision: incident.revision }, parentTs);
    await persist(deps, 'resolved reply ts', () => saveResolvedReplyTs(deps.pool, incident.id, ts));
  }
}

async function tellRequester(deps: SlackSyncDeps, s: SyncSnapshot, err: SlackApiError): Promise<void> {
  if (!s.incident.responseUrl) return;
  const hint = err.slackError === 'not_in_channel' || err.slackError === 'channel_not_found'
    ? ' Invite the app to this channel (`/invite @diagbot`) and try again.' : '';
  const text = `:warning: diagbot could not post in this channel (Slack said \`${err.slackError}\`).${hint}`;
  await deps.slack.respond(s.incident.responseUrl, { text, blocks: [] }).catch(() => undefined);
}

/**
 * Writes that must not be lost to a short Postgres outage are retried while it comes back, as
 * long as others would wait for the lease (LEASE_WAIT_MS):
 * - the `ts` of a message just posted: without it the job's retry posts the message again
 *   (found by the reliability suite: a Postgres crash mid-publish doubled a parent message);
 * - the lease release: a lease left behind holds every Slack update of the incident for
 *   LEASE_MS, and the jobs waiting for it fill the worker's slots (a 7 s restart held Slack ~100 s).
 */
function persist(deps: SlackSyncDeps, what: string, write: () => Promise<void>): Promise<void> {
  return retryFor(LEASE_WAIT_MS, 500, write, (err) => deps.log.warn({ err: (err as Error).message, what }, 'Postgres write failed; retrying while it comes back'));
}

async function releaseLease(deps: SlackSyncDeps, incidentId: number, owner: string, log: SlackSyncDeps['log']): Promise<void> {
  await persist(deps, 'lease release', () => releaseSyncLease(deps.pool, incidentId, owner))
    .catch((err: unknown) => log.warn({ err }, 'could not release the publish lease; it expires by itself'));
}

export function slackSyncProcessor(deps: SlackSyncDeps) {
  return async (job: Job<SlackSyncJobData>): Promise<string> => {
    const { incidentId } = job.data;
    const log = deps.log.child({ incidentId, jobId: job.id });
    const waitUntil = Date.now() + LEASE_WAIT_MS;
    // Per job, not per process: two jobs of one worker must not share a lease.
    const owner = `${deps.owner}:${job.id}`;
    // One publisher per incident at a time; others wait their turn, then find less to do.
    while (!(await acquireSyncLease(deps.pool, incidentId, owner, LEASE_MS))) {
      if (Date.now() > waitUntil) throw new Error(`incident ${incidentId} is being published by another worker`);
      await sleep(100 + Math.random() * 200);
    }
    // Acquiring again as the same owner extends the lease.
    const renew = setInterval(() => {
      acquireSyncLease(deps.pool, incidentId, owner, LEASE_MS).catch((err) => log.warn({ err }, 'could not renew the publish lease'));
    }, LEASE_RENEW_MS);
    try {
      const s = await loadSyncSnapshot(deps.pool, incidentId);
      if (!s) throw new UnrecoverableError(`incident ${incidentId} does not exist`);
      const pendingReplies = s.diagnoses.some((d) => (!d.replyTs && (d.state === 'done' || d.state === 'failed'))
        || (d.replyTs && d.postedReplyRevision < d.replyRevision))
        || s.actions.some((a) => isFinal(a.state) && !a.resultTs);
      const pendingResolve = s.incident.status === 'resolved' && !s.incident.resolvedReplyTs;
      if (s.incident.parentTs && s.incident.postedRevision >= s.incident.revision && !pendingReplies && !pendingResolve) {
        return 'up to date';
      }
      try {
        await publish(deps, s);
        await markPosted(deps.pool, incidentId, s.incident.revision, null);
        return `revision ${s.incident.revision} posted`;
      } catch (err) {
        if (!(err instanceof SlackApiError) || !err.permanent) throw err;
        // Retrying cannot help (wrong channel, missing scope…): keep the error on the incident.
        log.error({ err, slackError: err.slackError }, 'Slack refused the incident update');
        await markPosted(deps.pool, incidentId, s.incident.revision, err.slackError);
        // Tell the requester once per distinct problem, not on every later revision.
        if (!s.incident.parentTs && s.incident.slackError !== err.slackError) await tellRequester(deps, s, err);
        return `Slack error ${err.slackError}`;
      }
    } finally {
      clearInterval(renew);
      await releaseLease(deps, incidentId, owner, log);
    }
  };
}
