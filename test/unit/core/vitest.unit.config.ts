import { defineConfig } from 'vitest/config';

// Unit tests of the pure core need no lab: this config leaves out the lab's globalSetup.
export default defineConfig({
  test: {
    include: ['test/unit/core/**/*.test.ts'],
    testTimeout: 10_000,
  },
});
