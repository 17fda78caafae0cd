import { describeTarget } from '../parsers/nginx-upstreams.js';
import type { AppLogChoice } from './choose-logs.js';
import type { AppLogSearch } from './plan-app-logs.js';

// What the report says about the application layer's sources: each log read and how it was
// found, the app process behind nginx, the upstreams that live on other hosts, and why nothing
// was read when nothing was.

export interface AppSources {
  /** The inventory's app.logPaths when they replaced discovery. */
  override: string[] | null;
  files: Array<{ target: string; how: string }>;
  journals: Array<{ target: string; how: string }>;
  skipped: string[];
  services: Array<{ entry: string; via: string; pid: number | null; comm: string | null; unit: string | null }>;
  /** nginx upstreams on other machines: named (with the inventory host, if any), never contacted. */
  remote: Array<{ target: string; peer: string | null; directive: string; where: string }>;
  /** Local upstream targets nothing listens on. */
  down: string[];
  fdBlind: boolean;
  notes: string[];
}

export function describeAppSources(search: AppLogSearch, choice: AppLogChoice, globs: readonly string[], probed: boolean): AppSources {
  const d = search.discovery;
  const services = (d?.services ?? []).map((s) => {
    const l = s.members.find((m) => m.role === 'listener');
    return { entry: s.entry, via: s.via, pid: s.listenerPid, comm: l?.comm ?? null, unit: s.unit };
  });
  const remote = (d?.remote ?? []).map((r) => ({ target: r.text, peer: r.peer, directive: r.target.directive, where: r.target.where }));
  const down = (d?.down ?? []).map((t) => describeTarget(t));
  const notes = [...search.notes];
  const out: AppSources = { override: globs.length > 0 ? [...globs] : null, files: [], journals: [], skipped: [], services, remote, down, fdBlind: d?.fdBlind ?? false, notes };
  for (const t of down) notes.push(`nothing listens on ${t}, where nginx sends requests: the app behind it is down or listens elsewhere`);
  if (out.override) return out;
  if (!probed) {
    if (search.probes.length > 0) notes.push('app logs were not searched (the log probe did not run)');
    return out;
  }
  out.files = choice.files.map((f) => ({ target: f.target, how: f.how }));
  out.journals = choice.journals.map((j) => ({ target: j.target, how: j.how }));
  out.skipped = choice.skipped;
  return out;
}

/** One line for the "checked" list: what was read and how it was found, or why nothing was. */
export function describeAppLogCoverage(src: AppSources, lines: number | null): { checked: boolean; detail: string } {
  if (src.override) {
    return lines !== null
      ? { checked: true, detail: `${lines} lines from the inventory's app.logPaths (${src.override.join(' ')})` }
      : { checked: false, detail: `no app log found at the inventory's app.logPaths (${src.override.join(' ')})` };
  }
  const read = [...src.files, ...src.journals].map((f) => `${f.target} (${f.how})`);
  if (read.length > 0) return { checked: true, detail: `${read.length} source(s)${lines !== null ? `, ${lines} lines` : ''}: ${read.join('; ')}` };
  if (src.services.length === 0 && src.remote.length > 0) {
    const where = src.remote.map((r) => `${r.target}${r.peer ? ` (${r.peer})` : ''}`).join(', ');
    return { checked: false, detail: `no app runs here: nginx sends requests to ${where}` };
  }
  if (src.services.length > 0) {
    const apps = src.services.map((s) => `${s.comm ?? 'process'}${s.pid !== null ? ` pid ${s.pid}` : ''} on ${s.entry}`).join(', ');
    return { checked: false, detail: `no log found for ${apps}: it holds no log file open, its stdout is not a file, and none of its conventional log places exist` };
  }
  if (src.down.length > 0) return { checked: false, detail: `no app listening on ${src.down.join(', ')}` };
  return { checked: false, detail: 'no application process found (no nginx upstream led to one and nothing else listens)' };
}
