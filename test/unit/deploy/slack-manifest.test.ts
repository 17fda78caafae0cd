import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoFile } from './repo-files.js';

interface Manifest {
  display_information: { name: string };
  features: { bot_user?: { display_name: string }; slash_commands: { command: string; url: string; usage_hint?: string; description: string }[] };
  oauth_config: { scopes: { bot: string[]; user?: string[] } };
  settings: { interactivity: { is_enabled: boolean; request_url: string }; socket_mode_enabled: boolean; event_subscriptions?: unknown; token_rotation_enabled?: boolean };
}

const text = repoFile('slack-app-manifest.yaml');
const manifest = parse(text) as Manifest;
const SCOPES = ['channels:history', 'chat:write', 'commands', 'groups:history', 'usergroups:read'];

/** Bot scope each Slack Web API method diagbot may call needs (null: none). */
const METHOD_SCOPE: Record<string, string | null> = {
  'chat.postMessage': 'chat:write', 'chat.update': 'chat:write', 'chat.postEphemeral': 'chat:write', 'chat.delete': 'chat:write',
  'usergroups.users.list': 'usergroups:read', 'usergroups.list': 'usergroups:read', 'auth.test': null, 'views.open': null,
  // The lost-post lookup (channels:history; groups:history for private channels), optional.
  'conversations.history': 'channels:history', 'conversations.replies': 'channels:history',
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Slack Web API methods named in src/ and jobs/: `web.chat.update(` calls and 'chat.update' strings. */
function calledMethods(): Set<string> {
  const families = 'chat|usergroups|conversations|users|views|reactions|files|pins|bookmarks|team|auth|apps|reminders|dnd|emoji|search';
  const call = new RegExp(`\\b(?:web|client)\\.((?:${families})\\.[a-zA-Z]+(?:\\.[a-zA-Z]+)?)\\(`, 'g');
  const literal = new RegExp(`['"\`]((?:${families})\\.[a-zA-Z]+(?:\\.[a-zA-Z]+)?)['"\`]`, 'g');
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const found = new Set<string>();
  for (const file of [...sourceFiles(join(root, 'src')), ...sourceFiles(join(root, 'jobs'))]) {
    const code = readFileSync(file, 'utf8');
    for (const m of [...code.matchAll(call), ...code.matchAll(literal)]) found.add(m[1]!);
  }
  return found;
}

describe('slack-app-manifest.yaml', () => {
  it('asks for exactly the bot scopes diagbot needs, and no user scopes', () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(SCOPES);
    expect(manifest.oauth_config.scopes.user ?? []).toEqual([]);
  });

  it('covers every Slack method the code calls (a new call needs a scope decision here)', () => {
    const methods = calledMethods();
    expect(methods.size).toBeGreaterThan(0);
    for (const m of methods) {
      expect(Object.keys(METHOD_SCOPE), `${m}: add it to METHOD_SCOPE and, if it needs one, its scope to the manifest`).toContain(m);
      const scope = METHOD_SCOPE[m];
      if (scope) expect(manifest.oauth_config.scopes.bot, m).toContain(scope);
    }
  });

  it('justifies each scope and names the ones left out on purpose', () => {
    const lines = text.split('\n');
    for (const scope of SCOPES) {
      const at = lines.findIndex((l) => l.trim() === `- ${scope}`);
      expect(at, scope).toBeGreaterThan(0);
      expect(lines[at - 1]!.trim(), `comment above ${scope}`).toMatch(/^# \S/);
    }
    for (const absent of ['chat:write.public', 'im:history']) {
      expect(lines.some((l) => l.trim().startsWith('#') && l.includes(absent)), absent).toBe(true);
    }
  });

  it('sends /diagnose and button clicks to /slack/events over HTTPS, where diagbot listens', () => {
    const commands = manifest.features.slash_commands;
    expect(commands.map((c) => c.command)).toEqual(['/diagnose']);
    const diagnose = commands[0]!;
    expect(diagnose.usage_hint).toMatch(/HOST/);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    const receiverPath = /endpoints:\s*'([^']+)'/.exec(repoFile('src/service/web.ts'))?.[1];
    expect(receiverPath).toBe('/slack/events');
    for (const url of [diagnose.url, manifest.settings.interactivity.request_url]) {
      const u = new URL(url);
      expect(u.protocol).toBe('https:');
      expect(u.pathname).toBe(receiverPath);
    }
  });

  it('subscribes to no events, uses HTTP mode by default and a non-rotating token', () => {
    expect(manifest.settings.event_subscriptions).toBeUndefined();
    expect(manifest.settings.socket_mode_enabled).toBe(false);
    expect(manifest.settings.token_rotation_enabled).toBe(false);
    expect(manifest.features.bot_user?.display_name).toMatch(/^[a-z0-9._-]+$/);
    expect(manifest.display_information.name.length).toBeLessThanOrEqual(35);
  });
});
