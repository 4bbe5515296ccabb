import { readFileSync } from 'node:fs';
import { BOUND_TO_OLD_CERT, startJunosSim, type JunosSim } from '../helpers/junos-sim.js';
import { openssl, opensslServedSha256 } from '../helpers/openssl.js';
import { dropFiles, expect, pkiFile, openTab, screenshot, test } from './harness/bridge.js';

/*
 * The push screen against the Junos simulator (NETCONF over a real SSH server, SCP, a PKI store, commit
 * confirmed, and HTTPS listeners serving what the committed configuration binds), running in this test's
 * process beside the bridged main-process handlers. The page adds the device, trusts its host key, shows the
 * plan and pushes; what REST and J-Web serve afterwards is read by `openssl s_client`, the oracle.
 */

const sha256Of = (pem: string): string => openssl(['x509', '-noout', '-fingerprint', '-sha256'], pem).trim().replace(/^.*=/, '');
const NEW_FP = sha256Of(readFileSync(pkiFile('rsa.crt'), 'utf8'));
const OLD_FP = sha256Of(readFileSync(pkiFile('ec.crt'), 'utf8'));
const PASSWORD = 'junos-e2e-Pw-3f9a';
const INITIAL = [...BOUND_TO_OLD_CERT];

const servedBy = (port: number): Promise<string> => opensslServedSha256(port, 'router1.example.net');

let sim: JunosSim | undefined;
test.afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

test('add a Junos device, trust its host key, show the plan and push: REST and J-Web serve the new certificate; a second push takes the suggested new certificate ID', async ({ page }) => {
  const s = await startJunosSim({ users: [{ name: 'netops', password: PASSWORD }], config: INITIAL, localCerts: [{ id: 'old-cert', certPem: readFileSync(pkiFile('ec.crt'), 'utf8'), keyPem: readFileSync(pkiFile('ec.key'), 'utf8') }] });
  sim = s;
  expect(await servedBy(s.restPort)).toBe(OLD_FP);

  await page.goto('/');
  const inspect = await openTab(page, 'Inspect & Match');
  await dropFiles(page, inspect.getByRole('button', { name: 'Drop files here' }), [pkiFile('rsa.key'), pkiFile('rsa.crt'), pkiFile('int.crt')]);
  await expect(inspect.getByRole('article')).toHaveCount(3);
  const push = await openTab(page, 'Push');

  await push.getByRole('button', { name: 'Add device' }).click();
  const form = push.getByRole('region', { name: 'Add device' });
  await form.getByRole('radiogroup', { name: 'Device type' }).getByText('Junos', { exact: true }).click();
  // The port follows the device type: NETCONF's 830.
  await expect(form.getByLabel('SSH port', { exact: true })).toHaveValue('830');
  await expect(form.getByLabel('nginx folder')).toHaveCount(0);
  await form.getByLabel('Name', { exact: true }).fill('lab mx');
  await form.getByLabel('Host', { exact: true }).fill('127.0.0.1');
  await form.getByLabel('SSH port', { exact: true }).fill(String(s.port));
  await form.getByLabel('User', { exact: true }).fill('netops');
  await expect(form.getByRole('radio', { name: 'Password' })).toBeChecked();
  await form.getByRole('textbox', { name: 'Password' }).fill(PASSWORD);
  // Save waits for the certificate ID; a name Junos would refuse is flagged at once.
  await expect(form.getByRole('button', { name: 'Save device' })).toBeDisabled();
  await form.getByLabel('Certificate ID').fill('-bad id');
  await expect(form.getByText('1 to 63 letters, digits, ".", "_" or "-", starting with a letter or digit')).toBeVisible();
  await form.getByLabel('Certificate ID').fill('router1-2026');
  await form.getByLabel('CA profile (optional)').fill('lab-ca');
  await form.getByLabel('Server name (in the certificate)').fill('router1.example.net');
  await expect(form.getByLabel('Confirm within (minutes)')).toHaveValue('5');
  await expect(form.getByRole('checkbox', { name: 'REST API' })).toBeChecked();
  await expect(form.getByRole('checkbox', { name: 'J-Web' })).toBeChecked();
  await form.getByLabel('REST API HTTPS port').fill(String(s.restPort));
  await form.getByLabel('J-Web HTTPS port').fill(String(s.webPort));
  await screenshot(page, 'push-junos-device');
  await form.getByRole('button', { name: 'Save device' }).click();
  await expect(form).toBeHidden();
  await expect(push.getByLabel('Device', { exact: true })).toHaveValue(`lab mx — netops@127.0.0.1:${s.port}`);
  await expect(push.getByText(/^Junos at netops@127\.0\.0\.1/)).toContainText('certificate-id router1-2026');

  // No host key trusted yet: no plan, no push.
  await expect(push.getByRole('button', { name: 'Show plan' })).toBeDisabled();
  await push.getByRole('button', { name: 'Check host key' }).click();
  await expect(push.getByLabel('Presented host key')).toHaveText(s.hostKeyFingerprint);
  await push.getByRole('button', { name: 'Trust this key' }).click();
  await expect(push.getByText(`Trusted host key: ${s.hostKeyFingerprint}`)).toBeVisible();

  // The certificate-id of this push starts as the profile's.
  const certIdField = push.getByLabel('Certificate ID for this push');
  await expect(certIdField).toHaveValue('router1-2026');

  await expect(push.getByLabel('Key', { exact: true })).toHaveValue(/^rsa\.key/);
  await expect(push.getByLabel('Certificate', { exact: true })).toHaveValue(/^rsa\.crt/);
  await expect(push.getByRole('button', { name: 'Push', exact: true })).toBeDisabled();
  await push.getByRole('button', { name: 'Show plan' }).click();
  const outcome = push.getByTestId('push-outcome');
  await expect(outcome).toHaveText(/^PLAN: nothing was changed/, { timeout: 30_000 });
  const plan = push.getByRole('list', { name: 'Plan' });
  await expect(plan).toContainText('router1-2026');
  await expect(plan).toContainText('confirm');
  await expect(push.getByRole('cell', { name: 'New SHA-256' })).toHaveText(NEW_FP);
  expect(s.committed()).toEqual(INITIAL);

  await push.getByRole('button', { name: 'Push', exact: true }).click();
  await expect(outcome).toHaveText(/^PUSHED: /, { timeout: 90_000 });
  await expect(push.getByRole('status').filter({ hasText: `Push to Junos 127.0.0.1:${s.port}` })).toBeVisible();
  await expect(push.getByRole('cell', { name: 'Served SHA-256' })).toContainText(NEW_FP);
  await expect(push.getByRole('cell', { name: 'Previous SHA-256' })).toHaveText(OLD_FP);
  const log = push.getByRole('log', { name: 'Push log' });
  await expect(log).toContainText('upload');
  await expect(log).toContainText('verify');
  await expect(log).toContainText('confirm');
  await expect(push.getByRole('progressbar', { name: 'Push progress' })).toHaveAttribute('aria-valuenow', '100');
  // The oracle: both services serve rsa.crt, bound under the profile's certificate ID.
  expect(await servedBy(s.restPort)).toBe(NEW_FP);
  expect(await servedBy(s.webPort)).toBe(NEW_FP);
  expect(s.committed()).toContain('set system services rest https server-certificate router1-2026');
  expect(s.pendingConfirm()).toBe(false);

  const row = push.getByRole('table', { name: 'Push history' }).getByRole('row').nth(1);
  await expect(row).toContainText('lab mx');
  await expect(row).toContainText('Junos');
  await expect(row).toContainText(`127.0.0.1:${s.port}`);
  await expect(row).toContainText('pushed');
  await expect(row).toContainText('router1-2026');
  await screenshot(page, 'push-junos-pushed');

  // router1-2026 is in the device's PKI store now: a fresh id is suggested, and the next push needs a plan of its own.
  await expect(certIdField).toHaveValue(/^router1-2026-\d{8}$/);
  const suggested = await certIdField.inputValue();
  await expect(push.getByText(/^Junos at netops@127\.0\.0\.1/)).toContainText(`certificate-id ${suggested}`);
  const pushButton = push.getByRole('button', { name: 'Push', exact: true });
  await expect(pushButton).toBeDisabled();
  await push.getByRole('button', { name: 'Show plan' }).click();
  await expect(outcome).toHaveText(/^PLAN: nothing was changed/, { timeout: 30_000 });
  await expect(plan).toContainText(`certificate-id ${suggested}`);
  await expect(pushButton).toBeEnabled();
  // Another id than the plan's locks Push; the one already pushed is pointed out and its problem named.
  await certIdField.fill('router1-2026');
  await expect(pushButton).toBeDisabled();
  await expect(push.getByText(/^Certificate-id router1-2026 was pushed to this device on /)).toBeVisible();
  await certIdField.fill('bad..id');
  await expect(push.getByText('No ".." (the certificate-id names files on the device)')).toBeVisible();
  await expect(push.getByRole('button', { name: 'Show plan' })).toBeDisabled();
  // Back to the planned id: the plan made for exactly these choices unlocks Push again.
  await certIdField.fill(suggested);
  await expect(pushButton).toBeEnabled();
  await pushButton.click();
  await expect(outcome).toHaveText(/^PUSHED: /, { timeout: 90_000 });
  // The oracle: the device binds the new id, holds both, and both services serve rsa.crt under it.
  expect(s.committed()).toContain(`set system services rest https server-certificate ${suggested}`);
  expect(s.committed()).toContain(`set system services web-management https pki-local-certificate ${suggested}`);
  expect(s.localCerts().map((c) => c.id).sort()).toEqual(['old-cert', 'router1-2026', suggested].sort());
  expect(s.pendingConfirm()).toBe(false);
  expect(await servedBy(s.restPort)).toBe(NEW_FP);
  expect(await servedBy(s.webPort)).toBe(NEW_FP);
  const rows = push.getByRole('table', { name: 'Push history' }).getByRole('row');
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(1)).toContainText(suggested);
  await expect(rows.nth(1)).toContainText('pushed');
  // Pushed today already: the next suggestion counts on.
  await expect(certIdField).toHaveValue(`${suggested}-2`);
});
