// The workspace the fake Slack serves: channels, users, messages with threads and edit history.
import type { FakeChannel, FakeEphemeral, FakeMessage, FakeSlackOptions, FakeUser, JsonObject } from './fake-slack-types.js';

export const DEFAULT_CHANNELS: readonly FakeChannel[] = [
  { id: 'C_ALERTS', name: 'alerts' },
  { id: 'C_INCIDENT', name: 'incident' },
  { id: 'C_GENERAL', name: 'general' },
  { id: 'C_NOT_MEMBER', name: 'random', botMember: false },
  { id: 'G_PRIVATE', name: 'ops-private', isPrivate: true },
  { id: 'C_ARCHIVED', name: 'old-incidents', archived: true },
];

export const DEFAULT_USERS: readonly FakeUser[] = [
  { id: 'U_ALICE', name: 'alice', realName: 'Alice Oncall', tz: 'Europe/Berlin', email: 'alice@example.test' },
  { id: 'U_BOB', name: 'bob', realName: 'Bob Builder', tz: 'America/New_York', email: 'bob@example.test' },
];

/** Identity the fake answers with; Required so handlers need no fallbacks. */
export type FakeIdentity = Required<Pick<FakeSlackOptions, 'botToken' | 'teamId' | 'teamDomain' | 'botUserId' | 'botId' | 'appId'>>;

export function identityFrom(opts: FakeSlackOptions): FakeIdentity {
  return {
    botToken: opts.botToken ?? 'xoxb-test-token', teamId: opts.teamId ?? 'T_TEST', teamDomain: opts.teamDomain ?? 'diagbot-test',
    botUserId: opts.botUserId ?? 'U_BOT', botId: opts.botId ?? 'B_BOT', appId: opts.appId ?? 'A_DIAGBOT',
  };
}

export class FakeSlackState {
  readonly channels = new Map<string, FakeChannel>();
  readonly users = new Map<string, FakeUser>();
  readonly usergroups = new Map<string, string[]>();
  readonly ephemerals: FakeEphemeral[] = [];
  readonly views: JsonObject[] = [];
  /** response_url id → posts made to it, for the use limit. */
  readonly responseUrlUses = new Map<string, number>();
  private readonly topLevel = new Map<string, FakeMessage[]>();
  private readonly byKey = new Map<string, FakeMessage>();
  // Survives reset() so a ts is never handed out twice by one fake.
  private lastMicros = 0;

  constructor(private readonly opts: FakeSlackOptions, private readonly identity: FakeIdentity) {
    this.reset();
  }

  reset(): void {
    this.channels.clear();
    this.users.clear();
    this.usergroups.clear();
    this.topLevel.clear();
    this.byKey.clear();
    this.ephemerals.length = 0;
    this.views.length = 0;
    this.responseUrlUses.clear();
    for (const c of this.opts.channels ?? DEFAULT_CHANNELS) this.channels.set(c.id, structuredClone(c));
    for (const u of this.opts.users ?? DEFAULT_USERS) this.users.set(u.id, structuredClone(u));
    this.users.set(this.identity.botUserId, { id: this.identity.botUserId, name: 'diagbot', realName: 'diagbot', isBot: true });
    for (const [id, members] of Object.entries(this.opts.usergroups ?? { S_ONCALL: ['U_ALICE', 'U_BOB'] })) {
      this.usergroups.set(id, [...members]);
    }
  }

  /** Slack ts: "<unix seconds>.<6-digit sequence>", strictly increasing and unique like Slack's own. */
  nextTs(): string {
    this.lastMicros = Math.max(this.lastMicros + 1, Date.now() * 1000);
    return `${Math.floor(this.lastMicros / 1e6)}.${String(this.lastMicros % 1e6).padStart(6, '0')}`;
  }

  /** Slack accepts a channel id, a name, or "#name" for chat methods. */
  resolveChannel(ref: string): FakeChannel | undefined {
    const byId = this.channels.get(ref);
    if (byId) return byId;
    const name = ref.replace(/^#/, '');
    return [...this.channels.values()].find((c) => c.name === name);
  }

  find(channel: string, ts: string): FakeMessage | undefined {
    return this.byKey.get(`${channel}/${ts}`);
  }

  add(msg: FakeMessage): FakeMessage {
    const parent = msg.thread_ts === undefined ? undefined : this.find(msg.channel, msg.thread_ts);
    if (parent) parent.replies.push(msg);
    else {
      const list = this.topLevel.get(msg.channel) ?? [];
      list.push(msg);
      this.topLevel.set(msg.channel, list);
    }
    this.byKey.set(`${msg.channel}/${msg.ts}`, msg);
    return msg;
  }

  /** Deleting a parent drops its thread with it (Slack leaves a tombstone instead when replies exist). */
  remove(msg: FakeMessage): void {
    const parent = msg.thread_ts === undefined ? undefined : this.find(msg.channel, msg.thread_ts);
    const list = parent ? parent.replies : this.topLevel.get(msg.channel) ?? [];
    const i = list.indexOf(msg);
    if (i >= 0) list.splice(i, 1);
    for (const m of [msg, ...msg.replies]) this.byKey.delete(`${m.channel}/${m.ts}`);
  }

  /** Copies, so a test holding a snapshot sees it unchanged by later calls. */
  messages(channel: string): FakeMessage[] {
    return structuredClone(this.topLevel.get(channel) ?? []);
  }
}
