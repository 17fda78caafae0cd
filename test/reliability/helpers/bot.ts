import { startDiagbotProcess, type DiagbotProcess } from '../../helpers/diagbot-process.js';

/** The worker role's /healthz, /readyz, /metrics port, from its 'health listening' log line. */
export function healthUrl(p: DiagbotProcess): string {
  const line = p.logs.find((l) => l.msg === 'health listening');
  if (!line) throw new Error(`diagbot ${p.role} (pid ${p.pid}) logged no health port`);
  return `http://127.0.0.1:${String(line.port)}`;
}

/** Prometheus text → value of one series (labels must match exactly), or undefined. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = (m[2] ?? '').split(',').filter(Boolean);
    if (have.length === want.length && want.every((w) => have.includes(w))) return Number(m[3]);
  }
  return undefined;
}

/** Sum of every series of `name` whose labels include `labels`. */
export function sampleSum(text: string, name: string, labels: Record<string, string> = {}): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = (m[2] ?? '').split(',').filter(Boolean);
    if (want.every((w) => have.includes(w))) sum += Number(m[3]);
  }
  return sum;
}

export async function metricsOf(baseUrl: string): Promise<string> {
  const r = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (r.status !== 200) throw new Error(`/metrics answered ${r.status}`);
  return r.text();
}

export async function stopAll(procs: DiagbotProcess[]): Promise<void> {
  await Promise.all(procs.map((p) => p.stop('SIGTERM', 15_000).catch(() => undefined)));
}

export { startDiagbotProcess, type DiagbotProcess };
