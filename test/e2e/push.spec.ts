import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { fingerprintOf, makeFactoryCert, serveFactoryCert, servedFingerprint, type FactoryCert } from '../helpers/apstra-standin.js';
import type { NginxServer } from '../helpers/nginx.js';
import { openssl, tempDir } from '../helpers/openssl.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';
import { dropFiles, expect, pkiFile, openTab, screenshot, test } from './harness/bridge.js';

/*
 * The push screen against real servers: Debian's sshd on 127.0.0.1 for the Apstra server's SSH, a temp
 * folder for /etc/aos/nginx.conf.d holding nginx.crt and nginx.key, and Debian's nginx restarted by the
 * helper's script as the "Restart command". The page adds the device, trusts its host key, shows the plan
 * and pushes; what nginx serves afterwards is read by `openssl s_client`, the oracle.
 */

const NEW_FP = fingerprintOf(readFileSync(pkiFile('ec.crt'), 'utf8'));

let sshd: Sshd;
// Made in beforeAll, not at import: Playwright also imports the spec to list its tests, and never runs
// afterAll there, which left an empty folder behind on every run.
let t: ReturnType<typeof tempDir>;
let factory: FactoryCert;
let OLD_FP = '';

test.beforeAll(async () => {
  t = tempDir('certbench-e2e-push-');
  factory = makeFactoryCert(t.dir);
  OLD_FP = factory.sha256;
  sshd = await startSshd();
});

test.afterAll(async () => {
  await sshd?.stop();
  t?.cleanup();
});

/** A fresh "Apstra" nginx folder with the factory certificate, served by a fresh nginx. */
async function apstraServer(name: string): Promise<{ dir: string; nginx: NginxServer; served: () => string }> {
  const dir = t.path(`${name}/nginx.conf.d`);
  mkdirSync(dir, { recursive: true });
  const nginx = await serveFactoryCert(dir, factory);
  const served = (): string => servedFingerprint(nginx.port);
  expect(served()).toBe(OLD_FP);
  return { dir, nginx, served };
}


/** Opens the key, the leaf and its issuing CA in the session, as an engineer drops them on Inspect & Match. */
async function openPki(page: Page): Promise<void> {
  const inspect = await openTab(page, 'Inspect & Match');
  await dropFiles(page, inspect.getByRole('button', { name: 'Drop files here' }), [pkiFile('ec.key'), pkiFile('ec.crt'), pkiFile('int.crt')]);
  await expect(inspect.getByRole('article')).toHaveCount(3);
}

test('add a device, trust its host key, show the plan and push: the new certificate is served', async ({ page, bench }) => {
  const server = await apstraServer('good');
  try {
    await page.goto('/');
    await openPki(page);
    const push = await openTab(page, 'Push');
    await expect(push.getByText('No pushes yet.')).toBeVisible();

    await push.getByRole('button', { name: 'Add device' }).click();
    const form = push.getByRole('region', { name: 'Add device' });
    await form.getByLabel('Name', { exact: true }).fill('lab apstra');
    await form.getByLabel('Host', { exact: true }).fill('127.0.0.1');
    await form.getByLabel('SSH port', { exact: true }).fill(String(sshd.port));
    await form.getByLabel('User', { exact: true }).fill(sshd.user);
    await form.getByRole('radiogroup', { name: 'Authentication' }).getByText('Key file', { exact: true }).click();
    await expect(form.getByRole('radio', { name: 'Key file' })).toBeChecked();
    bench.queueOpen([sshd.clientKey.path]);
    await form.getByRole('button', { name: 'Choose…' }).click();
    await expect(form.getByRole('textbox', { name: 'Key file' })).toHaveValue(sshd.clientKey.path);
    await form.getByLabel('Server name (in the certificate)').fill('apstra.example.net');
    await form.getByLabel('nginx folder').fill(server.dir);
    await form.getByLabel('Restart command').fill(server.nginx.restartScript);
    await form.getByLabel('HTTPS port').fill(String(server.nginx.port));
    await form.getByRole('button', { name: 'Save device' }).click();
    await expect(form).toBeHidden();
    await expect(push.getByLabel('Device', { exact: true })).toHaveValue(`lab apstra — ${sshd.user}@127.0.0.1:${sshd.port}`);

    // No host key trusted yet: no plan, no push.
    await expect(push.getByRole('button', { name: 'Show plan' })).toBeDisabled();
    await push.getByRole('button', { name: 'Check host key' }).click();
    const presented = push.getByLabel('Presented host key');
    await expect(presented).toHaveText(sshd.hostKeyFingerprint);
    await expect(push.getByRole('status').filter({ hasText: 'presents this ssh-ed25519 key' })).toBeVisible();
    await screenshot(page, 'push-host-key');
    await push.getByRole('button', { name: 'Trust this key' }).click();
    await expect(push.getByText(`Trusted host key: ${sshd.hostKeyFingerprint}`)).toBeVisible();

    // The suggestions: the newest key, the leaf with its public key, the chain by issuer.
    await expect(push.getByLabel('Key', { exact: true })).toHaveValue(/^ec\.key/);
    await expect(push.getByLabel('Certificate', { exact: true })).toHaveValue(/^ec\.crt/);
    await expect(push.getByRole('button', { name: 'Push', exact: true })).toBeDisabled();

    await push.getByRole('button', { name: 'Show plan' }).click();
    const outcome = push.getByTestId('push-outcome');
    await expect(outcome).toHaveText(/^PLAN: nothing was changed/);
    const plan = push.getByRole('list', { name: 'Plan' });
    await expect(plan).toContainText(server.dir);
    await expect(plan).toContainText(server.nginx.restartScript);
    await expect(push.getByRole('cell', { name: 'Previous SHA-256' })).toHaveText(OLD_FP);
    await expect(push.getByRole('cell', { name: 'New SHA-256' })).toHaveText(NEW_FP);
    expect(server.served()).toBe(OLD_FP);
    await screenshot(page, 'push-plan');

    await push.getByRole('button', { name: 'Push', exact: true }).click();
    await expect(outcome).toHaveText(/^PUSHED: /, { timeout: 45_000 });
    await expect(push.getByRole('cell', { name: 'Served SHA-256' })).toContainText(NEW_FP);
    await expect(push.getByRole('cell', { name: 'Previous SHA-256' })).toHaveText(OLD_FP);
    const log = push.getByRole('log', { name: 'Push log' });
    await expect(log).toContainText('upload');
    await expect(log).toContainText('verify');
    await expect(push.getByRole('progressbar', { name: 'Push progress' })).toHaveAttribute('aria-valuenow', '100');
    // The oracle: what nginx serves now is ec.crt.
    expect(server.served()).toBe(NEW_FP);
    expect(NEW_FP).toBe(fingerprintOf(openssl(['x509', '-in', pkiFile('ec.crt')])));

    const history = push.getByRole('table', { name: 'Push history' });
    await expect(history.getByRole('row')).toHaveCount(2);
    await expect(history.getByRole('row').nth(1)).toContainText('lab apstra');
    await expect(history.getByRole('row').nth(1)).toContainText('pushed');
    await expect(history.getByRole('row').nth(1)).toContainText(`127.0.0.1:${sshd.port}`);
    // A push uses its plan: the next push needs a fresh look at the device.
    await expect(push.getByRole('button', { name: 'Push', exact: true })).toBeDisabled();
    await screenshot(page, 'push-pushed');
  } finally {
    await server.nginx.stop();
  }
});

test('a restart that fails rolls back: the old certificate is served again and the history says so', async ({ page, bench }) => {
  const server = await apstraServer('rollback');
  try {
    // The push's restart really loads the new files, then reports failure (as a container that does not come
    // up); the rollback's restart, the same command, succeeds. A counter file tells them apart.
    const count = t.path('rollback/count');
    writeFileSync(count, '0');
    const script = t.path('rollback/restart-once-fails.sh');
    writeFileSync(script, `#!/bin/sh\nn=$(cat ${count}); echo $((n+1)) > ${count}\n${server.nginx.restartScript} || exit $?\n[ "$n" = 0 ] && { echo "simulated: container did not come up" >&2; exit 3; }\nexit 0\n`, { mode: 0o755 });
    const saved = await bench.invoke('devices:save', {
      name: 'flaky apstra', target: 'apstra', host: '127.0.0.1', port: sshd.port, user: sshd.user, auth: 'key-file',
      identityFile: sshd.clientKey.path, hostKey: sshd.hostKeyFingerprint, serverName: 'apstra.example.net',
      nginxDir: server.dir, restartCmd: script, httpsPort: server.nginx.port,
    });
    expect(saved.ok).toBe(true);

    await page.goto('/');
    await openPki(page);
    const push = await openTab(page, 'Push');
    await expect(push.getByLabel('Device', { exact: true })).toHaveValue(/^flaky apstra/);
    await push.getByRole('button', { name: 'Show plan' }).click();
    const outcome = push.getByTestId('push-outcome');
    await expect(outcome).toHaveText(/^PLAN: /);
    await push.getByRole('button', { name: 'Push', exact: true }).click();
    await expect(outcome).toHaveText(/^ROLLED BACK: /, { timeout: 45_000 });
    await expect(push.getByRole('alert').filter({ hasText: 'simulated: container did not come up' })).toBeVisible();
    await expect(push.getByRole('cell', { name: 'Served SHA-256' })).toContainText(OLD_FP);
    await expect(push.getByRole('cell', { name: 'New SHA-256' })).toHaveText(NEW_FP);
    expect(server.served()).toBe(OLD_FP);
    const history = push.getByRole('table', { name: 'Push history' });
    await expect(history.getByRole('row').nth(1)).toContainText('flaky apstra');
    await expect(history.getByRole('row').nth(1)).toContainText('rolled back');
    await screenshot(page, 'push-rolled-back');
  } finally {
    await server.nginx.stop();
  }
});

test('a host key other than the trusted one is shown beside it and refused', async ({ page, bench }) => {
  const trusted = `SHA256:${'Q'.repeat(43)}`;
  const saved = await bench.invoke('devices:save', {
    name: 'moved apstra', target: 'apstra', host: '127.0.0.1', port: sshd.port, user: sshd.user, auth: 'agent', hostKey: trusted,
  });
  expect(saved.ok).toBe(true);
  await page.goto('/');
  const push = await openTab(page, 'Push');
  await push.getByRole('button', { name: 'Check host key' }).click();
  const alert = push.getByRole('alert').filter({ hasText: 'The host key changed: refused' });
  await expect(alert).toContainText(trusted);
  await expect(alert).toContainText(sshd.hostKeyFingerprint);
  await expect(push.getByRole('button', { name: 'Trust this key' })).toHaveCount(0);
  await screenshot(page, 'push-host-key-changed');
});

test('"Use sudo" is off for a new device, saved when ticked, kept when the host key is trusted, and shown when editing', async ({ page, bench }) => {
  await page.goto('/');
  const push = await openTab(page, 'Push');
  await push.getByRole('button', { name: 'Add device' }).click();
  const form = push.getByRole('region', { name: 'Add device' });
  const sudo = form.getByRole('checkbox', { name: 'Use sudo' });
  await expect(sudo).not.toBeChecked();
  await form.getByLabel('Name', { exact: true }).fill('sudo apstra');
  await form.getByLabel('Host', { exact: true }).fill('127.0.0.1');
  await form.getByLabel('SSH port', { exact: true }).fill(String(sshd.port));
  await form.getByLabel('User', { exact: true }).fill('admin');
  await form.getByRole('radiogroup', { name: 'Authentication' }).getByText('SSH agent', { exact: true }).click();
  await sudo.check();
  await form.getByRole('button', { name: 'Save device' }).click();
  await expect(form).toBeHidden();
  const summary = push.getByText(/^Apstra at admin@127\.0\.0\.1/);
  await expect(summary).toContainText('through sudo -n');

  // Trusting the host key saves the device again: the setting stays.
  await push.getByRole('button', { name: 'Check host key' }).click();
  await push.getByRole('button', { name: 'Trust this key' }).click();
  await expect(push.getByText(`Trusted host key: ${sshd.hostKeyFingerprint}`)).toBeVisible();
  await expect(summary).toContainText('through sudo -n');

  await push.getByRole('button', { name: 'Edit device' }).click();
  const edit = push.getByRole('region', { name: 'Edit sudo apstra' });
  await expect(edit.getByRole('checkbox', { name: 'Use sudo' })).toBeChecked();
  await edit.getByRole('checkbox', { name: 'Use sudo' }).uncheck();
  await edit.getByRole('button', { name: 'Save device' }).click();
  await expect(edit).toBeHidden();
  await expect(summary).not.toContainText('sudo -n');
  const listed = await bench.invoke('devices:list', {});
  expect(listed.ok && listed.value.map((d) => [d.name, d.sudo, d.hostKey])).toEqual([['sudo apstra', false, sshd.hostKeyFingerprint]]);
});
