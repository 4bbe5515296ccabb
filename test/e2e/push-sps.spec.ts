import { readFileSync } from 'node:fs';
import { openssl } from '../helpers/openssl.js';
import { opensslServedSha256, startSpsSim, type SpsSim } from '../helpers/sps-sim.js';
import { dropFiles, expect, pkiFile, openTab, screenshot, test } from './harness/bridge.js';

/*
 * The push screen against the SPS simulator (its REST API over HTTPS: authentication, a transaction, x509
 * objects, management/certificates), running in this test's process beside the bridged main-process handlers.
 * The page adds the device, checks and trusts SPS's certificate, shows the plan and pushes; what SPS serves
 * afterwards is read by `openssl s_client`, the oracle.
 */

const sha256Of = (pem: string): string => openssl(['x509', '-noout', '-fingerprint', '-sha256'], pem).trim().replace(/^.*=/, '');
const read = (name: string): string => readFileSync(pkiFile(name), 'utf8');
const NEW_FP = sha256Of(read('rsa.crt'));
const FACTORY_FP = sha256Of(read('selfsigned.crt'));
const PASSWORD = 'sps-e2e-Pw-81c2';

let sim: SpsSim | undefined;
test.afterEach(async () => {
  await sim?.close();
  sim = undefined;
});


test('add an SPS device, check and trust its certificate, show the plan and push: SPS serves the new certificate', async ({ page, bench }) => {
  const s = await startSpsSim({ users: [{ name: 'api', password: PASSWORD }], server: { certPem: read('selfsigned.crt'), keyPem: read('rsa.key') } });
  sim = s;

  await page.goto('/');
  const inspect = await openTab(page, 'Inspect & Match');
  await dropFiles(page, inspect.getByRole('button', { name: 'Drop files here' }), [pkiFile('rsa.key'), pkiFile('rsa.crt'), pkiFile('int.crt')]);
  await expect(inspect.getByRole('article')).toHaveCount(3);
  const push = await openTab(page, 'Push');

  await push.getByRole('button', { name: 'Add device' }).click();
  const form = push.getByRole('region', { name: 'Add device' });
  await form.getByRole('radiogroup', { name: 'Device type' }).getByText('SPS', { exact: true }).click();
  await expect(form.getByLabel('HTTPS port', { exact: true })).toHaveValue('443');
  // SPS's REST API takes a password only: no choice of SSH authentication.
  await expect(form.getByRole('radiogroup', { name: 'Authentication' })).toHaveCount(0);
  await expect(form.getByRole('radio', { name: 'Server' })).toBeChecked();
  await form.getByLabel('Name', { exact: true }).fill('lab sps');
  await form.getByLabel('Host', { exact: true }).fill('127.0.0.1');
  await form.getByLabel('HTTPS port', { exact: true }).fill(String(s.port));
  await form.getByLabel('User', { exact: true }).fill('api');
  await form.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await form.getByRole('button', { name: 'Save device' }).click();
  await expect(form).toBeHidden();
  await expect(push.getByLabel('Device', { exact: true })).toHaveValue(`lab sps — api@127.0.0.1:${s.port}`);
  await expect(push.getByText(/^SPS at https:\/\/127\.0\.0\.1/)).toContainText('role server');

  // Nothing trusted yet: no plan, no push, no password sent anywhere.
  await expect(push.getByRole('button', { name: 'Show plan' })).toBeDisabled();
  await expect(push.getByText('Trust lab sps\'s certificate first (Check certificate above).')).toBeVisible();
  await push.getByRole('button', { name: 'Check certificate' }).click();
  await expect(push.getByRole('status').filter({ hasText: `127.0.0.1:${s.port} presents this certificate` })).toBeVisible();
  await expect(push.getByLabel('Presented certificate SHA-256')).toHaveText(FACTORY_FP);
  await expect(push.getByRole('table', { name: 'Presented certificate' })).toContainText('router1.example.net');
  await expect(push.getByRole('table', { name: 'Presented certificate' })).toContainText('self-signed');
  expect(s.requests).toEqual([]);
  await screenshot(page, 'push-sps-certificate');
  await push.getByRole('button', { name: 'Trust this certificate' }).click();
  await expect(push.getByText(`Trusted certificate SHA-256: ${FACTORY_FP}`)).toBeVisible();

  await push.getByRole('button', { name: 'Show plan' }).click();
  const outcome = push.getByTestId('push-outcome');
  await expect(outcome).toHaveText(/^PLAN: nothing was changed/, { timeout: 30_000 });
  await expect(push.getByRole('cell', { name: 'Previous SHA-256' })).toHaveText(FACTORY_FP);
  await expect(push.getByRole('cell', { name: 'New SHA-256' })).toHaveText(NEW_FP);
  expect(s.commits).toBe(0);

  await push.getByRole('button', { name: 'Push', exact: true }).click();
  await expect(outcome).toHaveText(/^PUSHED: /, { timeout: 90_000 });
  await expect(push.getByRole('status').filter({ hasText: `Push to SPS 127.0.0.1:${s.port}` })).toBeVisible();
  await expect(push.getByRole('cell', { name: 'Served SHA-256' })).toContainText(NEW_FP);
  await expect(push.getByRole('log', { name: 'Push log' })).toContainText('verify');
  // The oracle: SPS serves rsa.crt, committed in one transaction.
  expect(await opensslServedSha256(s.port)).toBe(NEW_FP);
  expect(s.commits).toBe(1);
  // SPS now serves the new certificate on the port certbench logs in on: it is the trusted one from now on.
  await expect(push.getByText(`Trusted certificate SHA-256: ${NEW_FP}`)).toBeVisible();
  // The result stays shown although the device's profile changed.
  await expect(outcome).toHaveText(/^PUSHED: /);

  const row = push.getByRole('table', { name: 'Push history' }).getByRole('row').nth(1);
  await expect(row).toContainText('lab sps');
  await expect(row).toContainText('SPS');
  await expect(row).toContainText('pushed');
  const listed = await bench.invoke('devices:list', {});
  expect(listed.ok && listed.value.map((d) => [d.name, d.tlsPin, d.hasPassword])).toEqual([['lab sps', NEW_FP, true]]);
  await screenshot(page, 'push-sps-pushed');
});

test('a certificate other than the trusted one is shown beside it and refused until the trusted one is forgotten', async ({ page, bench }) => {
  const s = await startSpsSim({ users: [{ name: 'api', password: PASSWORD }], server: { certPem: read('selfsigned.crt'), keyPem: read('rsa.key') } });
  sim = s;
  const pinned = sha256Of(read('ec.crt'));
  const saved = await bench.invoke('devices:save', { name: 'moved sps', target: 'sps', host: '127.0.0.1', port: s.port, user: 'api', auth: 'password', password: PASSWORD, tlsPin: pinned });
  expect(saved.ok).toBe(true);

  await page.goto('/');
  const push = await openTab(page, 'Push');
  await push.getByRole('button', { name: 'Check certificate' }).click();
  const alert = push.getByRole('alert').filter({ hasText: 'The certificate changed: refused' });
  await expect(alert).toContainText(pinned);
  await expect(alert).toContainText(FACTORY_FP);
  await expect(push.getByRole('button', { name: 'Trust this certificate' })).toHaveCount(0);
  await screenshot(page, 'push-sps-certificate-changed');

  await alert.getByRole('button', { name: 'Forget the trusted certificate' }).click();
  await expect(push.getByText('No certificate is trusted for moved sps yet.', { exact: false })).toBeVisible();
  await expect(push.getByRole('button', { name: 'Show plan' })).toBeDisabled();
  await push.getByRole('button', { name: 'Check certificate' }).click();
  await expect(push.getByLabel('Presented certificate SHA-256')).toHaveText(FACTORY_FP);
  await push.getByRole('button', { name: 'Trust this certificate' }).click();
  await expect(push.getByText(`Trusted certificate SHA-256: ${FACTORY_FP}`)).toBeVisible();
  expect(s.requests).toEqual([]);
});
