import { _electron as electron, expect, test } from '@playwright/test';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Where `require('electron')` would point, found without calling it: electron 45 downloads its
 * binary on first require, and a test run must never reach the network.
 */
function electronBinary(): { path: string } | { reason: string } {
  let pkgDir: string;
  try {
    pkgDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return { reason: 'the electron package is not installed' };
  }
  const pathFile = join(pkgDir, 'path.txt');
  const name = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined;
  const override = process.env['ELECTRON_OVERRIDE_DIST_PATH'];
  if (override) return existsSync(join(override, name ?? 'electron')) ? { path: join(override, name ?? 'electron') } : { reason: `no electron in ELECTRON_OVERRIDE_DIST_PATH=${override}` };
  if (!name) return { reason: `node_modules/electron/path.txt is missing (the binary was never downloaded${process.env['ELECTRON_SKIP_BINARY_DOWNLOAD'] ? '; ELECTRON_SKIP_BINARY_DOWNLOAD is set' : ''})` };
  const bin = join(pkgDir, 'dist', name);
  return existsSync(bin) ? { path: bin } : { reason: `${bin} does not exist` };
}

test('the Electron app opens its window with context isolation and the preload API', async () => {
  const found = electronBinary();
  if (!('path' in found)) {
    test.skip(true, `Electron binary not available: ${found.reason}`);
    return;
  }
  if (process.platform === 'linux' && !process.env['DISPLAY'] && !process.env['WAYLAND_DISPLAY']) {
    test.skip(true, 'Electron binary present but no display to open its window on (DISPLAY and WAYLAND_DISPLAY unset)');
    return;
  }
  if (!existsSync(join(repoRoot, 'out/main/index.js'))) throw new Error('out/main/index.js is missing: run `npm run build` first.');

  const env = Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && e[0] !== 'ELECTRON_RENDERER_URL' && e[0] !== 'ELECTRON_RUN_AS_NODE'),
  );
  // Chromium refuses to run its sandbox as root; isolation (no require, no process) is still checked below.
  const args = process.getuid?.() === 0 ? ['.', '--no-sandbox'] : ['.'];
  const app = await electron.launch({ executablePath: found.path, args, cwd: repoRoot, env });
  try {
    const win = await app.firstWindow();
    await win.waitForLoadState('domcontentloaded');

    const globals = await win.evaluate(() => {
      const g = globalThis as unknown as Record<string, unknown>;
      return { require: typeof g['require'], process: typeof g['process'], certbench: typeof g['certbench'] };
    });
    expect(globals).toEqual({ require: 'undefined', process: 'undefined', certbench: 'object' });

    const info = await win.evaluate(() =>
      (globalThis as unknown as { certbench: { 'app:info'(r: object): Promise<unknown> } }).certbench['app:info']({}),
    );
    expect(info).toMatchObject({ ok: true, value: { name: expect.any(String), version: expect.any(String) } });

    const titles = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().map((w) => w.getTitle()));
    expect(titles).toHaveLength(1);
    expect(titles[0]).toMatch(/certbench/);

    await win.screenshot({ path: join(repoRoot, 'test-results/screenshots/electron.png') });
  } finally {
    await app.close();
  }
});
