import { defineConfig } from '@playwright/test';

// Debian's Chromium, never a downloaded browser: CI installs the `chromium` package (.ci/run).
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export default defineConfig({
  testDir: 'test/e2e',
  outputDir: 'test-results/playwright',
  reporter: [['list'], ['json', { outputFile: 'test-results/playwright.json' }]],
  // Each worker runs one Chromium and the core's crypto; two match the CI machine's two cores.
  workers: 2,
  fullyParallel: false,
  retries: 0,
  forbidOnly: true,
  // Scenarios generate RSA keys in the handlers; a minute is ample, and a hang still ends.
  timeout: 60_000,
  expect: { timeout: 10_000 },
  globalTimeout: 15 * 60_000,
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    viewport: { width: 1280, height: 860 },
    colorScheme: 'light',
  },
  projects: [
    {
      name: 'chromium',
      testIgnore: 'electron.spec.ts',
      use: {
        browserName: 'chromium',
        launchOptions: { executablePath: '/usr/bin/chromium', args: chromiumArgs },
      },
    },
    {
      name: 'electron',
      testMatch: 'electron.spec.ts',
    },
  ],
});
