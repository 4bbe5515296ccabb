import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { PushResult } from '../../src/core/push/types.js';
import { createAppHandlers, type Dialogs, type Handlers } from '../../src/main/dispatch.js';
import { inFormTerms } from '../../src/main/push-jobs.js';
import { testCipher } from '../helpers/cipher.js';
import { dispatchRecorder } from '../helpers/dispatch-recorder.js';
import { BOUND_TO_OLD_CERT, startJunosSim, type JunosSim } from '../helpers/junos-sim.js';
import { openssl, opensslServedSha256, tempDir } from '../helpers/openssl.js';
import { startSpsSim, type SpsSim } from '../helpers/sps-sim.js';

/*
 * Pushes from saved Junos and SPS profiles through `dispatch`, as the push screen drives them: the profile's
 * fields and its password (decrypted from the vault) reach the core's pushJunos / pushSps, which talk to the
 * in-process Junos NETCONF simulator and SPS REST simulator. What is served afterwards is read by a fresh
 * `openssl s_client` (the oracle); the history keeps the outcome and fingerprints and never the password.
 */

const pki = (name: string): string => fileURLToPath(new URL(`../fixtures/pki/${name}`, import.meta.url));
const read = (name: string): string => readFileSync(pki(name), 'utf8');
const sha256Of = (pem: string): string => openssl(['x509', '-noout', '-fingerprint', '-sha256'], pem).trim().replace(/^.*=/, '');
const t = tempDir('certbench-main-push-int-');

const NEW_FP = sha256Of(read('rsa.crt'));
const OLD_FP = sha256Of(read('ec.crt'));
const FACTORY_FP = sha256Of(read('selfsigned.crt'));
const PASSWORD = 'Push-pw-4b7e-never-shown';
const WRONG = 'Wrong-pw-91ad-never-shown';
const JUNOS_INITIAL = [...BOUND_TO_OLD_CERT];

const noDialogs: Dialogs = {
  openFiles: () => Promise.reject(new Error('unexpected open dialog')),
  saveFile: () => Promise.reject(new Error('unexpected save dialog')),
  chooseFolder: () => Promise.reject(new Error('unexpected folder dialog')),
};
const { answers, ok, err } = dispatchRecorder();

let junos: JunosSim | undefined;
let sps: SpsSim | undefined;
afterEach(async () => {
  await junos?.close();
  await sps?.close();
  junos = undefined;
  sps = undefined;
});

let n = 0;
function setup(): { h: Handlers; dataDir: string } {
  const dataDir = t.path(`data-${++n}`);
  const app = createAppHandlers({ appInfo: { name: 'certbench', version: '0' }, dialogs: noDialogs, clipboard: { writeText: () => {} }, dataDir, templatesDir: t.path('templates'), secrets: testCipher() });
  return { h: app.handlers, dataDir };
}

async function items(h: Handlers, names: string[]): Promise<Record<string, string>> {
  const r = await ok<{ items: { id: string; file: string }[]; errors: unknown[] }>(h, 'items:decode', {
    files: names.map((name) => ({ name, dataBase64: readFileSync(pki(name)).toString('base64') })),
  });
  expect(r.errors).toEqual([]);
  return Object.fromEntries(r.items.map((i) => [i.file, i.id]));
}

type Status = { done: boolean; next: number; events: { step: string; status: string; message: string }[]; result?: Omit<PushResult, 'events'>; error?: { code: string; message: string } };
type History = { target: string; host: string; port: number; deviceName: string; outcome: string; newSha256: string; previousSha256?: string; servedSha256?: string; certId?: string; error?: { code: string; message: string } }[];

async function follow(h: Handlers, jobId: string): Promise<{ events: Status['events']; last: Status }> {
  const events: Status['events'] = [];
  for (let since = 0; ;) {
    const s = await ok<Status>(h, 'push:status', { jobId, since });
    events.push(...s.events);
    since = s.next;
    if (s.done) return { events, last: s };
    await new Promise((r) => setTimeout(r, 50));
  }
}

const servedBy = (port: number): Promise<string> => opensslServedSha256(port, 'router1.example.net');

async function startJunos(): Promise<JunosSim> {
  junos = await startJunosSim({ users: [{ name: 'netops', password: PASSWORD }], config: JUNOS_INITIAL, localCerts: [{ id: 'old-cert', certPem: read('ec.crt'), keyPem: read('ec.key') }] });
  return junos;
}

const junosDevice = (s: JunosSim, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: 'lab mx', target: 'junos', host: '127.0.0.1', port: s.port, user: 'netops', auth: 'password', password: PASSWORD,
  hostKey: s.hostKeyFingerprint, certId: 'router1-2026', caProfile: 'lab-ca', serverName: 'router1.example.net', verifyPort: s.restPort, webPort: s.webPort, ...extra,
});

describe('push from a Junos profile to the Junos simulator', () => {
  it('dry run then push: the plan, the live log with the confirming commit, the new certificate served, a history entry without the password', async () => {
    const s = await startJunos();
    const { h, dataDir } = setup();
    const ids = await items(h, ['rsa.key', 'rsa.crt', 'int.crt', 'root.crt']);
    const d = await ok<{ id: string }>(h, 'devices:save', junosDevice(s));
    const request = { deviceId: d.id, keyId: ids['rsa.key'], certId: ids['rsa.crt'], chainIds: [ids['int.crt'], ids['root.crt']] };

    const dry = await follow(h, (await ok<{ jobId: string }>(h, 'push:start', { ...request, dryRun: true })).jobId);
    expect(dry.last.error).toBeUndefined();
    expect(dry.last.result).toMatchObject({ target: 'junos', outcome: 'planned', newSha256: NEW_FP, endpoint: `127.0.0.1:${s.port}` });
    const plan = dry.last.result!.plan;
    expect(plan.map((p) => p.step)).toEqual(expect.arrayContaining(['upload', 'activate', 'verify', 'confirm']));
    expect(plan.map((p) => p.description).join('\n')).toContain('router1-2026');
    expect(s.committed()).toEqual(JUNOS_INITIAL);
    expect(s.localCerts().map((c) => c.id)).toEqual(['old-cert']);
    expect(await ok(h, 'push:history', {})).toEqual([]);

    const run = await follow(h, (await ok<{ jobId: string }>(h, 'push:start', { ...request, dryRun: false })).jobId);
    expect(run.last.error).toBeUndefined();
    expect(run.last.result?.error).toBeUndefined();
    expect(run.last.result).toMatchObject({ target: 'junos', outcome: 'pushed', newSha256: NEW_FP, servedSha256: NEW_FP, previousSha256: OLD_FP });
    expect(run.events.map((e) => `${e.step}:${e.status}`)).toEqual(expect.arrayContaining(['upload:ok', 'activate:ok', 'verify:ok', 'confirm:ok']));
    // Exactly the set lines of the profile's options, committed and confirmed.
    expect([...s.committed()].sort()).toEqual([
      ...JUNOS_INITIAL.slice(0, 2),
      'set system services rest https server-certificate router1-2026',
      'set system services web-management https pki-local-certificate router1-2026',
      'set security pki ca-profile lab-ca ca-identity lab-ca',
    ].sort());
    expect(s.caCerts()).toEqual([{ profile: 'lab-ca', sha256: sha256Of(read('int.crt')) }]);
    expect(s.pendingConfirm()).toBe(false);
    expect(s.localCerts()).toEqual([{ id: 'old-cert', sha256: OLD_FP }, { id: 'router1-2026', sha256: NEW_FP }]);
    expect(s.tmpFiles()).toEqual([]);
    // The oracle: both services serve rsa.crt.
    expect(await servedBy(s.restPort)).toBe(NEW_FP);
    expect(await servedBy(s.webPort)).toBe(NEW_FP);

    const history = await ok<History>(h, 'push:history', {});
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ target: 'junos', deviceName: 'lab mx', host: '127.0.0.1', port: s.port, outcome: 'pushed', newSha256: NEW_FP, servedSha256: NEW_FP, previousSha256: OLD_FP, certId: 'router1-2026' });
    expect(readFileSync(`${dataDir}/push-history.json`, 'utf8')).not.toContain(PASSWORD);
  }, 120_000);

  it('only the profile\'s bindings are set: J-Web alone', async () => {
    const s = await startJunos();
    const { h } = setup();
    const ids = await items(h, ['rsa.key', 'rsa.crt', 'int.crt']);
    const d = await ok<{ id: string }>(h, 'devices:save', junosDevice(s, { bind: ['web'], caProfile: undefined, certId: 'web-only' }));
    const run = await follow(h, (await ok<{ jobId: string }>(h, 'push:start', { deviceId: d.id, keyId: ids['rsa.key'], certId: ids['rsa.crt'], chainIds: [ids['int.crt']], dryRun: false })).jobId);
    expect(run.last.result).toMatchObject({ outcome: 'pushed', servedSha256: NEW_FP });
    expect(s.committed()).toContain('set system services web-management https pki-local-certificate web-only');
    expect(s.committed()).toContain('set system services rest https server-certificate old-cert');
    expect(await servedBy(s.restPort)).toBe(OLD_FP);
    expect(await servedBy(s.webPort)).toBe(NEW_FP);
  }, 120_000);

  it('a certificate ID already on the device: nothing changes, and the message names the form\'s field', async () => {
    const s = await startJunos();
    const { h } = setup();
    const ids = await items(h, ['rsa.key', 'rsa.crt', 'int.crt']);
    const d = await ok<{ id: string }>(h, 'devices:save', junosDevice(s, { certId: 'old-cert', caProfile: undefined }));
    const run = await follow(h, (await ok<{ jobId: string }>(h, 'push:start', { deviceId: d.id, keyId: ids['rsa.key'], certId: ids['rsa.crt'], chainIds: [ids['int.crt']], dryRun: false })).jobId);
    const error = run.last.result?.error ?? run.last.error;
    expect(run.last.result?.outcome ?? 'unchanged').toBe('unchanged');
    expect(error?.message).toMatch(/old-cert already exists/);
    expect(error?.message).toContain('"Certificate ID"');
    expect(error?.message).not.toContain('--cert-id');
    expect(s.committed()).toEqual(JUNOS_INITIAL);
    expect(await ok<History>(h, 'push:history', {})).toMatchObject([{ target: 'junos', outcome: 'unchanged' }]);
  }, 120_000);

  it('the device rejects the certificate: nothing committed, the old certificate served, the history says so', async () => {
    const s = await startJunos();
    s.faults.rejectLocalLoad = 'error: Failed to load local certificate: simulated rejection';
    const { h } = setup();
    const ids = await items(h, ['rsa.key', 'rsa.crt', 'int.crt']);
    const d = await ok<{ id: string }>(h, 'devices:save', junosDevice(s, { caProfile: undefined }));
    const run = await follow(h, (await ok<{ jobId: string }>(h, 'push:start', { deviceId: d.id, keyId: ids['rsa.key'], certId: ids['rsa.crt'], chainIds: [ids['int.crt']], dryRun: false })).jobId);
    // The load failed before any configuration change: nothing to roll back, so nothing was changed.
    expect(run.last.result?.outcome).toBe('unchanged');
    expect(run.last.result?.error?.message).toContain('simulated rejection');
    expect(s.committed()).toEqual(JUNOS_INITIAL);
    expect(s.tmpFiles()).toEqual([]);
    expect(await servedBy(s.restPort)).toBe(OLD_FP);
    const history = await ok<History>(h, 'push:history', {});
    expect(history[0]).toMatchObject({ target: 'junos', outcome: 'unchanged', certId: 'router1-2026', error: { message: expect.stringContaining('simulated rejection') } });
  }, 120_000);

  it('a second push from the same profile needs a new certificate-id: the used one is refused in the form\'s words, a new one for this push is served', async () => {
    const s = await startJunos();
    const { h } = setup();
    const ids = await items(h, ['rsa.key', 'rsa.crt', 'int.crt', 'selfsigned.crt']);
    const d = await ok<{ id: string }>(h, 'devices:save', junosDevice(s, { caProfile: undefined }));
    const first = { deviceId: d.id, keyId: ids['rsa.key'], certId: ids['rsa.crt'], chainIds: [ids['int.crt']] };
    // The second certificate is another one for the same key and name, so what is served tells the pushes apart.
    const second = { deviceId: d.id, keyId: ids['rsa.key'], certId: ids['selfsigned.crt'], chainIds: [] };

    const one = await follow(h, (await ok<{ jobId: string }>(h, 'push:start', { ...first, dryRun: false })).jobId);
    expect(one.last.result).toMatchObject({ outcome: 'pushed', servedSha256: NEW_FP });
    const afterFirst = [...s.committed()];
    expect(afterFirst).toContain('set system services rest https server-certificate router1-2026');

    // The profile's id again, now given for this push: the device holds it, so nothing changes.
    const again = await follow(h, (await ok<{ jobId: string }>(h, 'push:start', { ...second, junosCertId: 'router1-2026', dryRun: false })).jobId);
    expect(again.last.result?.outcome).toBe('unchanged');
    const refusal = again.last.result?.error?.message ?? '';
    expect(refusal).toMatch(/router1-2026 already exists/);
    expect(refusal).toContain('"Certificate ID for this push"');
    expect(refusal).not.toContain('--cert-id');
    expect(s.committed()).toEqual(afterFirst);
    expect(await servedBy(s.restPort)).toBe(NEW_FP);

    // A new id for this push: the plan names it, and the push loads, binds and serves the second certificate under it.
    const dry = await follow(h, (await ok<{ jobId: string }>(h, 'push:start', { ...second, junosCertId: ' router1-2026-2 ', dryRun: true })).jobId);
    expect(dry.last.result?.outcome).toBe('planned');
    expect(dry.last.result!.plan.map((p) => p.description).join('\n')).toContain('certificate-id router1-2026-2');
    const two = await follow(h, (await ok<{ jobId: string }>(h, 'push:start', { ...second, junosCertId: 'router1-2026-2', dryRun: false })).jobId);
    expect(two.last.result?.error).toBeUndefined();
    expect(two.last.result).toMatchObject({ outcome: 'pushed', newSha256: FACTORY_FP, servedSha256: FACTORY_FP, previousSha256: NEW_FP });
    expect(s.committed()).toEqual(expect.arrayContaining([
      'set system services rest https server-certificate router1-2026-2',
      'set system services web-management https pki-local-certificate router1-2026-2',
    ]));
    expect(s.committed().filter((l) => l.endsWith(' router1-2026'))).toEqual([]);
    expect(s.localCerts().map((c) => c.id).sort()).toEqual(['old-cert', 'router1-2026', 'router1-2026-2']);
    expect(s.pendingConfirm()).toBe(false);
    // The oracle: both services serve the second certificate.
    expect(await servedBy(s.restPort)).toBe(FACTORY_FP);
    expect(await servedBy(s.webPort)).toBe(FACTORY_FP);

    // The per-push id is no change to the profile; the history says which id each push used.
    expect((await ok<{ certId?: string }[]>(h, 'devices:list', {}))[0]!.certId).toBe('router1-2026');
    const history = await ok<History>(h, 'push:history', {});
    expect(history.map((e) => [e.outcome, e.certId])).toEqual([['pushed', 'router1-2026-2'], ['unchanged', 'router1-2026'], ['pushed', 'router1-2026']]);
  }, 120_000);

  describe('a certificate-id for this push that Junos would not take is refused at the click, and the device is never reached', () => {
    const cases: { name: string; input: string; want: RegExp }[] = [
      { name: 'empty', input: '  ', want: /give the certificate-id/ },
      { name: 'starts with a hyphen', input: '-web', want: /not a Junos certificate-id/ },
      { name: 'a space', input: 'web 2026', want: /not a Junos certificate-id/ },
      { name: 'a slash', input: '../web', want: /not a Junos certificate-id/ },
      { name: 'two dots', input: 'web..2026', want: /holds "\.\."/ },
      { name: '64 characters', input: `w${'x'.repeat(63)}`, want: /1 to 63 letters/ },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const s = await startJunos();
        const { h } = setup();
        const ids = await items(h, ['rsa.key', 'rsa.crt']);
        const d = await ok<{ id: string }>(h, 'devices:save', junosDevice(s, { caProfile: undefined }));
        const e = await err(h, 'push:start', { deviceId: d.id, keyId: ids['rsa.key'], certId: ids['rsa.crt'], chainIds: [], junosCertId: c.input, dryRun: true });
        expect(e.code).toBe('invalid-value');
        expect(e.message).toMatch(/^Certificate ID for this push: /);
        expect(e.message).toMatch(c.want);
        expect(s.rpcs).toEqual([]);
      }, 60_000);
    }
  });

  it('no trusted host key: refused at the click, and the device is never reached', async () => {
    const s = await startJunos();
    const { h } = setup();
    const ids = await items(h, ['rsa.key', 'rsa.crt']);
    const d = await ok<{ id: string }>(h, 'devices:save', junosDevice(s, { hostKey: undefined }));
    const e = await err(h, 'push:start', { deviceId: d.id, keyId: ids['rsa.key'], certId: ids['rsa.crt'], chainIds: [], dryRun: true });
    expect(e).toMatchObject({ code: 'refused', message: expect.stringMatching(/no host key is trusted for lab mx.*Check host key/) });
    expect(s.rpcs).toEqual([]);
  }, 60_000);
});

async function startSps(): Promise<SpsSim> {
  sps = await startSpsSim({ users: [{ name: 'api', password: PASSWORD }], server: { certPem: read('selfsigned.crt'), keyPem: read('rsa.key') } });
  return sps;
}

const spsDevice = (s: SpsSim, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: 'lab sps', target: 'sps', host: '127.0.0.1', port: s.port, user: 'api', auth: 'password', password: PASSWORD, ...extra,
});

describe('push from an SPS profile to the SPS simulator', () => {
  it('check and trust the certificate, dry run, push: the new certificate served, trusted from now on, a history entry without the password', async () => {
    const s = await startSps();
    const { h, dataDir } = setup();
    const ids = await items(h, ['rsa.key', 'rsa.crt', 'int.crt', 'root.crt']);
    const d = await ok<{ id: string }>(h, 'devices:save', spsDevice(s));
    const request = { deviceId: d.id, keyId: ids['rsa.key'], certId: ids['rsa.crt'], chainIds: [ids['int.crt'], ids['root.crt']] };
    // Nothing trusted yet: no password leaves this computer.
    expect(await err(h, 'push:start', { ...request, dryRun: true })).toMatchObject({ code: 'refused', message: expect.stringMatching(/no certificate is trusted for lab sps.*Check certificate/) });
    expect(s.requests).toEqual([]);

    const check = await ok<{ fingerprint: string; status: string }>(h, 'devices:scan-host-key', { kind: 'tls', host: '127.0.0.1', port: s.port, deviceId: d.id });
    expect(check).toMatchObject({ status: 'new', fingerprint: FACTORY_FP });
    await ok(h, 'devices:save', { ...spsDevice(s), id: d.id, password: undefined, tlsPin: check.fingerprint });

    const dry = await follow(h, (await ok<{ jobId: string }>(h, 'push:start', { ...request, dryRun: true })).jobId);
    expect(dry.last.error).toBeUndefined();
    expect(dry.last.result).toMatchObject({ target: 'sps', outcome: 'planned', newSha256: NEW_FP, previousSha256: FACTORY_FP });
    // rsa.crt does not name 127.0.0.1: the core's warning, in the form's words.
    const sanWarning = dry.last.result!.warnings.find((w) => w.code === 'sps-host-not-in-san');
    expect(sanWarning?.message).toContain('127.0.0.1 (from "Host" and "HTTPS port")');
    expect(s.commits).toBe(0);

    const run = await follow(h, (await ok<{ jobId: string }>(h, 'push:start', { ...request, dryRun: false })).jobId);
    expect(run.last.error).toBeUndefined();
    expect(run.last.result?.error).toBeUndefined();
    expect(run.last.result).toMatchObject({ target: 'sps', outcome: 'pushed', newSha256: NEW_FP, servedSha256: NEW_FP, previousSha256: FACTORY_FP });
    expect(s.commits).toBe(1);
    expect(s.transactionOpen()).toBe(false);
    // The oracle: SPS serves rsa.crt.
    expect(await opensslServedSha256(s.port)).toBe(NEW_FP);
    // SPS now serves the pushed certificate on the very port certbench logs in on: that is the one trusted next time.
    expect(run.events.some((e) => e.status === 'info' && e.message.includes(`now trusts the certificate it serves, SHA-256 ${NEW_FP}`))).toBe(true);
    const [device] = await ok<{ tlsPin?: string }[]>(h, 'devices:list', {});
    expect(device!.tlsPin).toBe(NEW_FP);
    expect(await ok(h, 'devices:scan-host-key', { kind: 'tls', host: '127.0.0.1', port: s.port, deviceId: d.id })).toMatchObject({ status: 'matches' });

    const history = await ok<History>(h, 'push:history', {});
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ target: 'sps', deviceName: 'lab sps', host: '127.0.0.1', port: s.port, outcome: 'pushed', newSha256: NEW_FP, servedSha256: NEW_FP });
    expect(readFileSync(`${dataDir}/push-history.json`, 'utf8')).not.toContain(PASSWORD);
  }, 120_000);

  it('a wrong password: not pushed, nothing committed, and the history says so without either password', async () => {
    const s = await startSps();
    const { h, dataDir } = setup();
    const ids = await items(h, ['rsa.key', 'rsa.crt', 'int.crt']);
    const d = await ok<{ id: string }>(h, 'devices:save', spsDevice(s, { password: WRONG, tlsPin: FACTORY_FP }));
    const run = await follow(h, (await ok<{ jobId: string }>(h, 'push:start', { deviceId: d.id, keyId: ids['rsa.key'], certId: ids['rsa.crt'], chainIds: [ids['int.crt']], dryRun: false })).jobId);
    expect(run.last.result?.outcome).toBe('unchanged');
    const error = run.last.result?.error;
    expect(error?.code).toBe('auth-failed');
    expect(error?.message).toContain(`127.0.0.1:${s.port}`);
    expect(error?.message).not.toContain(WRONG);
    expect(error?.message).not.toContain(PASSWORD);
    expect(s.commits).toBe(0);
    expect(await opensslServedSha256(s.port)).toBe(FACTORY_FP);
    const history = await ok<History>(h, 'push:history', {});
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ target: 'sps', outcome: 'unchanged', newSha256: NEW_FP, error: { code: 'auth-failed' } });
    // A certificate-id is a Junos thing: an SPS entry has none.
    expect(history[0]!.certId).toBeUndefined();
    expect(history[0]!.servedSha256 ?? FACTORY_FP).toBe(FACTORY_FP);
    const text = readFileSync(`${dataDir}/push-history.json`, 'utf8');
    expect(text).not.toContain(WRONG);
    expect(text).not.toContain(PASSWORD);
    // The trusted certificate stays what it was.
    expect((await ok<{ tlsPin?: string }[]>(h, 'devices:list', {}))[0]!.tlsPin).toBe(FACTORY_FP);
  }, 120_000);

  it('SPS presents another certificate than the trusted one: the password is not sent and nothing changes', async () => {
    const s = await startSps();
    const { h } = setup();
    const ids = await items(h, ['rsa.key', 'rsa.crt']);
    const other = sha256Of(read('ec.crt'));
    const d = await ok<{ id: string }>(h, 'devices:save', spsDevice(s, { tlsPin: other }));
    const run = await follow(h, (await ok<{ jobId: string }>(h, 'push:start', { deviceId: d.id, keyId: ids['rsa.key'], certId: ids['rsa.crt'], chainIds: [], dryRun: false })).jobId);
    expect(run.last.result?.outcome).toBe('unchanged');
    expect(run.last.result?.error?.message).toContain(FACTORY_FP.slice(0, 20));
    expect(run.last.result?.error?.message).not.toMatch(/--pin(?![\w-])/);
    expect(s.requests.filter((r) => r.path.startsWith('/api/authentication'))).toEqual([]);
    expect(s.commits).toBe(0);
  }, 60_000);

  it('a certificate-id for this push is refused for an SPS device (it is a Junos field), before any request', async () => {
    const s = await startSps();
    const { h } = setup();
    const ids = await items(h, ['rsa.key', 'rsa.crt']);
    const d = await ok<{ id: string }>(h, 'devices:save', spsDevice(s, { tlsPin: FACTORY_FP }));
    const e = await err(h, 'push:start', { deviceId: d.id, keyId: ids['rsa.key'], certId: ids['rsa.crt'], chainIds: [], junosCertId: 'web-2026', dryRun: true });
    expect(e).toMatchObject({ code: 'invalid-value', message: expect.stringMatching(/^Certificate ID for this push: only a Junos device takes a certificate-id; lab sps is an SPS device/) });
    expect(s.requests).toEqual([]);
  }, 60_000);

  it('an ECDSA key is refused at the click: SPS takes RSA keys only', async () => {
    const s = await startSps();
    const { h } = setup();
    const ids = await items(h, ['ec.key', 'ec.crt', 'int.crt']);
    const d = await ok<{ id: string }>(h, 'devices:save', spsDevice(s, { tlsPin: FACTORY_FP }));
    const e = await err(h, 'push:start', { deviceId: d.id, keyId: ids['ec.key'], certId: ids['ec.crt'], chainIds: [ids['int.crt']], dryRun: false });
    expect(e.code).toBe('refused');
    expect(e.message).toMatch(/RSA/);
    expect(s.requests).toEqual([]);
    expect(await ok(h, 'push:history', {})).toEqual([]);
  }, 60_000);
});

describe('Junos and SPS flags in the device form\'s words', () => {
  const cases: { input: string; want: string }[] = [
    { input: 'give a new --cert-id (the bindings move to it)', want: 'give a new "Certificate ID" (the bindings move to it)' },
    { input: '--ca-profile: a CA profile is loaded with the issuing CA certificate: give it with --chain', want: '"CA profile": a CA profile is loaded with the issuing CA certificate: give it with "Chain"' },
    { input: '--bind: give rest, web or rest,web', want: '"Bind to": give rest, web or rest,web' },
    { input: 'raise --confirm-minutes or lower --verify-timeout', want: 'raise "Confirm within (minutes)" or lower --verify-timeout' },
    { input: 'check --verify-port and --web-port, not --port', want: 'check "REST API HTTPS port" and "J-Web HTTPS port", not "SSH port"' },
    { input: '127.0.0.1 (from --url) is not in the SAN', want: '127.0.0.1 (from "Host" and "HTTPS port") is not in the SAN' },
    { input: 'the certificate is not the one --pin names', want: 'the certificate is not the one the trusted certificate names' },
    { input: '--role: not a role', want: '"Role": not a role' },
    { input: 'a flag that only starts like one: --binding, --pinned', want: 'a flag that only starts like one: --binding, --pinned' },
  ];
  for (const c of cases) it(c.input, () => expect(inFormTerms(c.input)).toBe(c.want));

  // A certificate-id given for one push came from the push screen's field, not from the profile.
  const perPush: { input: string; want: string }[] = [
    { input: 'give a new --cert-id (the bindings move to it)', want: 'give a new "Certificate ID for this push" (the bindings move to it)' },
    { input: '--cert-id: bad; check --ca-profile', want: '"Certificate ID for this push": bad; check "CA profile"' },
    { input: 'only starts like it: --cert-ids', want: 'only starts like it: --cert-ids' },
  ];
  for (const c of perPush) it(`for this push: ${c.input}`, () => expect(inFormTerms(c.input, { perPushCertId: true })).toBe(c.want));
});

describe('secrets in answers', () => {
  it('no answer in this file carried a password', () => {
    expect(answers.length).toBeGreaterThan(20);
    for (const a of answers) {
      expect(a).not.toContain(PASSWORD);
      expect(a).not.toContain(WRONG);
    }
  });
});
