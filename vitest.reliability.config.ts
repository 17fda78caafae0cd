import { defineConfig } from 'vitest/config';

// `npm run test:reliability`: failure-injection tests (alert storm, Redis and Postgres killed
// mid-storm, a worker SIGKILLed mid-diagnosis, Slack 429/500 runs, SSH faults). Not part of
// `npm test`: they take minutes and load the machine, so files run one at a time. They use the
// same real-host lab as the lab project (started or borrowed by the same global setup).
export default defineConfig({
  test: {
    name: 'reliability',
    include: ['test/reliability/**/*.test.ts'],
    globalSetup: ['test/lab/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 120_000,
    sequence: { shuffle: false },
  },
});
