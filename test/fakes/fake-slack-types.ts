// Shapes shared by the fake Slack server, its state and its callers.

export interface FakeChannel {
  id: string;
  name: string;
  isPrivate?: boolean;
  /** false: public channel → not_in_channel on posts; private channel → channel_not_found (Slack hides it). */
  botMember?: boolean;
  archived?: boolean;
  /** When set, chat.postEphemeral to a user outside this list answers user_not_in_channel. */
  members?: string[];
}

export interface FakeUser {
  id: string;
  name: string;
  realName?: string;
  tz?: string;
  isBot?: boolean;
  deleted?: boolean;
  email?: string;
}

export interface FakeSlackOptions {
  botToken?: string;
  /** The app-level token apps.connections.open accepts (Socket Mode). */
  appToken?: string;
  channels?: FakeChannel[];
  users?: FakeUser[];
  /** usergroup id (S...) → member user ids. */
  usergroups?: Record<string, string[]>;
  teamId?: string;
  teamDomain?: string;
  botUserId?: string;
  botId?: string;
  appId?: string;
  /**
   * What a reply to a thread_ts that is not a message in the channel does. Slack answers ok and posts it as a
   * top-level message without thread_ts ('unthread', the default); 'reject' answers thread_not_found instead.
   */
  unknownThread?: 'unthread' | 'reject';
  /** Bodies above this many bytes get HTTP 413. */
  maxBodyBytes?: number;
  latencyMs?: number;
  /**
   * Bot scopes the token holds (default: every scope the manifest lists, history included); a
   * history read without channels:history / groups:history answers missing_scope.
   */
  scopes?: string[];
  /** Slack lets a response_url be used this many times. */
  responseUrlUses?: number;
}

export interface FakeEdit { at: number; text: string; blocks?: unknown[] }

export interface FakeMessage {
  type: 'message';
  channel: string;
  ts: string;
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
  metadata?: unknown;
  user: string;
  bot_id?: string;
  thread_ts?: string;
  reply_broadcast?: boolean;
  /** Set on a reply whose thread_ts named no message, which Slack posted top-level instead. */
  unthreadedFrom?: string;
  replies: FakeMessage[];
  /** Earlier versions, oldest first; the message itself holds the current text/blocks. */
  edits: FakeEdit[];
}

export interface FakeEphemeral { channel: string; user: string; message_ts: string; text: string; blocks?: unknown[]; thread_ts?: string }

export interface FakeCall {
  /** Web API method name, or 'response_url' for posts to fake.responseUrl(id). */
  method: string;
  /** Parsed arguments: form fields as strings, JSON-valued fields (blocks, attachments, view, metadata) parsed. */
  body: Record<string, unknown>;
  /** The response_url id for method 'response_url'. */
  responseUrlId?: string;
  contentType: string;
  token?: string;
  at: number;
  /** HTTP status answered; 0 when the client went away before the request was complete. */
  status: number;
  /** The JSON answered, or the text for non-JSON answers (HTTP 5xx faults, 404s). */
  response: unknown;
}

export type JsonObject = Record<string, unknown>;
