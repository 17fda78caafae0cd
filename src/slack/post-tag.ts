// Every message diagbot posts carries Slack message metadata naming what it is, so a post whose
// answer was lost (timeout, reset connection, 5xx after sending) can be found again instead of
// being posted twice.

export const POST_EVENT_TYPE = 'diagbot_post';

export type PostKind = 'parent' | 'diagnosis' | 'action_result' | 'resolved';

/** What a post is: one per incident for 'parent' and 'resolved', one per diagnosis / action otherwise. */
export interface PostTag {
  incident: number;
  kind: PostKind;
  /** The incident revision (parent, resolved) or reply revision (diagnosis) the text shows. */
  revision: number;
  /** Diagnosis id ('diagnosis') or action id ('action_result'). */
  subject?: number | string;
  host?: string;
}

export interface PostMetadata {
  event_type: typeof POST_EVENT_TYPE;
  event_payload: { incident: number; revision: number; kind: PostKind; subject?: number | string; host?: string };
}

export function postMetadata(tag: PostTag): PostMetadata {
  const { incident, revision, kind, subject, host } = tag;
  return {
    event_type: POST_EVENT_TYPE,
    event_payload: { incident, revision, kind, ...(subject !== undefined ? { subject } : {}), ...(host !== undefined ? { host } : {}) },
  };
}

/** The key a post attempt is recorded under in Postgres: the same for every retry of one post. */
export function postKey(tag: PostTag): string {
  return tag.subject === undefined ? tag.kind : `${tag.kind}:${tag.subject}`;
}

interface SeenMessage { ts?: string; user?: string; bot_id?: string; metadata?: { event_type?: string; event_payload?: unknown } }

/**
 * True when `m` is the post `tag` names, posted by this bot (another install in the channel has
 * its own incident numbers). The revision is not compared: a retry may carry a newer text.
 */
export function isPostOf(m: SeenMessage, tag: PostTag, self: { userId?: string; botId?: string }): boolean {
  if (m.metadata?.event_type !== POST_EVENT_TYPE) return false;
  if (!((self.userId && m.user === self.userId) || (self.botId && m.bot_id === self.botId))) return false;
  const p = m.metadata.event_payload as Partial<PostMetadata['event_payload']> | undefined;
  return p?.incident === tag.incident && p.kind === tag.kind && (tag.subject === undefined || p.subject === tag.subject);
}
