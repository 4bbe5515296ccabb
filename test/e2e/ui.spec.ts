import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { dropFiles, expect, pkiFile, test } from './harness/bridge.js';
import { repoRoot } from './harness/server.js';

/*
 * What the workbench owes every user beyond the flows: light and dark themes that follow the OS,
 * a keyboard-only path through the tabs and the main controls with a visible focus indicator, and
 * errors in words. The last test takes the README's screenshots with realistic content.
 */

const TABS = ['Keys', 'CSR', 'Inspect & Match', 'Export', 'Push'];

/** Relative luminance (WCAG) of a computed `rgb(...)`/`rgba(...)` colour. */
function luminance(css: string): number {
  const m = /^rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(css);
  if (!m) throw new Error(`not an rgb() colour: ${css}`);
  const [r, g, b] = [m[1], m[2], m[3]].map((v) => {
    const c = Number(v) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio of two computed colours (1..21). */
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** The page's colour scheme as Mantine set it, and the computed colours of the page and of a card. */
async function pageColours(page: Page): Promise<{ scheme: string | null; background: string; text: string; card: string }> {
  return page.evaluate(() => {
    type El = { getAttribute(n: string): string | null };
    const g = globalThis as unknown as {
      document: { documentElement: El; body: El; querySelector(s: string): El | null };
      getComputedStyle(e: El): { backgroundColor: string; color: string };
    };
    const card = g.document.querySelector('.mantine-Card-root');
    if (!card) throw new Error('no card on the page');
    const body = g.getComputedStyle(g.document.body);
    return {
      scheme: g.document.documentElement.getAttribute('data-mantine-color-scheme'),
      background: body.backgroundColor,
      text: body.color,
      card: g.getComputedStyle(card).backgroundColor,
    };
  });
}

/** What makes the focused element stand out: a non-zero outline or a box-shadow ('' when neither). */
async function focusRing(el: Locator): Promise<string> {
  return el.evaluate((node) => {
    const cs = (globalThis as unknown as { getComputedStyle(e: unknown): Record<string, string> }).getComputedStyle(node);
    const out: string[] = [];
    if (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth ?? '0') > 0) out.push(`outline ${cs.outlineWidth} ${cs.outlineStyle} ${cs.outlineColor}`);
    if (cs.boxShadow !== 'none') out.push(`box-shadow ${cs.boxShadow}`);
    return out.join('; ');
  });
}

/** Focused, focus-visible (keyboard focus) and drawn with an outline or a box-shadow. */
async function expectFocusRing(el: Locator): Promise<void> {
  await expect(el).toBeFocused();
  expect(await el.evaluate((node) => (node as unknown as { matches(s: string): boolean }).matches(':focus-visible'))).toBe(true);
  expect(await focusRing(el), 'outline or box-shadow of the focused element').not.toBe('');
}

/** What a watch saw, one sample per animation frame while the element said it was busy. */
interface BusyWatch {
  /** Frames in which the element had aria-busy="true". */
  busy: number;
  /** Of those, frames in which keyboard focus was somewhere else. */
  busyUnfocused: number;
}

/**
 * Samples, every animation frame until `stop` is called, whether `el` is busy (aria-busy) and
 * whether it still has keyboard focus. A button that disables itself while it works (Mantine's
 * `loading`) loses focus to <body> in Chromium; this sees that however briefly it lasts.
 */
async function watchBusyFocus(el: Locator): Promise<{ stop(): Promise<BusyWatch> }> {
  type Node = { getAttribute(n: string): string | null };
  type Win = { document: { activeElement: unknown }; requestAnimationFrame(f: () => void): void; __busyWatch?: BusyWatch & { on: boolean } };
  await el.evaluate((node) => {
    const w = globalThis as unknown as Win;
    const watch = { busy: 0, busyUnfocused: 0, on: true };
    w.__busyWatch = watch;
    const tick = (): void => {
      if (!watch.on) return;
      if ((node as unknown as Node).getAttribute('aria-busy') === 'true') {
        watch.busy++;
        if (w.document.activeElement !== node) watch.busyUnfocused++;
      }
      w.requestAnimationFrame(tick);
    };
    tick();
  });
  return {
    stop: () => el.page().evaluate(() => {
      const watch = (globalThis as unknown as Win).__busyWatch;
      if (!watch) throw new Error('no busy watch running');
      watch.on = false;
      return { busy: watch.busy, busyUnfocused: watch.busyUnfocused };
    }),
  };
}

/** Moves keyboard focus along the tab list with the arrow keys until `name` has it. */
async function arrowTo(page: Page, name: string): Promise<void> {
  const focused = await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string | null } | null } }).document.activeElement?.textContent ?? '');
  const from = TABS.findIndex((t) => focused.startsWith(t));
  const to = TABS.indexOf(name);
  expect(from, `a tab has focus (focused: ${focused})`).toBeGreaterThanOrEqual(0);
  const key = to >= from ? 'ArrowRight' : 'ArrowLeft';
  for (let i = 0; i < Math.abs(to - from); i++) await page.keyboard.press(key);
  await expect(page.getByRole('tab', { name, exact: true })).toBeFocused();
}

for (const scheme of ['dark', 'light'] as const) {
  test.describe(`with the OS in ${scheme} mode`, () => {
    test.use({ colorScheme: scheme });

    test(`the workbench is ${scheme}, and follows the OS when it switches`, async ({ page }) => {
      await page.goto('/');
      await expect(page.getByRole('tab', { name: 'Keys', exact: true })).toBeVisible();
      await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', scheme);
      const c = await pageColours(page);
      if (scheme === 'dark') {
        expect(luminance(c.background), `page background ${c.background}`).toBeLessThan(0.05);
        expect(luminance(c.card), `card background ${c.card}`).toBeLessThan(0.05);
        expect(luminance(c.text), `text ${c.text}`).toBeGreaterThan(0.4);
      } else {
        expect(luminance(c.background), `page background ${c.background}`).toBeGreaterThan(0.9);
        expect(luminance(c.card), `card background ${c.card}`).toBeGreaterThan(0.9);
        expect(luminance(c.text), `text ${c.text}`).toBeLessThan(0.05);
      }
      // Body text stays readable on both the page and a card (WCAG AA: 4.5:1).
      expect(contrast(c.text, c.background), `${c.text} on ${c.background}`).toBeGreaterThanOrEqual(4.5);
      expect(contrast(c.text, c.card), `${c.text} on ${c.card}`).toBeGreaterThanOrEqual(4.5);

      // The OS changes its mind while the window is open: the workbench follows without a reload.
      const other = scheme === 'dark' ? 'light' : 'dark';
      await page.emulateMedia({ colorScheme: other });
      await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', other);
      const after = await pageColours(page);
      expect(luminance(after.background) > 0.5, `page background ${after.background} after switching to ${other}`).toBe(other === 'light');
    });
  });
}

test('keyboard only: the tab list, each screen\'s first control with a visible focus indicator, and a key generated', async ({ page }) => {
  await page.goto('/');
  const tab = (name: string): Locator => page.getByRole('tab', { name, exact: true });
  await expect(tab('Keys')).toBeVisible();

  // From the top of the page, Tab lands on the tab list (on the selected tab), with a ring.
  await page.keyboard.press('Tab');
  await expectFocusRing(tab('Keys'));

  // The arrows walk the five tabs in order and wrap; Home and End jump to the ends.
  for (const name of TABS.slice(1)) {
    await page.keyboard.press('ArrowRight');
    await expectFocusRing(tab(name));
  }
  await page.keyboard.press('ArrowRight');
  await expect(tab('Keys')).toBeFocused();
  await page.keyboard.press('ArrowLeft');
  await expect(tab('Push')).toBeFocused();
  await page.keyboard.press('Home');
  await expect(tab('Keys')).toBeFocused();
  await page.keyboard.press('End');
  await expect(tab('Push')).toBeFocused();

  // Enter or Space opens a screen; Tab then reaches its first control; Shift+Tab goes back to the tab.
  const screens: { name: string; activate: 'Enter' | 'Space'; first: (panel: Locator) => Locator }[] = [
    { name: 'Inspect & Match', activate: 'Enter', first: (p) => p.getByRole('button', { name: 'Drop files here' }) },
    { name: 'Export', activate: 'Space', first: (p) => p.getByRole('radio', { name: 'Junos' }) },
    // A select (Mantine Select, a combobox input) and a native <select>: a ring, not just a border tint.
    { name: 'CSR', activate: 'Enter', first: (p) => p.getByRole('combobox', { name: 'Template' }) },
    { name: 'Keys', activate: 'Space', first: (p) => p.getByLabel('Algorithm') },
  ];
  for (const s of screens) {
    await arrowTo(page, s.name);
    await page.keyboard.press(s.activate);
    await expect(tab(s.name)).toHaveAttribute('aria-selected', 'true');
    const panel = page.getByRole('tabpanel', { name: s.name });
    await expect(panel).toBeVisible();
    await page.keyboard.press('Tab');
    await expectFocusRing(s.first(panel));
    await page.keyboard.press('Shift+Tab');
    await expect(tab(s.name)).toBeFocused();
  }

  // On Keys, with the keyboard only: ECDSA, curve P-384, Generate key; the key is listed.
  await page.keyboard.press('Tab');
  const keys = page.getByRole('tabpanel', { name: 'Keys' });
  await expectFocusRing(keys.getByLabel('Algorithm'));
  await page.keyboard.press('ArrowDown');
  await expect(keys.getByLabel('Algorithm')).toHaveValue('ecdsa');
  await page.keyboard.press('Tab');
  await expectFocusRing(keys.getByLabel('Curve'));
  await page.keyboard.press('ArrowDown');
  await expect(keys.getByLabel('Curve')).toHaveValue('P-384');
  await page.keyboard.press('Tab');
  const generate = keys.getByRole('button', { name: 'Generate key' });
  await expectFocusRing(generate);
  await page.keyboard.press('Enter');
  const rows = keys.getByRole('table', { name: 'Keys in this session' }).getByRole('row');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(1)).toContainText('ECDSA');
  await expect(rows.nth(1)).toContainText('P-384');
  // Focus stays on the button through the work, so the next Enter or Tab goes on from there.
  await expect(generate).toBeFocused();
  await expect(generate).not.toHaveAttribute('aria-busy');
});

test('keyboard only: Enter or Space on the drop zone opens the app\'s file dialog, and the chosen file is decoded', async ({ page, bench }) => {
  await page.goto('/');
  await page.keyboard.press('Tab');
  await arrowTo(page, 'Inspect & Match');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  const inspect = page.getByRole('tabpanel', { name: 'Inspect & Match' });
  const zone = inspect.getByRole('button', { name: 'Drop files here' });
  await expectFocusRing(zone);

  // The zone opens the app's dialog (items:open, scripted here), exactly once per key press, and
  // never Chromium's own file chooser (which would skip the passphrase and the 1 MiB check).
  let choosers = 0;
  page.on('filechooser', () => void choosers++);
  const openDialogs = (): number => bench.dialogs.filter((d) => d.kind === 'openFiles').length;
  bench.queueOpen([pkiFile('rsa.crt')]);
  await page.keyboard.press('Enter');
  await expect(inspect.getByRole('article', { name: 'Certificate rsa.crt' })).toBeVisible();
  const scripted = bench.dialogs.filter((d) => d.kind === 'openFiles');
  expect(scripted, 'file dialogs opened by one Enter').toHaveLength(1);
  expect(scripted[0]!.options.title).not.toBe('');
  // Decoding made the zone busy for a moment; the keyboard focus is still on it.
  await expect(zone).toBeFocused();
  await expect(zone).not.toHaveAttribute('aria-busy');

  bench.queueOpen([pkiFile('rsa.key')]);
  await page.keyboard.press('Space');
  await expect(inspect.getByRole('article', { name: 'Private key rsa.key' })).toBeVisible();
  expect(openDialogs(), 'file dialogs opened by Enter, then Space').toBe(2);
  await expect(zone).toBeFocused();
  expect(choosers, 'Chromium file choosers opened').toBe(0);
});

/** Presses Enter on `button` and waits for `done`; the button kept keyboard focus all along. */
async function pressAndKeepFocus(button: Locator, done: () => Promise<void>): Promise<BusyWatch> {
  await button.focus();
  const watch = await watchBusyFocus(button);
  await button.page().keyboard.press('Enter');
  await done();
  const seen = await watch.stop();
  expect(seen.busyUnfocused, 'frames in which the busy button had lost keyboard focus').toBe(0);
  await expect(button).toBeFocused();
  await expect(button).not.toHaveAttribute('aria-busy');
  return seen;
}

test('keyboard focus stays on Generate key (RSA-4096), Save key… and Build CSR while they work', async ({ page, bench }) => {
  await page.goto('/');
  const keys = page.getByRole('tabpanel', { name: 'Keys' });
  await keys.getByLabel('RSA size').selectOption('4096');
  const generate = keys.getByRole('button', { name: 'Generate key' });
  const rows = keys.getByRole('table', { name: 'Keys in this session' }).getByRole('row');
  const seen = await pressAndKeepFocus(generate, async () => {
    // A second Enter while the key is being generated is ignored, not a second key.
    await page.keyboard.press('Enter');
    await expect(rows).toHaveCount(2);
  });
  // RSA-4096 takes far longer than a frame: the button was seen busy, and focused, meanwhile.
  expect(seen.busy, 'frames in which Generate key was busy').toBeGreaterThan(0);
  await expect(rows.nth(1)).toContainText('4096 bits');

  await pressAndKeepFocus(keys.getByRole('button', { name: 'Save key…' }), async () => {
    await expect(keys.getByRole('status').filter({ hasText: /^Saved generated RSA-4096 key/ })).toBeVisible();
  });

  await page.getByRole('tab', { name: 'CSR', exact: true }).click();
  const csr = page.getByRole('tabpanel', { name: 'CSR' });
  await expect(csr.getByLabel('Key', { exact: true })).toHaveValue(/generated RSA-4096 key/);
  await csr.getByLabel('CN', { exact: true }).fill('router1.example.net');
  await pressAndKeepFocus(csr.getByRole('button', { name: 'Build CSR' }), async () => {
    await expect(csr.getByRole('article', { name: /^CSR / })).toContainText('CN=router1.example.net');
  });

  // Two presses of Generate key, one key: by now a second generation would have shown up.
  expect(bench.calls.filter((c) => c.channel === 'keys:generate')).toHaveLength(1);
  await page.getByRole('tab', { name: 'Keys', exact: true }).click();
  await expect(rows).toHaveCount(2);
});

test('keyboard focus stays on the drop zone, Build files and Save all… while they work', async ({ page, bench }) => {
  await page.goto('/');
  await page.getByRole('tab', { name: 'Inspect & Match', exact: true }).click();
  const inspect = page.getByRole('tabpanel', { name: 'Inspect & Match' });
  bench.queueOpen(['rsa.key', 'rsa.crt', 'int.crt', 'root.crt'].map(pkiFile));
  await pressAndKeepFocus(inspect.getByRole('button', { name: 'Drop files here' }), async () => {
    await expect(inspect.getByRole('article')).toHaveCount(4);
  });

  await page.getByRole('tab', { name: 'Export', exact: true }).click();
  const exp = page.getByRole('tabpanel', { name: 'Export' });
  await expect(exp.getByRole('combobox', { name: 'Certificate' })).toHaveValue(/^rsa\.crt/);
  await pressAndKeepFocus(exp.getByRole('button', { name: 'Build files' }), async () => {
    await expect(exp.getByRole('heading', { name: 'Files for Junos' })).toBeVisible();
  });
  await pressAndKeepFocus(exp.getByRole('button', { name: 'Save all…' }), async () => {
    await expect(exp.getByRole('status').filter({ hasText: /^Wrote \d+ files? to / })).toBeVisible();
  });
  expect(bench.folders).toHaveLength(1);
});

const junk = [
  { name: 'plain words', input: 'these are my notes about router1, not a certificate', want: 'neither PEM text nor DER' },
  { name: 'a PEM block with garbage inside', input: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', want: 'does not hold a valid X.509 certificate' },
  { name: 'JSON', input: '{"certificate": null, "key": [object Object]}', want: 'neither PEM text nor DER' },
];

for (const j of junk) {
  test(`pasted junk (${j.name}) shows an alert in words, naming "pasted text"`, async ({ page, bench }) => {
    await page.goto('/');
    await page.getByRole('tab', { name: 'Inspect & Match', exact: true }).click();
    const inspect = page.getByRole('tabpanel', { name: 'Inspect & Match' });
    await inspect.getByLabel('Paste PEM').fill(j.input);
    await inspect.getByRole('button', { name: 'Add pasted text' }).click();
    const alert = inspect.getByRole('alert');
    await expect(alert).toHaveCount(1);
    await expect(alert).toContainText('Could not read pasted text');
    await expect(alert).toContainText(j.want);
    // The words are the core's, not the plumbing's: no stack, no JavaScript leftovers, no echo of the input.
    // (The JSON case carries "[object Object]" in its input, so an echo would be caught here.)
    const text = await alert.innerText();
    for (const bad of [/undefined/, /\[object/, /\bat \S+ \(/, /\.(ts|js|mjs):\d+/, /TypeError|ReferenceError|Error:/, /internal error/]) {
      expect(text, `alert text: ${text}`).not.toMatch(bad);
    }
    expect(bench.calls.filter((c) => c.channel === 'items:decode')).toEqual([{ channel: 'items:decode', ok: true }]);
    await expect(inspect.getByRole('article')).toHaveCount(0);
  });
}

/**
 * A viewport screenshot for the README: from the top of the window (header and tabs in the picture),
 * or with `from` scrolled up to just below the fixed header; no pointer hover, no caret, no transition.
 */
async function readmeShot(page: Page, name: string, from?: Locator): Promise<void> {
  type Win = { scrollTo(x: number, y: number): void; scrollY: number };
  if (from) {
    await from.evaluate((el) => {
      const w = globalThis as unknown as Win;
      type Box = { getBoundingClientRect(): { top: number; bottom: number } };
      const top = (el as unknown as Box).getBoundingClientRect().top;
      // The app header stays fixed at the top; the picture starts just below it.
      const header = (globalThis as unknown as { document: { querySelector(s: string): Box | null } }).document.querySelector('header');
      w.scrollTo(0, top + w.scrollY - (header?.getBoundingClientRect().bottom ?? 0) - 16);
    });
  } else {
    await page.evaluate(() => (globalThis as unknown as Win).scrollTo(0, 0));
  }
  await page.mouse.move(0, 0);
  const dir = join(repoRoot, 'test-results/screenshots');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `readme-${name}.png`), fullPage: false, animations: 'disabled', caret: 'hide' });
}

test('README screenshots: key, CSR from the junos-device template, MATCH, Junos export, and MATCH in dark', async ({ page }) => {
  await page.goto('/');
  const keys = page.getByRole('tabpanel', { name: 'Keys' });
  await keys.getByLabel('Algorithm').selectOption('rsa');
  await keys.getByLabel('RSA size').selectOption('2048');
  await keys.getByRole('button', { name: 'Generate key' }).click();
  await expect(keys.getByRole('table', { name: 'Keys in this session' }).getByRole('row')).toHaveCount(2);
  await expect(keys.getByRole('status')).toContainText('Generated');
  await readmeShot(page, 'keys');

  await page.getByRole('tab', { name: 'CSR', exact: true }).click();
  const csr = page.getByRole('tabpanel', { name: 'CSR' });
  await csr.getByRole('combobox', { name: 'Template' }).click();
  await page.getByRole('option', { name: 'junos-device' }).click();
  const vars = { country: 'US', organization: 'Certbench Lab', unit: 'Network', hostname: 'router1', domain: 'example.net', mgmt_ip: '192.0.2.1' };
  for (const [name, value] of Object.entries(vars)) await csr.getByLabel(name, { exact: true }).fill(value);
  await expect(csr.getByLabel('CN', { exact: true })).toHaveValue('router1.example.net');
  await expect(csr.getByLabel('SAN value')).toHaveCount(3);
  await csr.getByRole('button', { name: 'Build CSR' }).click();
  await expect(csr.getByRole('article', { name: /^CSR / })).toContainText('CN=router1.example.net');
  await readmeShot(page, 'csr');

  await page.getByRole('tab', { name: 'Inspect & Match', exact: true }).click();
  const inspect = page.getByRole('tabpanel', { name: 'Inspect & Match' });
  const zone = inspect.getByRole('button', { name: 'Drop files here' });
  await dropFiles(page, zone, [pkiFile('rsa.key'), pkiFile('rsa.crt'), pkiFile('rsa.csr')]);
  await expect(inspect.getByRole('article', { name: 'Certificate rsa.crt' })).toBeVisible();
  // The generated key and its CSR are here too (one session); the CA signed rsa.csr, so the
  // screenshot shows the three files that belong together.
  const verdict = inspect.getByTestId('match-verdict');
  await expect(verdict).toHaveText(/^MISMATCH: /);
  await inspect.getByRole('button', { name: 'Remove generated RSA-2048 key' }).click();
  await inspect.getByRole('button', { name: 'Remove generated CSR' }).click();
  await expect(inspect.getByRole('article')).toHaveCount(3);
  await expect(verdict).toHaveText(/^MATCH: /);
  // The drop zone is back to idle (not tinted "accept") once the drop is done.
  await expect(zone).toHaveAttribute('data-idle', 'true');
  await readmeShot(page, 'match', inspect.getByRole('heading', { name: 'Do they belong together?' }));

  await dropFiles(page, zone, [pkiFile('int.crt'), pkiFile('root.crt')]);
  await expect(inspect.getByRole('article', { name: 'Certificate root.crt' })).toBeVisible();
  await page.getByRole('tab', { name: 'Export', exact: true }).click();
  const exp = page.getByRole('tabpanel', { name: 'Export' });
  await expect(exp.getByRole('combobox', { name: 'Certificate' })).toHaveValue(/^rsa\.crt/);
  await exp.getByLabel('certificate-id').fill('router1-web');
  await exp.getByRole('button', { name: 'Build files' }).click();
  await expect(exp.getByRole('heading', { name: 'Files for Junos' })).toBeVisible();
  await expect(exp.getByRole('article', { name: 'router1-web.crt' })).toBeVisible();
  await expect(exp.getByRole('article', { name: 'junos-commands.txt' })).toBeVisible();
  // The files are the point of this screen: the picture starts at their list.
  await readmeShot(page, 'export', exp.getByRole('heading', { name: 'Files for Junos' }));

  await page.emulateMedia({ colorScheme: 'dark' });
  await page.getByRole('tab', { name: 'Inspect & Match', exact: true }).click();
  await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'dark');
  await expect(verdict).toHaveText(/^MATCH: /);
  await readmeShot(page, 'match-dark', inspect.getByRole('heading', { name: 'Do they belong together?' }));
});
