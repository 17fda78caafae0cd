import type { HostReportInput, IncidentView } from '../core/report/index.js';
import type { RootCause } from '../core/types.js';
import type { SyncSnapshot } from '../db/sync-store.js';

/** What the renderer needs from the stored incident; results are stored HostResult JSON. */
export function snapshotView(s: SyncSnapshot): IncidentView {
  const i = s.incident;
  return {
    id: i.id, source: i.source, title: i.title, status: i.status, createdAt: i.createdAt, resolvedAt: i.resolvedAt,
    requestedBy: i.requestedBy, unmatchedHosts: i.unmatchedHosts, slackError: i.slackError,
    alerts: s.alerts.map((a) => ({
      name: a.name, status: a.status, labels: a.labels, startsAt: a.startsAt, endsAt: a.endsAt, generatorUrl: a.generatorUrl,
      summary: a.annotations.summary ?? a.annotations.description ?? a.annotations.message ?? null,
    })),
    hosts: s.diagnoses.map((d) => {
      const r = d.result as Partial<HostReportInput> | null;
      return {
        host: d.host, state: d.state, rootCause: (r?.rootCause as RootCause | null | undefined) ?? null,
        reachable: d.reachable, error: d.error ?? r?.error ?? null, durationMs: d.durationMs,
      };
    }),
  };
}
