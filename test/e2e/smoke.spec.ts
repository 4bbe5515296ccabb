import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, invokeInPage, screenshot, test } from './harness/bridge.js';
import { cspOf, repoRoot } from './harness/server.js';

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string };
const tabs = ['Keys', 'CSR', 'Inspect & Match', 'Export', 'Push'];

test('the built renderer loads offline with the five workbench tabs', async ({ page, rendererServer }) => {
  const offsite: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(rendererServer.url + '/')) offsite.push(r.url());
  });
  const response = await page.goto('/');
  // The server sends the CSP of the source index.html, the one Electron's window enforces.
  expect(response?.headers()['content-security-policy']).toBe(cspOf(readFileSync(join(repoRoot, 'src/renderer/index.html'), 'utf8')));

  for (const name of tabs) await expect(page.getByRole('tab', { name, exact: true })).toBeVisible();
  for (const name of [...tabs].reverse()) {
    const tab = page.getByRole('tab', { name, exact: true });
    await tab.click();
    await expect(tab).toHaveAttribute('aria-selected', 'true');
  }
  await page.getByRole('tab', { name: 'Keys', exact: true }).click();
  await screenshot(page, 'smoke');
  expect(offsite, 'requests that left the local renderer server').toEqual([]);
});

test('window.certbench answers through the bridge with the contract envelope', async ({ page, bench }) => {
  await page.goto('/');
  const channels = await page.evaluate(() => Object.keys((globalThis as unknown as { certbench: object }).certbench));
  expect(channels).toContain('app:info');
  expect(channels).toContain('format:build');

  const info = await invokeInPage(page, 'app:info', {});
  expect(info).toEqual({ ok: true, value: { name: pkg.name, version: pkg.version, platform: process.platform } });

  // The request is checked against the contract in dispatch, as in Electron's main process.
  const bad = await invokeInPage(page, 'app:info', { extra: 1 } as never);
  expect(bad.ok).toBe(false);
  if (!bad.ok) expect(bad.error.code).toBe('invalid-request');
  expect(bench.calls.map((c) => [c.channel, c.ok])).toEqual(expect.arrayContaining([['app:info', true], ['app:info', false]]));
});

test('the CSP blocks an inline script', async ({ page }) => {
  const cspErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && m.text().includes('Content Security Policy')) cspErrors.push(m.text());
  });
  await page.goto('/');
  const violation = await page.evaluate(
    () =>
      new Promise<{ directive: string; ran: boolean }>((resolve) => {
        type Doc = {
          addEventListener(t: string, f: (e: { effectiveDirective: string }) => void, o: { once: boolean }): void;
          createElement(t: string): { textContent: string };
          head: { appendChild(n: unknown): void };
        };
        const g = globalThis as unknown as { document: Doc; __inlineRan?: boolean };
        g.document.addEventListener(
          'securitypolicyviolation',
          (e) => resolve({ directive: e.effectiveDirective, ran: g.__inlineRan === true }),
          { once: true },
        );
        const script = g.document.createElement('script');
        script.textContent = 'globalThis.__inlineRan = true;';
        g.document.head.appendChild(script);
        // An inline script that is allowed runs synchronously on insertion; then no violation comes.
        if (g.__inlineRan === true) resolve({ directive: 'none', ran: true });
      }),
  );
  expect(violation).toEqual({ directive: 'script-src-elem', ran: false });
  expect(await page.evaluate(() => (globalThis as { __inlineRan?: boolean }).__inlineRan)).toBeUndefined();
  await expect.poll(() => cspErrors.length).toBeGreaterThan(0);
});
