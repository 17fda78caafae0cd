// What a long-running host's app log already holds when trouble is looked for: yesterday's
// incident, stack traces and all, in the same file. Old errors must not read as today's.

export function yesterdaysIncident(now = Date.now()): string {
  const at = (hoursAgo: number, s: number) => new Date(now - hoursAgo * 3600_000 + s * 1000).toISOString();
  const lines: string[] = [];
  for (let i = 0; i < 12; i++) {
    lines.push(`${at(20, i)} ERROR [shop] GET /api/orders failed: TypeError: Cannot read properties of undefined (reading 'id')`,
      '    at /srv/app/releases/20261101000000/routes.cjs:6:50',
      `${at(20, i)} ERROR [shop] GET /api/stock failed: Error: connect ECONNREFUSED 10.0.3.30:5432`,
      `${at(20, i)} ERROR [shop] POST /api/uploads failed: Error: ENOSPC: no space left on device, write`,
      `${at(20, i)} ERROR [shop] GET /api/orders failed: Error: timeout exceeded when trying to connect`);
  }
  lines.push(`${at(19, 0)} INFO [shop] incident over: all checks green`);
  return `${lines.join('\n')}\n`;
}
