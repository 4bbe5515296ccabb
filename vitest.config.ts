import { defineConfig } from 'vitest/config';

// `npm run fuzz` (CERTBENCH_FUZZ_RUNS set) draws one random seed for every fuzz file, here in the main process so
// that all workers inherit it, and prints it so a failure can be replayed (test/fuzz/README.md).
if (process.env.CERTBENCH_FUZZ_RUNS && !process.env.CERTBENCH_FUZZ_SEED) {
  process.env.CERTBENCH_FUZZ_SEED = String(Math.floor(Math.random() * 0x7fffffff));
  process.stdout.write(`certbench fuzz: ${process.env.CERTBENCH_FUZZ_RUNS} runs per property, seed ${process.env.CERTBENCH_FUZZ_SEED}; replay with CERTBENCH_FUZZ_SEED=${process.env.CERTBENCH_FUZZ_SEED} CERTBENCH_FUZZ_RUNS=${process.env.CERTBENCH_FUZZ_RUNS} npx vitest run test/fuzz\n`);
}

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/fuzz/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // RSA-4096 generation and the OpenSSL oracle are CPU-bound; two workers match the two cores.
    maxWorkers: 2,
  },
});
