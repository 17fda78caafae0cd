import { startDiagbotProcess, type DiagbotProcess } from '../../helpers/diagbot-process.js';

/** The worker role's /healthz, /readyz, /metrics port, from its 'health listening' log line. */
export function healthUrl(p: DiagbotProcess): string {
  const line = p.logs.find((l) => l.msg === 'health listening');
  if (!line) throw new Error(`diagbot ${p.role} (pid ${p.pid}) logged no health port`);
  return `http://127.0.0.1:${String(line.port)}`;
}

export { sample, sampleSum } from '../../helpers/prom-text.js';

export async function metricsOf(baseUrl: string): Promise<string> {
  const r = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (r.status !== 200) throw new Error(`/metrics answered ${r.status}`);
  return r.text();
}

export async function stopAll(procs: DiagbotProcess[]): Promise<void> {
  await Promise.all(procs.map((p) => p.stop('SIGTERM', 15_000).catch(() => undefined)));
}

export { startDiagbotProcess, type DiagbotProcess };
