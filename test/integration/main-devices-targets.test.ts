import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers, type Dialogs, type Handlers } from '../../src/main/dispatch.js';
import { testCipher } from '../helpers/cipher.js';
import { dispatchRecorder } from '../helpers/dispatch-recorder.js';
import { openssl, tempDir } from '../helpers/openssl.js';
import { startSpsSim, type SpsSim } from '../helpers/sps-sim.js';
import { freePort } from '../helpers/sshd.js';

/*
 * Junos and SPS device profiles through `dispatch`, as the push screen saves them: the fields each target
 * takes, checked with messages that name the form's fields; Apstra profiles written before Junos and SPS
 * existed still load unchanged; an SPS device's HTTPS certificate is read from a real SPS simulator, trusted
 * explicitly, and a different one is refused until the trusted one is forgotten. No answer carries a password.
 */

const tmp = tempDir('certbench-devices-int-');
afterAll(() => tmp.cleanup());

const PASSWORD = 'sps-Pa55word-7c1e';
const PIN_A = `SHA256:${'A'.repeat(43)}`;
const HEX_A = Array.from({ length: 32 }, () => 'AA').join(':');
const HEX_B = Array.from({ length: 32 }, (_, i) => (i % 2 === 0 ? 'BB' : '0C')).join(':');
const pki = (name: string): string => fileURLToPath(new URL(`../fixtures/pki/${name}`, import.meta.url));

const dialogs: Dialogs = {
  openFiles: () => Promise.reject(new Error('unexpected open dialog')),
  saveFile: () => Promise.reject(new Error('unexpected save dialog')),
  chooseFolder: () => Promise.reject(new Error('unexpected folder dialog')),
};

let n = 0;
function setup(dataDir = tmp.path(`data-${++n}`)): { h: Handlers; dataDir: string } {
  const h = createHandlers({ appInfo: { name: 'certbench', version: '0' }, dialogs, clipboard: { writeText: () => {} }, dataDir, templatesDir: tmp.path('templates'), secrets: testCipher() });
  return { h, dataDir };
}

const { answers, ok, err } = dispatchRecorder();

type View = Record<string, unknown> & { id: string; updatedAt: string; tlsPin?: string; hostKey?: string };
const junos = { name: 'mx-lab', target: 'junos', host: 'router1.example.net', port: 830, user: 'netops', auth: 'password', password: PASSWORD, certId: 'router1-2026' };
const sps = { name: 'sps-lab', target: 'sps', host: 'sps.example.net', port: 443, user: 'api', auth: 'password', password: PASSWORD };

describe('Junos profiles', () => {
  it('saves the push options with the CLI\'s defaults filled in, and drops the fields of other targets', async () => {
    const { h } = setup();
    const v = await ok<View>(h, 'devices:save', { ...junos, nginxDir: '/etc/aos/nginx.conf.d', restartCmd: 'true', httpsPort: 8443, sudo: true, role: 'ca' });
    expect(v).toMatchObject({ target: 'junos', port: 830, certId: 'router1-2026', bind: ['rest', 'web'], confirmMinutes: 5, verifyPort: 3443, webPort: 443, sudo: false, hasPassword: true });
    for (const k of ['nginxDir', 'restartCmd', 'httpsPort', 'role', 'caProfile', 'tlsPin']) expect(v).not.toHaveProperty(k);
    const all = await ok<View>(h, 'devices:save', {
      ...junos, id: v.id, password: undefined, caProfile: 'lab-ca', bind: ['web', 'rest'], confirmMinutes: 10, verifyPort: 8443, webPort: 4443, serverName: 'router1.example.net',
    });
    // The bindings in one order: the set lines follow it.
    expect(all).toMatchObject({ caProfile: 'lab-ca', bind: ['rest', 'web'], confirmMinutes: 10, verifyPort: 8443, webPort: 4443, serverName: 'router1.example.net', hasPassword: true });
    expect((await ok<View>(h, 'devices:save', { ...junos, id: v.id, password: undefined, bind: ['web'] })).bind).toEqual(['web']);
    expect((await ok<View>(h, 'devices:save', { ...junos, id: v.id, password: undefined, auth: 'agent', hostKey: PIN_A })).hostKey).toBe(PIN_A);
  });

  const invalid: { name: string; input: Record<string, unknown>; want: RegExp }[] = [
    { name: 'no certificate ID', input: { certId: undefined }, want: /^Certificate ID: give the name of the new local certificate/ },
    { name: 'an empty certificate ID', input: { certId: '  ' }, want: /^Certificate ID: / },
    { name: 'a certificate ID starting with "-"', input: { certId: '-router1' }, want: /^Certificate ID: "-router1" is not a Junos certificate-id/ },
    { name: 'a certificate ID with a space', input: { certId: 'router 1' }, want: /^Certificate ID: / },
    { name: 'a certificate ID with a shell character', input: { certId: 'r1;reboot' }, want: /^Certificate ID: / },
    { name: 'a CA profile with a slash', input: { caProfile: 'lab/ca' }, want: /^CA profile: .*not a Junos CA profile name/ },
    { name: 'no service to bind', input: { bind: [] }, want: /^Bind to: choose the services/ },
    { name: 'commit confirmed 0 minutes', input: { confirmMinutes: 0 }, want: /^Confirm within \(minutes\): "0" is not a whole number of minutes from 1 to 65535/ },
    { name: 'commit confirmed 65536 minutes', input: { confirmMinutes: 65536 }, want: /^Confirm within \(minutes\): / },
    { name: 'a REST port out of range', input: { verifyPort: 0 }, want: /^REST API HTTPS port: / },
    { name: 'a J-Web port out of range', input: { webPort: 70000 }, want: /^J-Web HTTPS port: / },
    { name: 'an SSH port out of range', input: { port: 65536 }, want: /^SSH port: / },
    { name: 'a certificate pin in place of a host key', input: { tlsPin: HEX_A }, want: /^certificate SHA-256: a Junos device is reached over SSH/ },
    { name: 'a server name that is not a host name', input: { serverName: 'router 1' }, want: /^Server name: / },
  ];
  for (const c of invalid) {
    it(`refuses ${c.name}, naming the field`, async () => {
      const { h } = setup();
      const e = await err(h, 'devices:save', { ...junos, ...c.input });
      expect(e.code).toBe('invalid-value');
      expect(e.message).toMatch(c.want);
      expect(await ok<View[]>(h, 'devices:list', {})).toEqual([]);
    });
  }

  it('refuses a certificate ID over 63 characters and a binding Junos does not have before any check', async () => {
    const { h } = setup();
    expect(await err(h, 'devices:save', { ...junos, certId: `a${'b'.repeat(63)}` })).toMatchObject({ code: 'invalid-request' });
    expect(await err(h, 'devices:save', { ...junos, bind: ['ssh'] })).toMatchObject({ code: 'invalid-request' });
    expect(await err(h, 'devices:save', { ...junos, confirmMinutes: 2.5 })).toMatchObject({ code: 'invalid-request' });
  });
});

describe('SPS profiles', () => {
  it('take a password only, default to the server role, and drop SSH and Junos fields', async () => {
    const { h, dataDir } = setup();
    const v = await ok<View>(h, 'devices:save', { ...sps, serverName: 'x.example.net', certId: 'x', bind: ['rest'], nginxDir: '/x' });
    expect(v).toMatchObject({ target: 'sps', port: 443, role: 'server', hasPassword: true, sudo: false });
    for (const k of ['serverName', 'certId', 'bind', 'confirmMinutes', 'nginxDir', 'hostKey', 'tlsPin']) expect(v).not.toHaveProperty(k);
    expect((await ok<View>(h, 'devices:save', { ...sps, id: v.id, password: undefined, role: 'tsa' })).role).toBe('tsa');
    expect(readFileSync(join(dataDir, 'devices.json'), 'utf8')).not.toContain(PASSWORD);
    expect(readFileSync(join(dataDir, 'vault.json'), 'utf8')).not.toContain(PASSWORD);
  });

  const invalid: { name: string; input: Record<string, unknown>; want: RegExp; code?: string }[] = [
    { name: 'a key file', input: { auth: 'key-file', password: undefined, identityFile: '/tmp/x' }, want: /^Authentication: SPS's REST API logs in with the user's password only/ },
    { name: 'ssh-agent', input: { auth: 'agent', password: undefined }, want: /^Authentication: / },
    { name: 'no password', input: { password: undefined }, want: /^Password: enter the password of api on sps\.example\.net/ },
    { name: 'an HTTPS port out of range', input: { port: 0 }, want: /^HTTPS port: "0" is not a port number/ },
    { name: 'an SSH host key', input: { hostKey: PIN_A }, want: /^host key: an SPS device is reached over HTTPS/ },
    { name: 'an SSH fingerprint as the certificate pin', input: { tlsPin: PIN_A }, want: /^certificate SHA-256: this is an SSH key fingerprint/ },
    { name: 'a pin that is not a SHA-256', input: { tlsPin: 'AB:CD' }, want: /^certificate SHA-256: not a SHA-256 fingerprint/ },
    { name: 'a user name with a colon', input: { user: 'api:x' }, want: /^User: / },
    { name: 'a role SPS does not have', input: { role: 'client' }, want: /role/, code: 'invalid-request' },
  ];
  for (const c of invalid) {
    it(`refuses ${c.name}, naming the field`, async () => {
      const { h } = setup();
      const e = await err(h, 'devices:save', { ...sps, ...c.input });
      expect(e.code).toBe(c.code ?? 'invalid-value');
      expect(e.message).toMatch(c.want);
      expect(await ok<View[]>(h, 'devices:list', {})).toEqual([]);
    });
  }

  it('a pin typed as openssl prints it is saved as AB:CD:...; another pin is refused with both until the trusted one is forgotten', async () => {
    const { h } = setup();
    const d = await ok<View>(h, 'devices:save', { ...sps, tlsPin: `sha256 Fingerprint=${HEX_A.toLowerCase()}` });
    expect(d.tlsPin).toBe(HEX_A);
    // Saving the form again keeps the trusted certificate.
    expect((await ok<View>(h, 'devices:save', { ...sps, id: d.id, password: undefined })).tlsPin).toBe(HEX_A);
    const e = await err(h, 'devices:save', { ...sps, id: d.id, password: undefined, tlsPin: HEX_B });
    expect(e.code).toBe('refused');
    expect(e.message).toContain(HEX_A);
    expect(e.message).toContain(HEX_B);
    expect((await ok<View[]>(h, 'devices:list', {}))[0]!.tlsPin).toBe(HEX_A);
    expect((await ok<View>(h, 'devices:save', { ...sps, id: d.id, password: undefined, forgetTlsPin: true })).tlsPin).toBeUndefined();
    expect((await ok<View>(h, 'devices:save', { ...sps, id: d.id, password: undefined, tlsPin: HEX_B })).tlsPin).toBe(HEX_B);
    // Another host or port is another server: its certificate must be checked anew.
    expect((await ok<View>(h, 'devices:save', { ...sps, id: d.id, password: undefined, port: 8443 })).tlsPin).toBeUndefined();
  });
});

describe('profiles saved before Junos and SPS existed', () => {
  it('an Apstra devices.json of the earlier format loads unchanged, and re-saves without new fields', async () => {
    const { h, dataDir } = setup();
    mkdirSync(dataDir, { recursive: true });
    const old = {
      id: '3f0c1c2e-8a4b-4c57-9a51-2f7c1f0b9e11', name: 'old apstra', target: 'apstra', host: 'apstra.example.net', port: 22, user: 'admin', auth: 'agent',
      hostKey: PIN_A, serverName: 'apstra.example.net', nginxDir: '/etc/aos/nginx.conf.d', restartCmd: 'sudo -n docker restart aos_nginx_1', httpsPort: 443,
      sudo: true, updatedAt: '2025-06-01T10:00:00.000Z',
    };
    writeFileSync(join(dataDir, 'devices.json'), JSON.stringify({ version: 1, devices: [old] }), { mode: 0o600 });
    const listed = await ok<View[]>(h, 'devices:list', {});
    expect(listed).toEqual([{ ...old, hasPassword: false, hasPassphrase: false }]);
    // As the form re-saves it: the fields, no hostKey (the trusted one stays), no sudo (the saved setting stays).
    const { updatedAt: _at, sudo: _sudo, hostKey: _key, ...fields } = old;
    const again = await ok<View>(h, 'devices:save', fields);
    expect(again).toMatchObject({ ...old, updatedAt: expect.any(String) });
    const onDisk = (JSON.parse(readFileSync(join(dataDir, 'devices.json'), 'utf8')) as { devices: Record<string, unknown>[] }).devices[0]!;
    expect(Object.keys(onDisk).sort()).toEqual(Object.keys(old).sort());
  });
});

describe('SPS certificate check against the SPS simulator', () => {
  let sim: SpsSim;
  let factoryFp = '';
  const users = [{ name: 'api', password: PASSWORD }];
  beforeAll(async () => {
    const keyPem = readFileSync(pki('rsa.key'), 'utf8');
    const certPem = readFileSync(pki('selfsigned.crt'), 'utf8');
    factoryFp = openssl(['x509', '-noout', '-fingerprint', '-sha256'], certPem).trim().replace(/^.*=/, '');
    sim = await startSpsSim({ users, server: { certPem, keyPem } });
  }, 30_000);
  afterAll(async () => {
    await sim?.close();
  });

  it('shows the certificate SPS presents, trusts it explicitly, then says it matches', async () => {
    const { h } = setup();
    const d = await ok<View>(h, 'devices:save', { ...sps, host: '127.0.0.1', port: sim.port });
    expect(d.tlsPin).toBeUndefined();
    const first = await ok<Record<string, unknown>>(h, 'devices:scan-host-key', { kind: 'tls', host: '127.0.0.1', port: sim.port, deviceId: d.id });
    expect(first).toMatchObject({ endpoint: `127.0.0.1:${sim.port}`, type: 'certificate', fingerprint: factoryFp, status: 'new' });
    expect(first).not.toHaveProperty('trusted');
    expect(first.certificate).toMatchObject({ subject: expect.stringContaining('router1.example.net'), selfSigned: true, sans: expect.arrayContaining(['DNS:router1.example.net']) });
    expect(factoryFp).toBe(sim.servedSha256());
    // Checking trusts nothing by itself.
    expect((await ok<View[]>(h, 'devices:list', {}))[0]!.tlsPin).toBeUndefined();

    const trusted = await ok<View>(h, 'devices:save', { ...sps, id: d.id, host: '127.0.0.1', port: sim.port, password: undefined, tlsPin: String(first.fingerprint) });
    expect(trusted).toMatchObject({ tlsPin: factoryFp, hasPassword: true });
    expect(await ok(h, 'devices:scan-host-key', { kind: 'tls', host: '127.0.0.1', port: sim.port, deviceId: d.id })).toMatchObject({ status: 'matches', trusted: factoryFp });
  });

  it('a certificate other than the trusted one is shown beside it and cannot be trusted until the old one is forgotten', async () => {
    const { h } = setup();
    const d = await ok<View>(h, 'devices:save', { ...sps, host: '127.0.0.1', port: sim.port, tlsPin: HEX_A });
    const seen = await ok<Record<string, unknown>>(h, 'devices:scan-host-key', { kind: 'tls', host: '127.0.0.1', port: sim.port, deviceId: d.id });
    expect(seen).toMatchObject({ status: 'changed', trusted: HEX_A, fingerprint: factoryFp });
    const e = await err(h, 'devices:save', { ...sps, id: d.id, host: '127.0.0.1', port: sim.port, password: undefined, tlsPin: factoryFp });
    expect(e.code).toBe('refused');
    expect(e.message).toContain(HEX_A);
    expect(e.message).toContain(factoryFp);
    expect((await ok<View[]>(h, 'devices:list', {}))[0]!.tlsPin).toBe(HEX_A);
    await ok(h, 'devices:save', { ...sps, id: d.id, host: '127.0.0.1', port: sim.port, password: undefined, forgetTlsPin: true });
    expect(await ok(h, 'devices:scan-host-key', { kind: 'tls', host: '127.0.0.1', port: sim.port, deviceId: d.id })).toMatchObject({ status: 'new' });
    expect((await ok<View>(h, 'devices:save', { ...sps, id: d.id, host: '127.0.0.1', port: sim.port, password: undefined, tlsPin: factoryFp })).tlsPin).toBe(factoryFp);
  });

  it('a port with no TLS service is a connect failure naming the endpoint; a bad host is refused before connecting', async () => {
    const { h } = setup();
    const port = await freePort();
    const e = await err(h, 'devices:scan-host-key', { kind: 'tls', host: '127.0.0.1', port });
    expect(e.code).toBe('connect-failed');
    expect(e.message).toContain(`127.0.0.1:${port}`);
    expect(await err(h, 'devices:scan-host-key', { kind: 'tls', host: '-oProxyCommand=x', port: 443 })).toMatchObject({ code: 'invalid-value', message: expect.stringMatching(/^Host: /) });
    expect(await err(h, 'devices:scan-host-key', { kind: 'tls', host: '127.0.0.1', port: 0 })).toMatchObject({ code: 'invalid-value', message: expect.stringMatching(/^HTTPS port: /) });
  });
});

describe('secrets in answers', () => {
  it('no answer in this file carried the password', () => {
    expect(answers.length).toBeGreaterThan(30);
    for (const a of answers) expect(a).not.toContain(PASSWORD);
  });
});
