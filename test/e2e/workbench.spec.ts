import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { dropFiles, expect, pkiFile, openTab, screenshot, test } from './harness/bridge.js';

/*
 * The workbench flows a network engineer walks, in Chromium against the real main-process handlers:
 * key -> CSR from a template -> save (checked by OpenSSL), match and mismatch, export for every
 * target, and a bad file. Each scenario leaves a screenshot in test-results/screenshots/.
 */


/** Picks an option of a Mantine Select (a combobox input with a listbox in a portal). */
async function choose(page: Page, field: Locator, option: string | RegExp): Promise<void> {
  await field.click();
  await page.getByRole('option', { name: option }).click();
}

function openssl(args: string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

test('generate a key, build a CSR from a template, save both; OpenSSL accepts them', async ({ page, bench }) => {
  await page.goto('/');
  const keys = await openTab(page, 'Keys');
  await expect(keys.getByLabel('Algorithm')).toHaveValue('rsa');
  await keys.getByLabel('RSA size').selectOption('2048');
  await keys.getByRole('button', { name: 'Generate key' }).click();
  const keyTable = keys.getByRole('table', { name: 'Keys in this session' });
  await expect(keyTable.getByRole('row')).toHaveCount(2);
  await expect(keyTable.getByRole('row').nth(1)).toContainText('2048 bits');
  const spki = (await keyTable.getByRole('row').nth(1).getByRole('cell').nth(3).textContent())?.trim() ?? '';
  expect(spki).toMatch(/^[0-9a-f]{64}$/);

  // Save the key encrypted: the confirmation must match before Save key… works.
  await keys.getByLabel('Save format').selectOption('pkcs8');
  await keys.getByLabel('Passphrase (optional)').fill('correct horse battery');
  await keys.getByLabel('Confirm passphrase').fill('correct horse');
  await expect(keys.getByText('The passphrases differ')).toBeVisible();
  await expect(keys.getByRole('button', { name: 'Save key…' })).toBeDisabled();
  await keys.getByLabel('Confirm passphrase').fill('correct horse battery');
  await keys.getByRole('button', { name: 'Save key…' }).click();
  await expect(keys.getByRole('status').filter({ hasText: 'encrypted' })).toBeVisible();
  const keyPath = bench.saved.at(-1)!;
  expect(statSync(keyPath).mode & 0o777).toBe(0o600);
  expect(readFileSync(keyPath, 'utf8')).toContain('BEGIN ENCRYPTED PRIVATE KEY');
  // The passphrase does not linger in the form once the save is done.
  await expect(keys.getByLabel('Passphrase (optional)')).toHaveValue('');
  const pubFromKey = openssl(['pkey', '-in', keyPath, '-passin', 'pass:correct horse battery', '-pubout']);

  const csr = await openTab(page, 'CSR');
  await expect(csr.getByLabel('Key', { exact: true })).toHaveValue(/generated RSA-2048 key/);
  await choose(page, csr.getByLabel('Template', { exact: true }), 'junos-device');
  const vars = { country: 'US', organization: 'Certbench Lab', unit: 'Network', hostname: 'edge9', domain: 'example.net', mgmt_ip: '192.0.2.9' };
  for (const [name, value] of Object.entries(vars)) await csr.getByLabel(name, { exact: true }).fill(value);
  // Filling the placeholders fills the subject and the SAN rows.
  await expect(csr.getByLabel('CN', { exact: true })).toHaveValue('edge9.example.net');
  await expect(csr.getByLabel('O', { exact: true })).toHaveValue('Certbench Lab');
  await expect(csr.getByLabel('SAN value')).toHaveCount(3);
  await expect(csr.getByLabel('SAN value').nth(2)).toHaveValue('192.0.2.9');
  await expect(csr.getByLabel('OpenSSL config')).toContainText('edge9.example.net');
  await expect(csr.getByLabel('OpenSSL config')).toContainText('192.0.2.9');

  // One more SAN by hand, and a bad one that is flagged inline and then removed.
  await csr.getByRole('button', { name: 'Add SAN' }).click();
  await csr.getByLabel('SAN type').nth(3).selectOption('DNS');
  await csr.getByLabel('SAN value').nth(3).fill('edge9-mgmt.example.net');
  await csr.getByRole('button', { name: 'Add SAN' }).click();
  await csr.getByLabel('SAN type').nth(4).selectOption('IP');
  await csr.getByLabel('SAN value').nth(4).fill('192.0.2.300');
  await expect(csr.getByLabel('SAN value').nth(4)).toHaveAttribute('aria-invalid', 'true');
  await csr.getByRole('button', { name: 'Remove SAN' }).nth(4).click();
  await expect(csr.getByLabel('SAN value')).toHaveCount(4);
  await expect(csr.getByLabel('OpenSSL config')).toContainText('edge9-mgmt.example.net');

  // The OpenSSL config can be copied as shown.
  await csr.getByRole('button', { name: 'Copy', description: 'OpenSSL config' }).click();
  await expect.poll(() => bench.clipboard.length).toBe(1);
  expect(bench.clipboardText()).toContain('edge9-mgmt.example.net');

  await csr.getByRole('button', { name: 'Build CSR' }).click();
  const preview = csr.getByRole('article', { name: /^CSR / });
  await expect(preview).toContainText('CN=edge9.example.net');
  await expect(preview).toContainText('DNS:edge9-mgmt.example.net');
  await expect(preview).toContainText(spki);
  await csr.getByRole('button', { name: 'Save CSR…' }).click();
  await expect(csr.getByRole('status').filter({ hasText: 'Saved the CSR' })).toBeVisible();
  const csrPath = bench.saved.at(-1)!;
  expect(basename(csrPath)).toBe('edge9.example.net.csr');
  expect(existsSync(csrPath)).toBe(true);

  // OpenSSL is the oracle: the signature verifies, the names are there, the key is the saved one.
  openssl(['req', '-in', csrPath, '-noout', '-verify']);
  const text = openssl(['req', '-in', csrPath, '-noout', '-text']);
  expect(text).toMatch(/Subject: C\s*=\s*US, O\s*=\s*Certbench Lab, OU\s*=\s*Network, CN\s*=\s*edge9\.example\.net/);
  expect(text).toContain('DNS:edge9.example.net, DNS:edge9, IP Address:192.0.2.9, DNS:edge9-mgmt.example.net');
  expect(openssl(['req', '-in', csrPath, '-noout', '-pubkey'])).toBe(pubFromKey);
  await screenshot(page, 'csr-from-template');

  // Save the form as a template: it is listed under Saved and written in the data folder.
  await csr.getByRole('button', { name: 'Save as template…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Save as template' });
  await dialog.getByLabel('Template name').fill('edge routers');
  await dialog.getByRole('button', { name: 'Save template' }).click();
  await expect(dialog).toBeHidden();
  await expect(csr.getByRole('status').filter({ hasText: 'Saved template' })).toBeVisible();
  expect(readdirSync(join(bench.dataDir, 'templates')).length).toBe(1);
});

test('key, certificate and CSR that belong together MATCH; an unrelated key makes it a MISMATCH that names it', async ({ page }) => {
  await page.goto('/');
  const inspect = await openTab(page, 'Inspect & Match');
  const zone = inspect.getByRole('button', { name: 'Drop files here' });
  await dropFiles(page, zone, [pkiFile('rsa.key'), pkiFile('rsa.crt'), pkiFile('rsa.csr')]);
  await expect(inspect.getByRole('article')).toHaveCount(3);
  const cert = inspect.getByRole('article', { name: 'Certificate rsa.crt' });
  await expect(cert).toContainText('CN=router1.example.net');
  await expect(cert).toContainText('DNS:router1.example.net');
  await expect(cert).toContainText('days left');
  const verdict = inspect.getByTestId('match-verdict');
  await expect(verdict).toHaveText(/^MATCH: /);
  await screenshot(page, 'match');

  await dropFiles(page, zone, [pkiFile('other.key')]);
  await expect(inspect.getByRole('article')).toHaveCount(4);
  await expect(verdict).toHaveText(/^MISMATCH: .*other\.key/);
  const compared = inspect.getByRole('table', { name: 'Public keys compared' });
  await expect(compared.getByRole('row').filter({ hasText: 'differs' })).toHaveCount(1);
  await expect(compared.getByRole('row').filter({ hasText: 'differs' })).toContainText('other.key');
  await screenshot(page, 'mismatch');

  // Removing the odd key brings the verdict back.
  await inspect.getByRole('button', { name: 'Remove other.key' }).click();
  await expect(inspect.getByRole('article')).toHaveCount(3);
  await expect(verdict).toHaveText(/^MATCH: /);
});

const targets = [
  { label: 'Junos', files: ['router1.example.net.crt', 'router1.example.net.key'] },
  { label: 'Apstra', files: ['nginx.crt', 'nginx.key'] },
  { label: 'SPS', files: ['x509.json'] },
  { label: 'SD Cloud', files: ['public-key.pem'] },
];

test('export for every target lists the files and Save all writes them; a key that does not fit is refused', async ({ page, bench }) => {
  await page.goto('/');
  const inspect = await openTab(page, 'Inspect & Match');
  await dropFiles(page, inspect.getByRole('button', { name: 'Drop files here' }), [pkiFile('rsa.key'), pkiFile('rsa.crt'), pkiFile('int.crt'), pkiFile('root.crt'), pkiFile('other.key')]);
  await expect(inspect.getByRole('article')).toHaveCount(5);

  const exp = await openTab(page, 'Export');
  // The suggestions: the certificate with the key's public key, and its chain found by issuer.
  await choose(page, exp.getByLabel('Key', { exact: true }), /^rsa\.key/);
  await expect(exp.getByLabel('Certificate', { exact: true })).toHaveValue(/^rsa\.crt/);

  for (const t of targets) {
    await exp.getByText(t.label, { exact: true }).click();
    await expect(exp.getByRole('radio', { name: t.label })).toBeChecked();
    await exp.getByRole('button', { name: 'Build files' }).click();
    const list = exp.getByRole('heading', { name: `Files for ${t.label}` });
    await expect(list).toBeVisible();
    for (const f of t.files) await expect(exp.getByRole('article', { name: f })).toBeVisible();
    const secret = exp.getByRole('article').filter({ hasText: 'holds the private key — written only with Save all…' });
    if (t.label !== 'SD Cloud') await expect(secret.first()).toBeVisible();
    else await expect(secret).toHaveCount(0);
    const shown = await exp.getByRole('article').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));

    const before = bench.folders.length;
    await exp.getByRole('button', { name: 'Save all…' }).click();
    await expect(exp.getByRole('status').filter({ hasText: /^Wrote \d+ files? to / })).toBeVisible();
    const dir = bench.folders[before]!;
    expect(readdirSync(dir).sort()).toEqual([...shown].sort());
    for (const name of readdirSync(dir)) {
      if (name.endsWith('.key')) expect(statSync(join(dir, name)).mode & 0o777, name).toBe(0o600);
    }
    await screenshot(page, `export-${t.label.toLowerCase().replace(/\s+/g, '-')}`);
  }

  // Save all into a folder that already holds the files: nothing is written until the user asks to replace them.
  await exp.getByText('Junos', { exact: true }).click();
  await exp.getByRole('button', { name: 'Build files' }).click();
  const full = bench.folders.find((d) => readdirSync(d).includes('junos-commands.txt'))!;
  writeFileSync(join(full, 'junos-commands.txt'), 'old');
  bench.queueFolder(full);
  await exp.getByRole('button', { name: 'Save all…' }).click();
  await expect(exp.getByRole('alert').filter({ hasText: 'Nothing was written' })).toContainText('already holds');
  expect(readFileSync(join(full, 'junos-commands.txt'), 'utf8')).toBe('old');
  bench.queueFolder(full);
  await exp.getByRole('button', { name: 'Replace the existing files…' }).click();
  await expect(exp.getByRole('status').filter({ hasText: /^Wrote \d+ files? to / })).toBeVisible();
  expect(readFileSync(join(full, 'junos-commands.txt'), 'utf8')).toMatch(/^Junos: install certificate-id/);

  // Copy and Save… of one non-secret file give exactly its content.
  const crtCard = exp.getByRole('article', { name: 'router1.example.net.crt' });
  await crtCard.getByRole('button', { name: 'Copy' }).click();
  await expect.poll(() => bench.clipboard.length).toBeGreaterThan(0);
  expect(bench.clipboardText()).toBe(readFileSync(pkiFile('rsa.crt'), 'utf8').replace(/\r\n/g, '\n'));
  await crtCard.getByRole('button', { name: 'Save…' }).click();
  await expect(crtCard.getByRole('status')).toContainText('Saved to');
  expect(bench.readSaved('router1.example.net.crt')).toBe(bench.clipboardText());

  // The unrelated key with this certificate: refused, with the reason, and nothing to save.
  await choose(page, exp.getByLabel('Key', { exact: true }), /^other\.key/);
  await exp.getByLabel('Certificate', { exact: true }).click();
  await page.getByRole('option', { name: /^rsa\.crt/ }).click();
  await exp.getByRole('button', { name: 'Build files' }).click();
  const refusal = exp.getByRole('alert');
  await expect(refusal).toContainText('Refused for Junos');
  await expect(refusal).toContainText('other.key');
  await expect(exp.getByRole('button', { name: 'Save all…' })).toHaveCount(0);
  await screenshot(page, 'export-refused');
});

test('a file that is not a key, certificate or CSR shows its error, naming the file; the good ones still load', async ({ page, bench }) => {
  const junk = join(bench.dir, 'notes.pem');
  writeFileSync(junk, 'this is not a certificate\n');
  const cut = join(bench.dir, 'cut.crt');
  const pem = readFileSync(pkiFile('ec.crt'), 'utf8');
  writeFileSync(cut, pem.slice(0, Math.floor(pem.length / 2)));
  await page.goto('/');
  const inspect = await openTab(page, 'Inspect & Match');
  await dropFiles(page, inspect.getByRole('button', { name: 'Drop files here' }), [junk, cut, pkiFile('ec.crt')]);
  const alerts = inspect.getByRole('alert');
  await expect(alerts).toHaveCount(2);
  await expect(alerts.filter({ hasText: 'Could not read notes.pem' })).toContainText('notes.pem');
  await expect(alerts.filter({ hasText: 'Could not read cut.crt' })).toBeVisible();
  await expect(inspect.getByRole('article', { name: 'Certificate ec.crt' })).toBeVisible();

  // Pasted text that is not PEM is reported too, under the name "pasted text".
  await inspect.getByLabel('Paste PEM').fill('-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n');
  await inspect.getByRole('button', { name: 'Add pasted text' }).click();
  await expect(inspect.getByRole('alert').filter({ hasText: 'Could not read pasted text' })).toBeVisible();
  await screenshot(page, 'bad-file');
});

test('open a key through the file dialog and import a .cnf template; its placeholders become fields', async ({ page, bench }) => {
  await page.goto('/');
  const keys = await openTab(page, 'Keys');
  bench.queueOpen([pkiFile('ec.key'), pkiFile('ec.crt')]);
  await keys.getByRole('button', { name: 'Open files…' }).click();
  await expect(keys.getByRole('status').filter({ hasText: '1 key added; 1 other item' })).toBeVisible();
  const row = keys.getByRole('table', { name: 'Keys in this session' }).getByRole('row', { name: /ec\.key/ });
  await expect(row).toContainText('ECDSA');
  await expect(row).toContainText('P-256');

  const csr = await openTab(page, 'CSR');
  bench.queueOpen([join(bench.dir, '..', 'nothing-here.cnf')]);
  await csr.getByRole('button', { name: 'Import template…' }).click();
  await expect(csr.getByRole('alert')).toContainText('nothing-here.cnf');

  const cnf = join(bench.dir, 'lab-switch.cnf');
  writeFileSync(cnf, '[ req ]\nprompt = no\ndistinguished_name = dn\nreq_extensions = ext\n[ dn ]\nCN = {{name}}.lab.example\n[ ext ]\nsubjectAltName = DNS:{{name}}.lab.example, IP:{{addr}}\n');
  bench.queueOpen([cnf]);
  await csr.getByRole('button', { name: 'Import template…' }).click();
  await expect(csr.getByLabel('Template text')).toHaveValue(/\{\{name\}\}/);
  await csr.getByLabel('name', { exact: true }).fill('sw3');
  await csr.getByLabel('addr', { exact: true }).fill('2001:db8::3');
  await expect(csr.getByLabel('CN', { exact: true })).toHaveValue('sw3.lab.example');
  await expect(csr.getByLabel('SAN value').nth(1)).toHaveValue('2001:db8::3');
  await csr.getByRole('button', { name: 'Build CSR' }).click();
  await expect(csr.getByRole('article', { name: /^CSR / })).toContainText('ECDSA P-256');
  await screenshot(page, 'template-import');
});
