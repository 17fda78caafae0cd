import { setTimeout as sleep } from 'node:timers/promises';
import { alertmanagerPayload, type AlertStatus, type Labels } from '../../helpers/alert-payloads.js';

// An Alertmanager-like load generator: many alert groups starting over time, each delivery
// carrying the group's current alerts (so most deliveries repeat alerts already sent), single
// alerts resolving inside firing groups, whole groups resolving, and 503s retried after their
// Retry-After as Alertmanager does. Deliveries of one group may overlap (two at most, as from an
// HA pair), but a group's content only changes while none of its deliveries is in flight, so
// arrival order never matters.

export interface StormConfig {
  url: string;
  token: string;
  /** Makes alert names unique per test: `Storm-<runId>-g007`. */
  runId: string;
  ratePerSec: number;
  durationMs: number;
  groups: number;
  alertsPerGroup: number;
  /** This many groups also name `healthyHost` (an inventory host), so each gets one diagnosis. */
  healthyGroups: number;
  healthyHost: string;
  /** This many groups resolve during the storm (and are only re-sent as resolved afterwards). */
  resolveGroups: number;
  partialResolveProb?: number;
  /** Groups start firing over this fraction of the storm (default 0.3). */
  startSpread?: number;
  /**
   * Deliveries of one group open at once (default 2): Alertmanager sends a group's notifications
   * one after another, and an HA pair sends each one twice.
   */
  maxPerGroup?: number;
  maxInFlight?: number;
  /** Retry 503s and network errors until this long after the first attempt (default 60 s). */
  retryForMs?: number;
  requestTimeoutMs?: number;
}

export interface StormAlert { labels: Labels; startsAt: string; endsAt?: string; status: AlertStatus }

export interface StormGroup {
  name: string;
  groupKey: string;
  alerts: StormAlert[];
  startAt: number;
  resolveAt: number | null;
  namesHealthy: boolean;
  state: 'pending' | 'firing' | 'resolved';
  inflight: number;
  deliveries: number;
}

/** One HTTP attempt: when (ms since the storm began), how long, what came back. */
export interface Attempt { t: number; ms: number; status: number; retryAfter: string | null; retry: boolean }

export interface StormResult {
  groups: StormGroup[];
  attempts: Attempt[];
  /** Deliveries begun by the generator (first attempts). */
  deliveries: number;
  /** Deliveries that ended 2xx (possibly after retries). */
  delivered: number;
  /** Deliveries never answered 2xx within retryForMs. */
  gaveUp: number;
  /** Ticks the generator skipped because maxInFlight deliveries were open. */
  shed: number;
  /** Every alert of every 2xx-answered delivery: `${fingerprint}|${startsAt}` → status last acknowledged. */
  accepted: Map<string, AlertStatus>;
  alertsInAccepted: number;
  startedAt: number;
  sendMs: number;
  totalMs: number;
}

export interface Storm {
  /** ms since the storm began. */
  elapsed(): number;
  done: Promise<StormResult>;
}

function rand(n: number): number { return Math.floor(Math.random() * n); }

export function alertKey(fingerprint: string, startsAt: string): string { return `${fingerprint}|${startsAt}`; }

export function startStorm(cfg: StormConfig): Storm {
  const t0 = Date.now();
  const spread = cfg.startSpread ?? 0.3;
  const maxPerGroup = cfg.maxPerGroup ?? 2;
  const pPartial = cfg.partialResolveProb ?? 0.02;
  const maxInFlight = cfg.maxInFlight ?? 128;
  const retryForMs = cfg.retryForMs ?? 60_000;
  const baseStart = new Date(t0 - 600_000);
  const healthyEvery = cfg.healthyGroups > 0 ? Math.max(1, Math.floor(cfg.groups / cfg.healthyGroups)) : Infinity;
  const groups: StormGroup[] = Array.from({ length: cfg.groups }, (_, i) => {
    const name = `Storm-${cfg.runId}-g${String(i).padStart(3, '0')}`;
    const namesHealthy = i % healthyEvery === 0 && Math.floor(i / healthyEvery) < cfg.healthyGroups;
    const alerts = Array.from({ length: cfg.alertsPerGroup }, (_, k): StormAlert => ({
      labels: {
        alertname: name, instance: `ghost-${cfg.runId}-${i}-${k}.example:9100`, severity: k === 0 ? 'critical' : 'warning', job: 'storm',
        ...(namesHealthy && k === 0 ? { host: cfg.healthyHost } : {}),
      },
      startsAt: new Date(baseStart.getTime() + i * 1000 + k).toISOString(),
      status: 'firing',
    }));
    return { name, groupKey: `{}/{job="storm"}:{alertname="${name}"}`, alerts, startAt: Math.round((i / cfg.groups) * spread * cfg.durationMs),
      resolveAt: null, namesHealthy, state: 'pending', inflight: 0, deliveries: 0 };
  });
  // Resolving groups: spread over the ones that start early enough to fire for a while first.
  const resolvable = groups.filter((g) => g.startAt < cfg.durationMs * 0.6);
  for (let i = 0; i < Math.min(cfg.resolveGroups, resolvable.length); i++) {
    const g = resolvable[Math.floor((i * resolvable.length) / Math.min(cfg.resolveGroups, resolvable.length))]!;
    g.resolveAt = g.startAt + Math.round(cfg.durationMs * 0.1) + rand(Math.max(1, Math.round(cfg.durationMs * 0.85) - g.startAt - Math.round(cfg.durationMs * 0.1)));
  }

  const attempts: Attempt[] = [];
  const accepted = new Map<string, AlertStatus>();
  let deliveries = 0;
  let delivered = 0;
  let gaveUp = 0;
  let shed = 0;
  let inflight = 0;
  let alertsInAccepted = 0;
  const open = new Set<Promise<void>>();
  const elapsed = () => Date.now() - t0;

  async function deliver(g: StormGroup): Promise<void> {
    const snapshot = g.alerts.map((a) => ({ ...a, labels: { ...a.labels } }));
    const status: AlertStatus = snapshot.some((a) => a.status === 'firing') ? 'firing' : 'resolved';
    const body = JSON.stringify(alertmanagerPayload({ status, receiver: 'diagbot', groupKey: g.groupKey, groupBy: ['alertname'],
      alerts: snapshot.map((a) => ({ labels: a.labels, startsAt: a.startsAt, status: a.status, ...(a.endsAt ? { endsAt: a.endsAt } : {}) })) }));
    const keys = (JSON.parse(body) as { alerts: { fingerprint: string; startsAt: string; status: AlertStatus }[] }).alerts;
    const first = Date.now();
    let retry = false;
    for (;;) {
      const start = Date.now();
      let code = 0;
      let retryAfter: string | null = null;
      try {
        const res = await fetch(`${cfg.url}/webhooks/alertmanager`, {
          method: 'POST', body, signal: AbortSignal.timeout(cfg.requestTimeoutMs ?? 15_000),
          headers: { 'content-type': 'application/json', authorization: `Bearer ${cfg.token}` },
        });
        await res.arrayBuffer();
        code = res.status;
        retryAfter = res.headers.get('retry-after');
      } catch {
        code = 0;
      }
      attempts.push({ t: start - t0, ms: Date.now() - start, status: code, retryAfter, retry });
      if (code >= 200 && code < 300) {
        delivered += 1;
        for (const a of keys) accepted.set(alertKey(a.fingerprint, a.startsAt), a.status);
        alertsInAccepted += keys.length;
        return;
      }
      if ((code !== 503 && code !== 0) || Date.now() - first > retryForMs) {
        gaveUp += 1;
        return;
      }
      // As Alertmanager: the delivery is retried after the server's Retry-After (1 s after a network error).
      retry = true;
      await sleep(code === 503 ? Math.max(1, Number(retryAfter ?? 5)) * 1000 : 1000);
    }
  }

  function resolveGroup(g: StormGroup): void {
    const endsAt = new Date().toISOString();
    for (const a of g.alerts) if (a.status === 'firing') { a.status = 'resolved'; a.endsAt = endsAt; }
    g.state = 'resolved';
  }

  function launch(g: StormGroup): void {
    g.inflight += 1;
    g.deliveries += 1;
    inflight += 1;
    deliveries += 1;
    const p = deliver(g).finally(() => { g.inflight -= 1; inflight -= 1; open.delete(p); });
    open.add(p);
  }

  /** Picks a group that may send now, applying a due state change only while none of its deliveries is open. */
  function tick(now: number): void {
    if (inflight >= maxInFlight) { shed += 1; return; }
    for (const g of groups) if (g.state === 'pending' && now >= g.startAt) g.state = 'firing';
    const live = groups.filter((g) => g.state !== 'pending');
    for (let tries = 0; tries < 8 && live.length > 0; tries++) {
      const g = live[rand(live.length)]!;
      if (g.inflight >= maxPerGroup) continue;
      // A group resolves only after it was sent firing at least once.
      if (g.state === 'firing' && g.resolveAt !== null && now >= g.resolveAt && g.deliveries > 0) {
        if (g.inflight > 0) continue;
        resolveGroup(g);
      } else if (g.state === 'firing' && g.inflight === 0 && Math.random() < pPartial) {
        const firing = g.alerts.filter((a) => a.status === 'firing');
        // Keep the group firing: never resolve its last firing alert (nor the one naming a host).
        const candidates = firing.filter((a) => !a.labels.host);
        if (firing.length >= 2 && candidates.length > 0) {
          const a = candidates[rand(candidates.length)]!;
          a.status = 'resolved';
          a.endsAt = new Date().toISOString();
        }
      }
      launch(g);
      return;
    }
    shed += 1;
  }

  const done = (async (): Promise<StormResult> => {
    let ticks = 0;
    while (elapsed() < cfg.durationMs) {
      const due = Math.floor((elapsed() * cfg.ratePerSec) / 1000);
      while (ticks < due) { ticks += 1; tick(elapsed()); }
      await sleep(2);
    }
    const sendMs = elapsed();
    // Every planned resolve happens, even for a group the random picks missed at the end.
    for (const g of groups.filter((x) => x.state === 'firing' && x.resolveAt !== null)) {
      if (g.deliveries === 0) launch(g);
      while (g.inflight > 0) await sleep(20);
      resolveGroup(g);
      launch(g);
    }
    while (open.size > 0) await Promise.allSettled([...open]);
    return { groups, attempts, deliveries, delivered, gaveUp, shed, accepted, alertsInAccepted, startedAt: t0, sendMs, totalMs: elapsed() };
  })();
  return { elapsed, done };
}
