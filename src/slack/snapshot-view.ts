import type { HostReportInput, IncidentView, ResourceRef } from '../core/report/index.js';
import type { RootCause } from '../core/types.js';
import type { DiagnosisState, SyncSnapshot } from '../db/sync-store.js';
import type { ActionView } from './render/render-actions.js';
import type { VerificationView } from './render/render-verification.js';

/** The newest diagnosis of each host (re-runs replace the first), in the order hosts first appeared. */
export function latestPerHost<T extends { host: string; id: number }>(diagnoses: T[]): T[] {
  const latest = new Map<string, T>();
  for (const d of diagnoses) {
    const prev = latest.get(d.host);
    if (!prev || d.id > prev.id) latest.set(d.host, d);
  }
  return [...latest.values()];
}

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
    hosts: latestPerHost(s.diagnoses).map((d) => {
      // `resources` is added to the stored result by the diagnose job (jobs/diagnose.ts).
      const r = d.result as (Partial<HostReportInput> & { resources?: ResourceRef[] }) | null;
      return {
        host: d.host, state: d.state, rootCause: (r?.rootCause as RootCause | null | undefined) ?? null,
        reachable: d.reachable, error: d.error ?? r?.error ?? null, durationMs: d.durationMs,
        ...(Array.isArray(r?.resources) ? { resources: r.resources } : {}),
      };
    }),
  };
}

const REMEDIATIONS = new Set(['rollback', 'kill_idle_connections']);
const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function actionView(a: SyncSnapshot['actions'][number]): ActionView {
  const summary = typeof a.result?.summary === 'string' ? a.result.summary : null;
  return {
    id: a.id, kind: a.kind as ActionView['kind'], host: a.host, state: a.state, params: a.params,
    startedBy: a.startedBy, startedAt: iso(a.startedAt), finishedAt: iso(a.finishedAt), expiresAt: iso(a.expiresAt)!,
    summary, audit: a.audit,
  };
}

export const isFinal = (state: string) => state === 'succeeded' || state === 'failed' || state === 'skipped' || state === 'unknown';

/** The remediation offers made on one diagnosis, as the renderer sees them. */
export function offersFor(s: SyncSnapshot, diagnosisId: number): ActionView[] {
  return s.actions.filter((a) => a.diagnosisId === diagnosisId && REMEDIATIONS.has(a.kind)).map(actionView);
}

/** For a check after a remediation: the action, and the diagnosis it was offered on. */
export function verificationFor(s: SyncSnapshot, d: DiagnosisState): VerificationView | null {
  if (d.trigger !== 'after_action' || !d.actionId) return null;
  const action = s.actions.find((a) => a.id === d.actionId);
  if (!action || !REMEDIATIONS.has(action.kind)) return null;
  const origin = s.diagnoses.find((x) => x.id === action.diagnosisId);
  const figures = (r: unknown) => ((r as Partial<HostReportInput> | null)?.figures ?? null);
  return {
    action: actionView(action),
    before: { figures: figures(origin?.result ?? null), rootCategory: origin?.rootCategory ?? null },
    after: { figures: figures(d.result), rootCategory: d.rootCategory, reachable: d.reachable !== false },
  };
}
