import { readFileSync } from 'node:fs';

/** A file at the repository root, as text. */
export function repoFile(path: string): string {
  return readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');
}

/** The keys `.env.example` documents (`KEY=` lines). */
export function envExampleKeys(): Set<string> {
  return new Set(repoFile('.env.example').split('\n').map((l) => /^([A-Z][A-Z0-9_]*)=/.exec(l)?.[1]).filter((k): k is string => !!k));
}

/** The value `.env.example` gives a key. */
export function envExampleValue(key: string): string | undefined {
  return repoFile('.env.example').split('\n').find((l) => l.startsWith(`${key}=`))?.slice(key.length + 1);
}

export interface DockerInstruction { op: string; args: string; line: number }
export interface DockerStage { from: string; name: string | null; instructions: DockerInstruction[] }

/**
 * A Dockerfile as stages of instructions: comments dropped, `\` continuations joined. Enough to
 * assert on, not a full parser (no heredocs, no escape directive).
 */
export function parseDockerfile(text: string): { preamble: DockerInstruction[]; stages: DockerStage[] } {
  const preamble: DockerInstruction[] = [];
  const stages: DockerStage[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.trim();
    const at = i + 1;
    if (line === '' || line.startsWith('#')) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) {
      line = line.slice(0, -1).trimEnd();
      const next = lines[++i]!.trim();
      if (!next.startsWith('#')) line += ` ${next}`;
    }
    const m = /^(\S+)\s*(.*)$/.exec(line)!;
    const ins = { op: m[1]!.toUpperCase(), args: m[2]!, line: at };
    if (ins.op === 'FROM') {
      const from = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      stages.push({ from: from?.[1] ?? ins.args, name: from?.[2] ?? null, instructions: [] });
    } else if (stages.length === 0) {
      preamble.push(ins);
    } else {
      stages[stages.length - 1]!.instructions.push(ins);
    }
  }
  return { preamble, stages };
}

/** The argv of an exec-form (JSON array) instruction argument, or null for shell form. */
export function execForm(args: string): string[] | null {
  try {
    const v = JSON.parse(args) as unknown;
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : null;
  } catch {
    return null;
  }
}
