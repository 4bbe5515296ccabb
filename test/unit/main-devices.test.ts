import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers, type Dialogs, type Handlers, type HandlerDeps, type SecretCipher } from '../../src/main/dispatch.js';
import { dispatchRecorder } from '../helpers/dispatch-recorder.js';
import { freePort, startSshd, type Sshd } from '../helpers/sshd.js';
import { tempDir } from '../helpers/openssl.js';
import { testCipher } from '../helpers/cipher.js';

/*
 * Device profiles and their secrets through `dispatch`, as the renderer reaches them: profiles in
 * devices.json, passwords and passphrases encrypted in vault.json by a real AES-256-GCM cipher (standing in
 * for Electron's safeStorage), refused outright without one, and never in any answer. The host-key check
 * talks to a real sshd on 127.0.0.1.
 */

const tmp = tempDir('certbench-devices-');
afterAll(() => tmp.cleanup());


const PASSWORD = 'Tr0ub4dor&3-correct-horse';
const PASSPHRASE = 'key passphrase 7f3a';
const PIN_A = `SHA256:${'A'.repeat(43)}`;
const PIN_B = `SHA256:${'B'.repeat(42)}c`;

const openQueue: (string[] | undefined)[] = [];
const dialogs: Dialogs = {
  openFiles: async () => openQueue.shift(),
  saveFile: () => Promise.reject(new Error('unexpected save dialog')),
  chooseFolder: () => Promise.reject(new Error('unexpected folder dialog')),
};

let n = 0;
function setup(extra: Partial<HandlerDeps> = {}, dataDir = tmp.path(`data-${++n}`)): { h: Handlers; dataDir: string } {
  const h = createHandlers({ appInfo: { name: 'certbench', version: '0' }, dialogs, clipboard: { writeText: () => {} }, dataDir, templatesDir: tmp.path('templates'), ...extra });
  return { h, dataDir };
}

// Every answer any test got, to prove no secret ever travels back.
const { answers, ok, err } = dispatchRecorder();

type View = { id: string; name: string; host: string; port: number; hostKey?: string; hasPassword: boolean; hasPassphrase: boolean; auth: string; identityFile?: string; sudo: boolean };
const base = { name: 'apstra-lab', target: 'apstra', host: 'apstra.example.net', port: 22, user: 'admin', auth: 'password', password: PASSWORD };

describe('device profiles', () => {
  it('damaged data files are named with what to do, and never overwritten', async () => {
    const { h, dataDir } = setup({ secrets: testCipher() });
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'devices.json'), '{ "version": 1, "devices": [ { "name": 3 } ] }');
    const e1 = await err(h, 'devices:list', {});
    expect(e1).toMatchObject({ code: 'unknown-content' });
    expect(e1.message).toContain(join(dataDir, 'devices.json'));
    expect(e1.message).toContain('damaged (unexpected content); fix or delete it');
    writeFileSync(join(dataDir, 'devices.json'), 'not json');
    expect((await err(h, 'devices:list', {})).message).toContain('damaged (not JSON)');
    expect(readFileSync(join(dataDir, 'devices.json'), 'utf8')).toBe('not json');
    rmSync(join(dataDir, 'devices.json'));
    writeFileSync(join(dataDir, 'vault.json'), '[]');
    const e2 = await err(h, 'devices:save', { ...base });
    expect(e2.message).toContain('saved secrets file is damaged (unexpected content); delete it and enter the device passwords again');
    expect(readFileSync(join(dataDir, 'vault.json'), 'utf8')).toBe('[]');
    // History is a record, not configuration: a damaged one reads as empty.
    writeFileSync(join(dataDir, 'push-history.json'), '{');
    expect(await ok(h, 'push:history', {})).toEqual([]);
  });

  it('saves, lists and deletes a device; the password is encrypted on disk and never answered', async () => {
    const cipher = testCipher();
    const { h, dataDir } = setup({ secrets: cipher });
    const saved = await ok<View>(h, 'devices:save', { ...base, serverName: 'apstra.example.net', nginxDir: '/etc/aos/nginx.conf.d', httpsPort: 443 });
    expect(saved).toMatchObject({ name: 'apstra-lab', host: 'apstra.example.net', port: 22, user: 'admin', auth: 'password', hasPassword: true, hasPassphrase: false, nginxDir: '/etc/aos/nginx.conf.d', httpsPort: 443 });
    expect(saved.id).toMatch(/^[0-9a-f-]{36}$/);

    const vaultText = readFileSync(`${dataDir}/vault.json`, 'utf8');
    expect(vaultText).not.toContain(PASSWORD);
    expect(vaultText).not.toContain(Buffer.from(PASSWORD).toString('base64'));
    expect(statSync(`${dataDir}/vault.json`).mode & 0o777).toBe(0o600);
    expect(statSync(`${dataDir}/devices.json`).mode & 0o777).toBe(0o600);
    expect(readFileSync(`${dataDir}/devices.json`, 'utf8')).not.toContain(PASSWORD);
    // It is the cipher's ciphertext, under the device's id: decrypting it with the same key gives the password back.
    const stored = (JSON.parse(vaultText) as { secrets: Record<string, string> }).secrets;
    expect(Object.keys(stored)).toEqual([`${saved.id}:password`]);
    expect(cipher.decrypt(Buffer.from(stored[`${saved.id}:password`]!, 'base64'))).toBe(PASSWORD);

    // Another handler set over the same folder (the app restarted) sees the device.
    const again = setup({ secrets: cipher }, dataDir).h;
    expect(await ok<View[]>(again, 'devices:list', {})).toEqual([saved]);

    expect(await ok(h, 'devices:delete', { id: saved.id })).toEqual({});
    expect(await ok<View[]>(h, 'devices:list', {})).toEqual([]);
    expect((JSON.parse(readFileSync(`${dataDir}/vault.json`, 'utf8')) as { secrets: object }).secrets).toEqual({});
    expect(await err(h, 'devices:delete', { id: saved.id })).toMatchObject({ code: 'not-found' });
  });

  it('refuses to save a password or passphrase when the OS key store is unavailable, and writes nothing', async () => {
    const { h, dataDir } = setup();
    const e = await err(h, 'devices:save', base);
    expect(e.code).toBe('unsupported');
    expect(e.message).toMatch(/key store is unavailable/);
    expect(e.message).toMatch(/SSH agent/);
    expect(existsSync(`${dataDir}/devices.json`)).toBe(false);
    expect(existsSync(`${dataDir}/vault.json`)).toBe(false);

    const keyFile = tmp.path('id_test');
    writeFileSync(keyFile, 'not read at save time', { mode: 0o600 });
    const e2 = await err(h, 'devices:save', { ...base, auth: 'key-file', identityFile: keyFile, password: undefined, passphrase: PASSPHRASE });
    expect(e2.code).toBe('unsupported');
    expect(existsSync(`${dataDir}/vault.json`)).toBe(false);

    // Nothing secret to keep: SSH agent and a key file without passphrase still work.
    const agent = await ok<View>(h, 'devices:save', { ...base, password: undefined, auth: 'agent' });
    expect(agent).toMatchObject({ auth: 'agent', hasPassword: false, hasPassphrase: false });
    const key = await ok<View>(h, 'devices:save', { ...base, name: 'with-key', password: undefined, auth: 'key-file', identityFile: keyFile });
    expect(key).toMatchObject({ auth: 'key-file', identityFile: keyFile, hasPassphrase: false });
    expect(existsSync(`${dataDir}/vault.json`)).toBe(false);
  });

  it('a cipher that says it is unavailable is never asked to encrypt', async () => {
    const calls: string[] = [];
    const off: SecretCipher = { isAvailable: () => false, encrypt: (p) => { calls.push(p); return Buffer.from(p); }, decrypt: (b) => b.toString() };
    const { h, dataDir } = setup({ secrets: off });
    expect((await err(h, 'devices:save', base)).code).toBe('unsupported');
    expect(calls).toEqual([]);
    expect(existsSync(`${dataDir}/vault.json`)).toBe(false);
  });

  it('keeps a saved secret when the form leaves it empty, and drops it when the authentication changes', async () => {
    const { h, dataDir } = setup({ secrets: testCipher() });
    const d = await ok<View>(h, 'devices:save', base);
    const kept = await ok<View>(h, 'devices:save', { ...base, id: d.id, password: undefined, restartCmd: 'sudo -n systemctl restart nginx' });
    expect(kept).toMatchObject({ hasPassword: true, restartCmd: 'sudo -n systemctl restart nginx' });
    const keyFile = tmp.path('id_kept');
    writeFileSync(keyFile, 'x', { mode: 0o600 });
    const withKey = await ok<View>(h, 'devices:save', { ...base, id: d.id, password: undefined, auth: 'key-file', identityFile: keyFile, passphrase: PASSPHRASE });
    expect(withKey).toMatchObject({ hasPassword: false, hasPassphrase: true });
    const vault = readFileSync(`${dataDir}/vault.json`, 'utf8');
    expect(Object.keys((JSON.parse(vault) as { secrets: object }).secrets)).toEqual([`${d.id}:passphrase`]);
    expect(vault).not.toContain(PASSPHRASE);
    const forgot = await ok<View>(h, 'devices:save', { ...base, id: d.id, password: undefined, auth: 'key-file', identityFile: keyFile, forgetPassphrase: true });
    expect(forgot.hasPassphrase).toBe(false);
    const agent = await ok<View>(h, 'devices:save', { ...base, id: d.id, password: undefined, auth: 'agent' });
    expect(agent).toMatchObject({ hasPassword: false, hasPassphrase: false });
    // A password device needs its password the first time.
    expect(await err(h, 'devices:save', { ...base, name: 'no-password', password: undefined })).toMatchObject({ code: 'invalid-value', message: expect.stringMatching(/^Password: enter the password/) });
  });

  it('"Use sudo": off by default, saved, listed after a restart, kept by a save that leaves it out, and turned off again', async () => {
    const cipher = testCipher();
    const { h, dataDir } = setup({ secrets: cipher });
    const plain = await ok<View>(h, 'devices:save', { ...base, name: 'plain' });
    expect(plain.sudo).toBe(false);

    const d = await ok<View>(h, 'devices:save', { ...base, sudo: true });
    expect(d.sudo).toBe(true);
    const onDisk = (JSON.parse(readFileSync(`${dataDir}/devices.json`, 'utf8')) as { devices: { name: string; sudo?: boolean }[] }).devices;
    expect(onDisk.find((x) => x.name === 'apstra-lab')?.sudo).toBe(true);
    // Another handler set over the same folder (the app restarted) lists it.
    const listed = await ok<View[]>(setup({ secrets: cipher }, dataDir).h, 'devices:list', {});
    expect(listed.map((x) => [x.name, x.sudo])).toEqual([['apstra-lab', true], ['plain', false]]);

    // The host-key panel re-saves a profile without the field: the setting stays, as a saved password does.
    const pinned = await ok<View>(h, 'devices:save', { ...base, id: d.id, password: undefined, hostKey: PIN_A });
    expect(pinned).toMatchObject({ sudo: true, hostKey: PIN_A });
    // Edited in the form: unticked, it is off, and stays off on the next save that leaves it out.
    const off = await ok<View>(h, 'devices:save', { ...base, id: d.id, password: undefined, sudo: false });
    expect(off).toMatchObject({ sudo: false, hostKey: PIN_A });
    expect((await ok<View>(h, 'devices:save', { ...base, id: d.id, password: undefined })).sudo).toBe(false);
    expect((await ok<View[]>(h, 'devices:list', {})).map((x) => x.sudo)).toEqual([false, false]);
    // Ticked again in an edit.
    expect((await ok<View>(h, 'devices:save', { ...base, id: d.id, password: undefined, sudo: true })).sudo).toBe(true);

    expect(await err(h, 'devices:save', { ...base, id: d.id, password: undefined, sudo: 'yes' })).toMatchObject({ code: 'invalid-request' });
  });

  it('a devices file saved before "Use sudo" existed lists its devices with sudo off', async () => {
    const { h, dataDir } = setup({ secrets: testCipher() });
    const d = await ok<View>(h, 'devices:save', { ...base, sudo: true });
    const file = `${dataDir}/devices.json`;
    const old = JSON.parse(readFileSync(file, 'utf8')) as { devices: Record<string, unknown>[] };
    for (const x of old.devices) delete x.sudo;
    writeFileSync(file, JSON.stringify(old), { mode: 0o600 });
    expect(await ok<View[]>(h, 'devices:list', {})).toMatchObject([{ id: d.id, sudo: false }]);
  });

  const invalid: { name: string; input: Record<string, unknown>; want: RegExp }[] = [
    { name: 'an option in place of a host', input: { host: '-oProxyCommand=touch /tmp/x' }, want: /^Host: .*not a host name or an IP address/ },
    { name: 'a host with a space', input: { host: 'apstra example' }, want: /^Host: / },
    { name: 'a host with a shell character', input: { host: 'apstra;reboot' }, want: /^Host: / },
    { name: 'a host with an underscore', input: { host: 'apstra_1.example.net' }, want: /^Host: / },
    { name: 'an empty host', input: { host: '' }, want: /^Host: / },
    { name: 'port 0', input: { port: 0 }, want: /^SSH port: "0" is not a port number/ },
    { name: 'port 65536', input: { port: 65536 }, want: /^SSH port: / },
    { name: 'an HTTPS port out of range', input: { httpsPort: 70000 }, want: /^HTTPS port: / },
    { name: 'a user that reads as an option', input: { user: '-oX' }, want: /^User: / },
    { name: 'a user with a space', input: { user: 'ad min' }, want: /^User: / },
    { name: 'no name', input: { name: '  ' }, want: /^Name: / },
    { name: 'a name with a line break', input: { name: 'a\nb' }, want: /^Name: .*control character/ },
    { name: 'an MD5 host-key pin', input: { hostKey: 'MD5:12:34:56:78:9a:bc:de:f0:12:34:56:78:9a:bc:de:f0' }, want: /^host key: .*MD5/ },
    { name: 'a host-key pin that is not SHA256:', input: { hostKey: 'SHA256:short' }, want: /^host key: .*43 base64/ },
    { name: 'a relative nginx folder', input: { nginxDir: 'etc/aos' }, want: /^nginx folder: .*absolute/ },
    { name: 'an nginx folder with ..', input: { nginxDir: '/etc/aos/../../root' }, want: /^nginx folder: / },
    { name: 'a restart command over two lines', input: { restartCmd: 'true\nreboot' }, want: /^Restart command: .*control character/ },
    { name: 'a server name that is not a host name', input: { serverName: 'apstra example' }, want: /^Server name: / },
    { name: 'a key file that does not exist', input: { auth: 'key-file', password: undefined, identityFile: '/nonexistent/id_rsa' }, want: /^Key file: .*does not exist/ },
    { name: 'a key file given as a relative path', input: { auth: 'key-file', password: undefined, identityFile: 'id_rsa' }, want: /^Key file: .*full path/ },
  ];
  for (const c of invalid) {
    it(`refuses ${c.name}, naming the field`, async () => {
      const { h, dataDir } = setup({ secrets: testCipher() });
      const e = await err(h, 'devices:save', { ...base, ...c.input });
      expect(e.code).toMatch(/^(invalid-value|not-found)$/);
      expect(e.message).toMatch(c.want);
      expect(existsSync(`${dataDir}/devices.json`)).toBe(false);
      expect(existsSync(`${dataDir}/vault.json`)).toBe(false);
    });
  }

  const valid: { name: string; input: Record<string, unknown>; want: Record<string, unknown> }[] = [
    { name: 'an IPv4 address', input: { host: '192.0.2.2' }, want: { host: '192.0.2.2' } },
    { name: 'an IPv6 address', input: { host: '2001:db8::2' }, want: { host: '2001:db8::2' } },
    { name: 'a host name with spaces around it', input: { host: '  apstra.example.net ' }, want: { host: 'apstra.example.net' } },
    { name: 'a pin typed in lower case', input: { hostKey: `sha256:${'A'.repeat(43)}` }, want: { hostKey: PIN_A } },
    { name: 'empty optional fields', input: { serverName: '', nginxDir: ' ', restartCmd: '' }, want: {} },
  ];
  for (const c of valid) {
    it(`accepts ${c.name}`, async () => {
      const { h } = setup({ secrets: testCipher() });
      const v = await ok<View>(h, 'devices:save', { ...base, ...c.input });
      expect(v).toMatchObject(c.want);
      expect(v).not.toHaveProperty('serverName');
      expect(v).not.toHaveProperty('nginxDir');
    });
  }

  it('refuses a second device with the same name, whatever its case', async () => {
    const { h } = setup({ secrets: testCipher() });
    await ok(h, 'devices:save', base);
    expect(await err(h, 'devices:save', { ...base, name: 'APSTRA-LAB' })).toMatchObject({ code: 'invalid-value', message: expect.stringMatching(/already saved/) });
    expect(await ok<View[]>(h, 'devices:list', {})).toHaveLength(1);
  });

  it('trusts a host key once; a different key is refused with both fingerprints until the old one is forgotten', async () => {
    const { h } = setup({ secrets: testCipher() });
    const d = await ok<View>(h, 'devices:save', base);
    expect(d.hostKey).toBeUndefined();
    const pinned = await ok<View>(h, 'devices:save', { ...base, id: d.id, password: undefined, hostKey: PIN_A });
    expect(pinned).toMatchObject({ hostKey: PIN_A, hasPassword: true });
    // Saving the form again (no hostKey) keeps the trusted key.
    expect((await ok<View>(h, 'devices:save', { ...base, id: d.id, password: undefined })).hostKey).toBe(PIN_A);
    const e = await err(h, 'devices:save', { ...base, id: d.id, password: undefined, hostKey: PIN_B });
    expect(e.code).toBe('refused');
    expect(e.message).toContain(PIN_A);
    expect(e.message).toContain(PIN_B);
    expect((await ok<View[]>(h, 'devices:list', {}))[0]!.hostKey).toBe(PIN_A);
    const forgotten = await ok<View>(h, 'devices:save', { ...base, id: d.id, password: undefined, forgetHostKey: true });
    expect(forgotten.hostKey).toBeUndefined();
    expect((await ok<View>(h, 'devices:save', { ...base, id: d.id, password: undefined, hostKey: PIN_B })).hostKey).toBe(PIN_B);
    // Another host or port is another server: its key must be checked anew.
    expect((await ok<View>(h, 'devices:save', { ...base, id: d.id, password: undefined, port: 2222 })).hostKey).toBeUndefined();
  });

  it('chooses the key file through the open dialog and answers only its path', async () => {
    const { h } = setup();
    openQueue.push(['/home/me/.ssh/id_ed25519']);
    expect(await ok(h, 'devices:choose-key-file', {})).toEqual({ canceled: false, path: '/home/me/.ssh/id_ed25519' });
    openQueue.push(undefined);
    expect(await ok(h, 'devices:choose-key-file', {})).toEqual({ canceled: true });
  });

  it('refuses undeclared fields and targets that have no push (sdcloud)', async () => {
    const { h } = setup({ secrets: testCipher() });
    expect(await err(h, 'devices:save', { ...base, privateKey: 'x' })).toMatchObject({ code: 'invalid-request' });
    expect(await err(h, 'devices:save', { ...base, target: 'sdcloud' })).toMatchObject({ code: 'invalid-request' });
  });
});

describe('host-key check against a real sshd', () => {
  let sshd: Sshd;
  beforeAll(async () => {
    sshd = await startSshd();
  }, 60_000);
  afterAll(async () => {
    await sshd?.stop();
  });

  it('shows the key the server presents, then says whether it is the trusted one', async () => {
    const { h } = setup({ secrets: testCipher() });
    const d = await ok<View>(h, 'devices:save', { ...base, host: '127.0.0.1', port: sshd.port, password: undefined, auth: 'agent' });
    const first = await ok(h, 'devices:scan-host-key', { host: '127.0.0.1', port: sshd.port, deviceId: d.id });
    expect(first).toEqual({ endpoint: `127.0.0.1:${sshd.port}`, type: 'ssh-ed25519', fingerprint: sshd.hostKeyFingerprint, status: 'new' });

    await ok(h, 'devices:save', { ...base, id: d.id, host: '127.0.0.1', port: sshd.port, password: undefined, auth: 'agent', hostKey: sshd.hostKeyFingerprint });
    expect(await ok(h, 'devices:scan-host-key', { host: '127.0.0.1', port: sshd.port, deviceId: d.id })).toMatchObject({ status: 'matches', trusted: sshd.hostKeyFingerprint });

    // The device trusts another key (the server was replaced, or someone is in the middle).
    await ok(h, 'devices:save', { ...base, id: d.id, host: '127.0.0.1', port: sshd.port, password: undefined, auth: 'agent', forgetHostKey: true });
    await ok(h, 'devices:save', { ...base, id: d.id, host: '127.0.0.1', port: sshd.port, password: undefined, auth: 'agent', hostKey: PIN_A });
    expect(await ok(h, 'devices:scan-host-key', { host: '127.0.0.1', port: sshd.port, deviceId: d.id })).toEqual({
      endpoint: `127.0.0.1:${sshd.port}`, type: 'ssh-ed25519', fingerprint: sshd.hostKeyFingerprint, status: 'changed', trusted: PIN_A,
    });
  });

  it('reports a port nobody listens on as a connect failure naming the endpoint, and refuses a bad host before connecting', async () => {
    const { h } = setup();
    const port = await freePort();
    const e = await err(h, 'devices:scan-host-key', { host: '127.0.0.1', port });
    expect(e.code).toBe('connect-failed');
    expect(e.message).toContain(`127.0.0.1:${port}`);
    let scanned = false;
    const { h: h2 } = setup({ scanHostKey: async () => { scanned = true; return { type: 'x', fingerprint: 'y' }; } });
    expect(await err(h2, 'devices:scan-host-key', { host: '-oProxyCommand=x', port: 22 })).toMatchObject({ code: 'invalid-value' });
    expect(scanned).toBe(false);
  });
});

describe('secrets in answers', () => {
  it('no answer in this file carried a password or passphrase', () => {
    expect(answers.length).toBeGreaterThan(20);
    for (const a of answers) {
      expect(a).not.toContain(PASSWORD);
      expect(a).not.toContain(PASSPHRASE);
    }
  });
});
