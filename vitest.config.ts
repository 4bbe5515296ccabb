import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // RSA-4096 generation and the OpenSSL oracle are CPU-bound; two workers match the two cores.
    maxWorkers: 2,
  },
});
