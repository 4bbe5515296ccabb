import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { pushApstra } from '../../src/core/push/index.js';
import type { ApstraPushParams, PushResult } from '../../src/core/push/types.js';
import { createAppHandlers, createHandlers, type Dialogs, type Handlers, type HandlerDeps } from '../../src/main/dispatch.js';
import { checkPushCertId, inFormTerms, MAX_HISTORY } from '../../src/main/push-jobs.js';
import { InputError } from '../../src/core/errors.js';
import { fingerprintOf, useApstraStandIn } from '../helpers/apstra-standin.js';
import { dispatchRecorder } from '../helpers/dispatch-recorder.js';
import { tempDir } from '../helpers/openssl.js';
import { startPasswordServer } from '../helpers/sshd.js';
import { testCipher } from '../helpers/cipher.js';
import { pushCertIdError, suggestCertId } from '../../src/shared/push-cert-id.js';

// As root, `sudo -n` changes nothing about who owns what, so the test can read back and nginx can load what
// sudo wrote. As another user, sudo would make root-owned 0600 files that neither can read: skipped there.
const asRoot = process.getuid?.() === 0;

/*
 * Push jobs through `dispatch`, as the push screen drives them: a device profile, the session's key and
 * certificate, push:start, push:status polled until done, push:cancel and push:history. The pushes are real:
 * Debian's sshd on 127.0.0.1 for the Apstra server's SSH, a temp folder for /etc/aos/nginx.conf.d and a real
 * nginx restarted by a script; what is served is read by `openssl s_client`, never by certbench itself.
 */

const pki = (name: string): string => fileURLToPath(new URL(`../fixtures/pki/${name}`, import.meta.url));
const t = tempDir('certbench-main-push-');
const p = t.path;
const apstra = useApstraStandIn();
afterAll(() => t.cleanup());


const noDialogs: Dialogs = {
  openFiles: () => Promise.reject(new Error('unexpected open dialog')),
  saveFile: () => Promise.reject(new Error('unexpected save dialog')),
  chooseFolder: () => Promise.reject(new Error('unexpected folder dialog')),
};

const PASSWORD = 'pw-9d1c-never-shown';
// Every answer any test got, to prove no secret ever travels back.
const { answers, call, ok, err } = dispatchRecorder();

const NEW_FP = fingerprintOf(readFileSync(pki('ec.crt'), 'utf8'));

let n = 0;
function setup(extra: Partial<HandlerDeps> = {}): { h: Handlers; dataDir: string; pushing(): boolean; shutdown(): Promise<void> } {
  const dataDir = p(`data-${++n}`);
  const app = createAppHandlers({ appInfo: { name: 'certbench', version: '0' }, dialogs: noDialogs, clipboard: { writeText: () => {} }, dataDir, templatesDir: p('templates'), secrets: testCipher(), ...extra });
  return { h: app.handlers, dataDir, pushing: app.pushing, shutdown: app.shutdown };
}

/** Decodes fixture files into the session and returns their item ids by file name. */
async function items(h: Handlers, names: string[]): Promise<Record<string, string>> {
  const r = await ok<{ items: { id: string; file: string }[]; errors: unknown[] }>(h, 'items:decode', {
    files: names.map((name) => ({ name, dataBase64: readFileSync(pki(name)).toString('base64') })),
  });
  expect(r.errors).toEqual([]);
  return Object.fromEntries(r.items.map((i) => [i.file, i.id]));
}

type Status = { jobId: string; deviceId: string; dryRun: boolean; events: { step: string; status: string; message: string; index: number; total: number }[]; next: number; done: boolean; result?: Omit<PushResult, 'events'>; error?: { code: string; message: string } };

/** Polls push:status as the renderer does until the job is done; returns every event and the last status. */
async function follow(h: Handlers, jobId: string): Promise<{ events: Status['events']; last: Status; polls: number }> {
  const events: Status['events'] = [];
  let since = 0;
  for (let polls = 1; ; polls++) {
    const s = await ok<Status>(h, 'push:status', { jobId, since });
    expect(s.next).toBe(since + s.events.length);
    events.push(...s.events);
    since = s.next;
    if (s.done) return { events, last: s, polls };
    await new Promise((r) => setTimeout(r, 50));
  }
}

const deviceFields = (): Record<string, unknown> => {
  const { sshd, nginx, dir } = apstra();
  return {
    name: 'lab apstra',
    target: 'apstra',
    host: '127.0.0.1',
    port: sshd.port,
    user: sshd.user,
    auth: 'key-file',
    identityFile: sshd.clientKey.path,
    serverName: 'apstra.example.net',
    nginxDir: dir,
    restartCmd: nginx.restartScript,
    httpsPort: nginx.port,
  };
};

describe('push jobs against a real sshd and nginx', () => {
  it('refuses to start before a host key is trusted, and connects nowhere', async () => {
    let pushed = false;
    const { h } = setup({ push: async () => { pushed = true; throw new Error('must not run'); } });
    const ids = await items(h, ['ec.key', 'ec.crt', 'int.crt']);
    const d = await ok<{ id: string }>(h, 'devices:save', deviceFields());
    const e = await err(h, 'push:start', { deviceId: d.id, keyId: ids['ec.key'], certId: ids['ec.crt'], chainIds: [ids['int.crt']], dryRun: true });
    expect(e.code).toBe('refused');
    expect(e.message).toMatch(/no host key is trusted for lab apstra/);
    expect(e.message).toMatch(/Check host key/);
    expect(pushed).toBe(false);
  });

  it('refuses a key that does not match the certificate at the click, before any job', async () => {
    const { sshd } = apstra();
    let pushed = false;
    const { h } = setup({ push: async () => { pushed = true; throw new Error('must not run'); } });
    const ids = await items(h, ['rsa.key', 'ec.crt', 'int.crt']);
    const d = await ok<{ id: string }>(h, 'devices:save', { ...deviceFields(), hostKey: sshd.hostKeyFingerprint });
    const e = await err(h, 'push:start', { deviceId: d.id, keyId: ids['rsa.key'], certId: ids['ec.crt'], chainIds: [ids['int.crt']], dryRun: false });
    expect(e.code).toBe('refused');
    expect(e.message).toMatch(/does not match the certificate/);
    expect(pushed).toBe(false);
    expect(await ok(h, 'push:history', {})).toEqual([]);
  });

  it('dry run, then push: live events, the new certificate served, one history entry; the dry run is not history', async () => {
    const { sshd, oldSha256: OLD_FP, servedFingerprint } = apstra();
    const { h, dataDir } = setup();
    const ids = await items(h, ['ec.key', 'ec.crt', 'int.crt']);
    const d = await ok<{ id: string; name: string }>(h, 'devices:save', { ...deviceFields(), hostKey: sshd.hostKeyFingerprint });
    const request = { deviceId: d.id, keyId: ids['ec.key'], certId: ids['ec.crt'], chainIds: [ids['int.crt']] };

    const plan = await ok<{ jobId: string }>(h, 'push:start', { ...request, dryRun: true });
    const dry = await follow(h, plan.jobId);
    expect(dry.last).toMatchObject({ jobId: plan.jobId, deviceId: d.id, dryRun: true, done: true });
    expect(dry.last.result).toMatchObject({ outcome: 'planned', newSha256: NEW_FP, previousSha256: OLD_FP, endpoint: `127.0.0.1:${sshd.port}` });
    expect(dry.last.result!.plan.map((s) => s.step)).toEqual(expect.arrayContaining(['backup', 'upload', 'activate', 'verify']));
    expect(dry.events.length).toBeGreaterThan(0);
    expect(dry.last.result).not.toHaveProperty('events');
    expect(servedFingerprint()).toBe(OLD_FP);
    expect(await ok(h, 'push:history', {})).toEqual([]);

    const job = await ok<{ jobId: string }>(h, 'push:start', { ...request, dryRun: false });
    // One push per device at a time.
    expect(await err(h, 'push:start', { ...request, dryRun: true })).toMatchObject({ code: 'refused', message: expect.stringMatching(/still running/) });
    const run = await follow(h, job.jobId);
    expect(run.last.error).toBeUndefined();
    expect(run.last.result).toMatchObject({ outcome: 'pushed', newSha256: NEW_FP, previousSha256: OLD_FP, servedSha256: NEW_FP });
    expect(run.last.result!.backups).toHaveLength(2);
    expect(servedFingerprint()).toBe(NEW_FP);
    // The events arrived in order, each step's start before its end, and the last one ended the push.
    const steps = run.events.map((e) => `${e.step}:${e.status}`);
    expect(steps).toContain('upload:ok');
    expect(steps.indexOf('verify:start')).toBeLessThan(steps.indexOf('verify:ok'));
    expect(run.events.every((e) => e.index >= 1 && e.index <= e.total)).toBe(true);
    // Polling from the end answers nothing new.
    const tail = await ok<Status>(h, 'push:status', { jobId: job.jobId, since: run.last.next });
    expect(tail.events).toEqual([]);
    expect(tail.done).toBe(true);

    const history = await ok<Record<string, unknown>[]>(h, 'push:history', {});
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ deviceId: d.id, deviceName: 'lab apstra', host: '127.0.0.1', port: sshd.port, target: 'apstra', outcome: 'pushed', newSha256: NEW_FP, previousSha256: OLD_FP, servedSha256: NEW_FP });
    expect(Date.parse(history[0]!.at as string)).not.toBeNaN();
    const file = `${dataDir}/push-history.json`;
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).not.toMatch(/PRIVATE KEY/);

    // The history outlives the handlers (an app restart) and survives the device's deletion.
    await ok(h, 'devices:delete', { id: d.id });
    const again = createHandlers({ appInfo: { name: 'certbench', version: '0' }, dialogs: noDialogs, clipboard: { writeText: () => {} }, dataDir, templatesDir: p('templates') });
    expect(await ok(again, 'push:history', {})).toEqual(history);
  });

  it.skipIf(!asRoot)('"Use sudo": the push goes through sudo -n (the plan says so) and the new certificate is served; without it, it does not', async () => {
    const { sshd, dir, oldSha256: OLD_FP, servedFingerprint } = apstra();
    // The real core push, recording what the job asked of it.
    const asked: (boolean | undefined)[] = [];
    const { h } = setup({ push: (params: ApstraPushParams, onEvent) => { asked.push(params.sudo); return pushApstra(params, onEvent); } });
    const ids = await items(h, ['ec.key', 'ec.crt', 'int.crt']);
    const plain = await ok<{ id: string }>(h, 'devices:save', { ...deviceFields(), name: 'plain apstra', hostKey: sshd.hostKeyFingerprint });
    const d = await ok<{ id: string; sudo: boolean }>(h, 'devices:save', { ...deviceFields(), sudo: true, hostKey: sshd.hostKeyFingerprint });
    expect(d.sudo).toBe(true);
    const request = { keyId: ids['ec.key'], certId: ids['ec.crt'], chainIds: [ids['int.crt']] };
    const backupOf = (r: Status): string | undefined => r.result?.plan.find((s) => s.step === 'backup')?.description;

    const dry = (await follow(h, (await ok<{ jobId: string }>(h, 'push:start', { ...request, deviceId: plain.id, dryRun: true })).jobId)).last;
    expect(dry.result?.outcome).toBe('planned');
    expect(backupOf(dry)).toContain(dir);
    expect(backupOf(dry)).not.toContain('sudo');

    const run = await follow(h, (await ok<{ jobId: string }>(h, 'push:start', { ...request, deviceId: d.id, dryRun: false })).jobId);
    expect(run.last.error).toBeUndefined();
    expect(run.last.result).toMatchObject({ outcome: 'pushed', newSha256: NEW_FP, previousSha256: OLD_FP, servedSha256: NEW_FP });
    expect(backupOf(run.last)).toContain('through sudo -n');
    expect(run.last.result!.plan.find((s) => s.step === 'upload')?.description).toContain('through sudo -n');
    expect(run.last.result!.backups).toHaveLength(2);
    expect(asked).toEqual([false, true]);
    // The oracle: nginx serves ec.crt, and the key went in owner-only.
    expect(servedFingerprint()).toBe(NEW_FP);
    expect(statSync(`${dir}/nginx.key`).mode & 0o777).toBe(0o600);
  });

  it('cancel: the push stops, the old certificate is still served, and the history says so', async () => {
    const { sshd, oldSha256: OLD_FP, servedFingerprint } = apstra();
    const { h } = setup();
    const ids = await items(h, ['ec.key', 'ec.crt', 'int.crt']);
    const d = await ok<{ id: string }>(h, 'devices:save', { ...deviceFields(), hostKey: sshd.hostKeyFingerprint });
    const job = await ok<{ jobId: string }>(h, 'push:start', { deviceId: d.id, keyId: ids['ec.key'], certId: ids['ec.crt'], chainIds: [ids['int.crt']], dryRun: false });
    expect(await ok(h, 'push:cancel', { jobId: job.jobId })).toEqual({ cancelled: true });
    const run = await follow(h, job.jobId);
    expect(['unchanged', 'rolled-back']).toContain(run.last.result?.outcome);
    expect(run.last.result?.error?.code).toBe('cancelled');
    expect(servedFingerprint()).toBe(OLD_FP);
    expect(await ok(h, 'push:cancel', { jobId: job.jobId })).toEqual({ cancelled: false });
    const history = await ok<{ outcome: string; error?: { code: string } }[]>(h, 'push:history', {});
    expect(history).toHaveLength(1);
    expect(history[0]!.outcome).toBe(run.last.result?.outcome);
    expect(history[0]!.error?.code).toBe('cancelled');
  });

  it('quitting mid-push (shutdown) cancels it: the change is rolled back, the old certificate served, and the history says so', async () => {
    const { sshd, dir, oldCrt, oldSha256: OLD_FP, servedFingerprint } = apstra();
    const { h, shutdown, pushing } = setup();
    const ids = await items(h, ['ec.key', 'ec.crt', 'int.crt']);
    // A restart that restarts nothing: nginx keeps serving the old certificate, so verify waits for the new one.
    const d = await ok<{ id: string }>(h, 'devices:save', { ...deviceFields(), restartCmd: 'true', hostKey: sshd.hostKeyFingerprint });
    const request = { deviceId: d.id, keyId: ids['ec.key'], certId: ids['ec.crt'], chainIds: [ids['int.crt']] };
    expect(pushing()).toBe(false);
    const job = await ok<{ jobId: string }>(h, 'push:start', { ...request, dryRun: false });
    expect(pushing()).toBe(true);
    // Poll until the new files are in place (the device is half-changed), as a quit could come at any moment.
    const seen: string[] = [];
    for (let since = 0; !seen.includes('activate:ok') && !seen.includes('verify:start');) {
      const s = await ok<Status>(h, 'push:status', { jobId: job.jobId, since });
      seen.push(...s.events.map((e) => `${e.step}:${e.status}`));
      since = s.next;
      if (s.done) throw new Error(`the push ended before it could be interrupted: ${JSON.stringify(s.result ?? s.error)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(readFileSync(`${dir}/nginx.crt`, 'utf8')).not.toBe(oldCrt);

    await shutdown();

    expect(pushing()).toBe(false);
    const s = await ok<Status>(h, 'push:status', { jobId: job.jobId, since: 0 });
    expect(s.done).toBe(true);
    expect(s.result).toMatchObject({ outcome: 'rolled-back', error: { code: 'cancelled' } });
    expect(s.events.map((e) => `${e.step}:${e.status}`)).toContain('rollback:ok');
    expect(readFileSync(`${dir}/nginx.crt`, 'utf8')).toBe(oldCrt);
    expect(servedFingerprint()).toBe(OLD_FP);
    const history = await ok<{ outcome: string; newSha256: string; previousSha256?: string; error?: { code: string } }[]>(h, 'push:history', {});
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ outcome: 'rolled-back', newSha256: NEW_FP, previousSha256: OLD_FP, error: { code: 'cancelled' } });
    // A quitting app starts no new push.
    expect(await err(h, 'push:start', { ...request, dryRun: true })).toMatchObject({ code: 'refused', message: expect.stringMatching(/quitting/) });
  });

  it('a host that presents another key than the trusted one: nothing changes, and the message shows both keys', async () => {
    const { sshd, dir, oldCrt, oldSha256: OLD_FP, servedFingerprint } = apstra();
    const { h } = setup();
    const ids = await items(h, ['ec.key', 'ec.crt', 'int.crt']);
    const wrong = `SHA256:${'Q'.repeat(43)}`;
    const d = await ok<{ id: string }>(h, 'devices:save', { ...deviceFields(), hostKey: wrong });
    const job = await ok<{ jobId: string }>(h, 'push:start', { deviceId: d.id, keyId: ids['ec.key'], certId: ids['ec.crt'], chainIds: [ids['int.crt']], dryRun: false });
    const run = await follow(h, job.jobId);
    expect(run.last.result?.outcome).toBe('unchanged');
    expect(run.last.result?.error?.code).toBe('host-key-changed');
    expect(run.last.result?.error?.message).toContain(wrong);
    expect(run.last.result?.error?.message).toContain(sshd.hostKeyFingerprint);
    expect(readFileSync(`${dir}/nginx.crt`, 'utf8')).toBe(oldCrt);
    expect(servedFingerprint()).toBe(OLD_FP);
  });

  it('a server name the certificate does not hold ends the job with the core\'s refusal in the form\'s words', async () => {
    const { sshd, oldSha256: OLD_FP, servedFingerprint } = apstra();
    const { h } = setup();
    const ids = await items(h, ['ec.key', 'ec.crt', 'int.crt']);
    const d = await ok<{ id: string }>(h, 'devices:save', { ...deviceFields(), serverName: 'other.example.net', hostKey: sshd.hostKeyFingerprint });
    const job = await ok<{ jobId: string }>(h, 'push:start', { deviceId: d.id, keyId: ids['ec.key'], certId: ids['ec.crt'], chainIds: [ids['int.crt']], dryRun: false });
    const run = await follow(h, job.jobId);
    expect(run.last.result).toBeUndefined();
    expect(run.last.error?.code).toBe('refused');
    expect(run.last.error?.message).toMatch(/other\.example\.net is not in the certificate/);
    expect(run.last.error?.message).toContain('"Server name (in the certificate)"');
    expect(run.last.error?.message).not.toContain('--server-name');
    expect(servedFingerprint()).toBe(OLD_FP);
    expect(await ok<{ outcome: string }[]>(h, 'push:history', {})).toMatchObject([{ outcome: 'unchanged', error: { code: 'refused' } }]);
  });
});

describe('push jobs: passwords', () => {
  it('the saved password is decrypted for the login and appears in no answer, event or history', async () => {
    const server = await startPasswordServer('admin', PASSWORD);
    try {
      const { h, dataDir } = setup();
      const ids = await items(h, ['ec.key', 'ec.crt', 'int.crt']);
      const d = await ok<{ id: string }>(h, 'devices:save', {
        name: 'pw', target: 'apstra', host: '127.0.0.1', port: server.port, user: 'admin', auth: 'password', password: PASSWORD,
        serverName: 'apstra.example.net', hostKey: server.hostKeyFingerprint,
      });
      const job = await ok<{ jobId: string }>(h, 'push:start', { deviceId: d.id, keyId: ids['ec.key'], certId: ids['ec.crt'], chainIds: [ids['int.crt']], dryRun: false });
      const run = await follow(h, job.jobId);
      // The in-process server takes the password but has no SFTP: the push logs in, then cannot go on.
      expect(server.attempts).toContain('password:admin:ok');
      expect(run.last.result?.outcome).not.toBe('pushed');
      expect(readFileSync(`${dataDir}/push-history.json`, 'utf8')).not.toContain(PASSWORD);
      expect(readFileSync(`${dataDir}/vault.json`, 'utf8')).not.toContain(PASSWORD);
    } finally {
      await server.close();
    }
  });

  it('a vault written under another key cannot be read: the push is refused with what to do', async () => {
    const { h, dataDir } = setup({ secrets: testCipher() });
    const ids = await items(h, ['ec.key', 'ec.crt', 'int.crt']);
    const d = await ok<{ id: string }>(h, 'devices:save', { name: 'pw2', target: 'apstra', host: '127.0.0.1', port: 22, user: 'admin', auth: 'password', password: PASSWORD, hostKey: `SHA256:${'Q'.repeat(43)}` });
    const other = createHandlers({ appInfo: { name: 'certbench', version: '0' }, dialogs: noDialogs, clipboard: { writeText: () => {} }, dataDir, templatesDir: p('templates'), secrets: testCipher() });
    const ids2 = await items(other, ['ec.key', 'ec.crt']);
    const e = await err(other, 'push:start', { deviceId: d.id, keyId: ids2['ec.key'], certId: ids2['ec.crt'], chainIds: [], dryRun: true });
    expect(e.code).toBe('unsupported');
    expect(e.message).toMatch(/cannot be decrypted.*enter it again/);
    expect(ids['ec.key']).not.toBe(ids2['ec.key']);
  });
});

describe('core messages in the device form\'s words', () => {
  const cases: { name: string; input: string; want: string }[] = [
    {
      name: 'permission denied names the checkbox, not the CLI flag',
      input: 'permission denied for admin: log in as a user that may write /etc/aos/nginx.conf.d, or let certbench use sudo -n (--sudo; "Use sudo" in the device)',
      want: 'permission denied for admin: log in as a user that may write /etc/aos/nginx.conf.d, or let certbench use sudo -n ("Use sudo" in the device)',
    },
    { name: 'a bare --sudo', input: 'try --sudo', want: 'try "Use sudo"' },
    { name: 'other flags as before', input: 'check --nginx-dir and --server-name', want: 'check "nginx folder" and "Server name (in the certificate)"' },
    { name: 'a word that only starts like the flag', input: 'see --sudoers', want: 'see --sudoers' },
  ];
  for (const c of cases) it(c.name, () => expect(inFormTerms(c.input)).toBe(c.want));
});

describe('the certificate-id for one push (Junos)', () => {
  // The push screen flags what main refuses, and nothing else: both sides hold the same rules.
  const cases: { name: string; input: string; want: string | undefined }[] = [
    { name: 'a plain id', input: 'router1-2026', want: 'router1-2026' },
    { name: 'dots, underscores, digits first', input: '2026_web.lab', want: '2026_web.lab' },
    { name: 'trimmed', input: '  web-2  ', want: 'web-2' },
    { name: '63 characters', input: `w${'x'.repeat(62)}`, want: `w${'x'.repeat(62)}` },
    { name: 'empty', input: ' ', want: undefined },
    { name: '64 characters', input: `w${'x'.repeat(63)}`, want: undefined },
    { name: 'starts with a dot', input: '.web', want: undefined },
    { name: 'a slash', input: 'web/2026', want: undefined },
    { name: 'two dots', input: 'web..2026', want: undefined },
    { name: 'a non-ASCII letter', input: 'wéb', want: undefined },
  ];
  for (const c of cases) {
    it(c.name, () => {
      if (c.want === undefined) {
        expect(() => checkPushCertId(c.input)).toThrow(InputError);
        expect(pushCertIdError(c.input)).toEqual(expect.any(String));
      } else {
        expect(checkPushCertId(c.input)).toBe(c.want);
        expect(pushCertIdError(c.input)).toBeUndefined();
      }
    });
  }

  const day = new Date(2026, 10, 30, 12);
  const suggestions: { name: string; input: { profile: string; taken: string[] }; want: string }[] = [
    { name: 'the profile\'s id with the date', input: { profile: 'web-2026', taken: ['web-2026'] }, want: 'web-2026-20261130' },
    { name: '-2 when the dated one was pushed', input: { profile: 'web-2026', taken: ['web-2026', 'web-2026-20261130'] }, want: 'web-2026-20261130-2' },
    { name: '-3 after -2', input: { profile: 'web-2026', taken: ['web-2026-20261130', 'web-2026-20261130-2'] }, want: 'web-2026-20261130-3' },
    { name: 'a date suffix in the profile\'s id is replaced, not stacked', input: { profile: 'web-20250101', taken: ['web-20250101'] }, want: 'web-20261130' },
    { name: 'a long id is cut to fit 63 characters', input: { profile: `w${'x'.repeat(62)}`, taken: [] }, want: `w${'x'.repeat(53)}-20261130` },
  ];
  for (const c of suggestions) {
    it(`suggests ${c.name}`, () => {
      const id = suggestCertId(c.input.profile, new Set(c.input.taken), day);
      expect(id).toBe(c.want);
      // Whatever it suggests, main takes.
      expect(checkPushCertId(id)).toBe(id);
    });
  }
});

describe('push jobs: bookkeeping', () => {
  it('answers not-found for a job it does not know', async () => {
    const { h } = setup();
    expect(await err(h, 'push:status', { jobId: 'nope', since: 0 })).toMatchObject({ code: 'not-found' });
    expect(await err(h, 'push:cancel', { jobId: 'nope' })).toMatchObject({ code: 'not-found' });
  });

  it('two push:start calls for one device at once (a double-click): one job starts, the other is refused', async () => {
    let calls = 0;
    let release: (() => void) | undefined;
    const released = new Promise<void>((r) => { release = r; });
    const stub = async (): Promise<PushResult> => {
      calls++;
      await released;
      return { target: 'apstra', endpoint: '127.0.0.1:22', outcome: 'pushed', plan: [], events: [], warnings: [], newSha256: 'N', backups: [] };
    };
    const { h, pushing, shutdown } = setup({ push: stub });
    try {
      const ids = await items(h, ['ec.key', 'ec.crt']);
      const d = await ok<{ id: string }>(h, 'devices:save', { name: 'twice', target: 'apstra', host: '127.0.0.1', port: 22, user: 'admin', auth: 'agent', hostKey: `SHA256:${'Q'.repeat(43)}` });
      const request = { deviceId: d.id, keyId: ids['ec.key'], certId: ids['ec.crt'], chainIds: [], dryRun: false };
      const answers2 = await Promise.all([call(h, 'push:start', request), call(h, 'push:start', request)]);
      const started = answers2.filter((a) => a.ok);
      const refused = answers2.flatMap((a) => (a.ok ? [] : [a.error]));
      expect(started).toHaveLength(1);
      expect(refused).toEqual([{ code: 'refused', message: 'a push to twice is still running; wait for it to end or cancel it' }]);
      expect(calls).toBe(1);
      expect(pushing()).toBe(true);

      release!();
      const jobId = (started[0] as { value: { jobId: string } }).value.jobId;
      expect((await follow(h, jobId)).last.result?.outcome).toBe('pushed');
      // The device is free again once its job has ended.
      expect(pushing()).toBe(false);
      await follow(h, (await ok<{ jobId: string }>(h, 'push:start', request)).jobId);
      expect(calls).toBe(2);
      expect(await ok<unknown[]>(h, 'push:history', {})).toHaveLength(2);
    } finally {
      release!();
      await shutdown();
    }
  });

  it('a start that fails after marking the device busy frees it again', async () => {
    const { h, pushing } = setup({ push: async () => { throw new Error('must not run'); } });
    const ids = await items(h, ['ec.key', 'ec.crt']);
    // No trusted host key: refused while the SSH login is prepared, after the device was marked busy.
    const d = await ok<{ id: string }>(h, 'devices:save', { name: 'unpinned', target: 'apstra', host: '127.0.0.1', port: 22, user: 'admin', auth: 'agent' });
    const request = { deviceId: d.id, keyId: ids['ec.key'], certId: ids['ec.crt'], chainIds: [], dryRun: true };
    for (let k = 0; k < 2; k++) {
      expect(await err(h, 'push:start', request)).toMatchObject({ code: 'refused', message: expect.stringMatching(/no host key is trusted for unpinned/) });
      expect(pushing()).toBe(false);
    }
  });

  it(`keeps the newest ${MAX_HISTORY} pushes, newest first`, async () => {
    const outcomes = ['pushed', 'rolled-back', 'unchanged', 'needs-attention'] as const;
    let i = 0;
    const fake = async (): Promise<PushResult> => {
      const outcome = outcomes[i++ % outcomes.length]!;
      return { target: 'apstra', endpoint: '127.0.0.1:22', outcome, plan: [], events: [], warnings: [], newSha256: `N${i}`, backups: [] };
    };
    const { h, dataDir } = setup({ push: fake });
    const ids = await items(h, ['ec.key', 'ec.crt']);
    const d = await ok<{ id: string }>(h, 'devices:save', { name: 'fake', target: 'apstra', host: '127.0.0.1', port: 22, user: 'admin', auth: 'agent', hostKey: `SHA256:${'Q'.repeat(43)}` });
    for (let k = 0; k < MAX_HISTORY + 5; k++) {
      const job = await ok<{ jobId: string }>(h, 'push:start', { deviceId: d.id, keyId: ids['ec.key'], certId: ids['ec.crt'], chainIds: [], dryRun: false });
      await follow(h, job.jobId);
    }
    // Dry runs are not history.
    await follow(h, (await ok<{ jobId: string }>(h, 'push:start', { deviceId: d.id, keyId: ids['ec.key'], certId: ids['ec.crt'], chainIds: [], dryRun: true })).jobId);
    const history = await ok<{ newSha256: string; outcome: string }[]>(h, 'push:history', {});
    expect(history).toHaveLength(MAX_HISTORY);
    expect(history[0]!.newSha256).toBe(`N${MAX_HISTORY + 5}`);
    expect(history.at(-1)!.newSha256).toBe('N6');
    expect(new Set(history.map((e) => e.outcome))).toEqual(new Set(outcomes));
    expect((JSON.parse(readFileSync(`${dataDir}/push-history.json`, 'utf8')) as { entries: unknown[] }).entries).toHaveLength(MAX_HISTORY);
  });
});

describe('secrets in answers', () => {
  it('no answer in this file carried the password', () => {
    expect(answers.length).toBeGreaterThan(20);
    for (const a of answers) expect(a).not.toContain(PASSWORD);
  });
});
