import { describe, expect, it } from 'vitest';
import { createMetrics, type JobCounts } from '../../../src/metrics/metrics.js';
import { sample } from '../../helpers/prom-text.js';


const COUNTS: JobCounts = {
  diagnose: { waiting: 3, active: 2, delayed: 1, failed: 0, completed: 40 },
  'slack-sync': { waiting: 0, active: 1, delayed: 4, failed: 2, completed: 90 },
};

describe('queue job gauges', () => {
  it('reports every queue and state read at scrape time, with one read per scrape', async () => {
    let reads = 0;
    const m = createMetrics({ jobCounts: async () => { reads += 1; return COUNTS; } });
    const text = await m.registry.metrics();
    expect(reads).toBe(1);
    expect(sample(text, 'diagbot_queue_jobs', { queue: 'diagnose', state: 'waiting' })).toBe(3);
    expect(sample(text, 'diagbot_queue_jobs', { queue: 'diagnose', state: 'completed' })).toBe(40);
    expect(sample(text, 'diagbot_queue_jobs', { queue: 'slack-sync', state: 'delayed' })).toBe(4);
    expect(sample(text, 'diagbot_queue_jobs', { queue: 'slack-sync', state: 'failed' })).toBe(2);
    expect(sample(text, 'diagbot_queue_jobs_up')).toBe(1);
    await m.registry.metrics();
    expect(reads).toBe(2);
  });

  it('answers within its timeout when Redis hangs, without stale counts', async () => {
    let hang = false;
    const m = createMetrics({ jobCountsTimeoutMs: 300, jobCounts: () => (hang ? new Promise<JobCounts>(() => undefined) : Promise.resolve(COUNTS)) });
    expect(sample(await m.registry.metrics(), 'diagbot_queue_jobs', { queue: 'diagnose', state: 'active' })).toBe(2);
    hang = true;
    const started = performance.now();
    const text = await m.registry.metrics();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(sample(text, 'diagbot_queue_jobs_up')).toBe(0);
    // The last good counts are not reported as if they were current.
    expect(sample(text, 'diagbot_queue_jobs', { queue: 'diagnose', state: 'active' })).toBeUndefined();
    // The other metrics are still there.
    expect(text).toContain('diagbot_process_resident_memory_bytes');
  });

  it('reports 0 up when the read fails', async () => {
    const m = createMetrics({ jobCounts: () => Promise.reject(new Error('Connection is closed.')) });
    const text = await m.registry.metrics();
    expect(sample(text, 'diagbot_queue_jobs_up')).toBe(0);
    expect(text).not.toMatch(/^diagbot_queue_jobs\{/m);
  });

  it('without a source (CLI, tests) has no queue series at all', async () => {
    const text = await createMetrics().registry.metrics();
    expect(text).not.toMatch(/^diagbot_queue_jobs\{/m);
    expect(sample(text, 'diagbot_queue_jobs_up')).toBe(0);
  });
});

describe('SSH connect counter', () => {
  it('counts outcomes by reason', async () => {
    const m = createMetrics();
    m.sshConnects.inc({ outcome: 'ok' });
    m.sshConnects.inc({ outcome: 'ok' });
    m.sshConnects.inc({ outcome: 'no_banner' });
    const text = await m.registry.metrics();
    expect(sample(text, 'diagbot_ssh_connects_total', { outcome: 'ok' })).toBe(2);
    expect(sample(text, 'diagbot_ssh_connects_total', { outcome: 'no_banner' })).toBe(1);
  });
});
