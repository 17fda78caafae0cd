// Reading series out of Prometheus text exposition, as a scraper would.

function series(text: string, name: string): { labels: string[]; value: number }[] {
  const out: { labels: string[]; value: number }[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (m && m[1] === name) out.push({ labels: (m[2] ?? '').split(',').filter(Boolean), value: Number(m[3]) });
  }
  return out;
}

const wanted = (labels: Record<string, string>) => Object.entries(labels).map(([k, v]) => `${k}="${v}"`);

/** Value of the one series of `name` whose labels are exactly `labels`, or undefined. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const want = wanted(labels);
  return series(text, name).find((s) => s.labels.length === want.length && want.every((w) => s.labels.includes(w)))?.value;
}

/** Sum of every series of `name` whose labels include `labels`. */
export function sampleSum(text: string, name: string, labels: Record<string, string> = {}): number {
  const want = wanted(labels);
  return series(text, name).filter((s) => want.every((w) => s.labels.includes(w))).reduce((n, s) => n + s.value, 0);
}
