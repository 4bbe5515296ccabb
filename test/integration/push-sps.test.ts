import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeFile } from '../../src/core/pki/decode.js';
import { pushSps, type SpsPushDeps } from '../../src/core/push/sps.js';
import { ConnectionLostError } from '../../src/core/transport/errors.js';
import { httpsRequest } from '../../src/core/transport/https.js';
import type { PushEvent, PushResult, SpsPushParams } from '../../src/core/push/types.js';
import { assembleBundle, type Bundle } from '../../src/core/targets/index.js';
import { certbenchAsync, type CliResult } from '../helpers/cli.js';
import { openssl, tempDir } from '../helpers/openssl.js';
import { opensslServedSha256, startSpsSim, type SpsSim } from '../helpers/sps-sim.js';

/*
 * The SPS push against the SPS REST simulator (test/helpers/sps-sim.ts) on 127.0.0.1: through the built CLI
 * (run asynchronously, because the simulator answers from this process) and through pushSps for the faults.
 * What is served is read by `openssl s_client`, the oracle; fingerprints by `openssl x509 -fingerprint -sha256`.
 * Needs `npm run build:cli` first.
 */

const pki = (name: string): string => fileURLToPath(new URL(`../fixtures/pki/${name}`, import.meta.url));
const t = tempDir('certbench-push-sps-');
const PASSWORD = 'Sps-Secret-7f3a91';
const fp = (path: string): string => openssl(['x509', '-in', path, '-noout', '-fingerprint', '-sha256']).trim().replace(/^[^=]*=/, '');

// SPS's starting web certificate: self-signed RSA for 127.0.0.1, so it is its own CA for --ca.
openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', t.path('start.key'), '-out', t.path('start.crt'), '-subj', '/CN=sps.test',
  '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '30']);
const START_FP = fp(t.path('start.crt'));
const NEW_FP = fp(pki('rsa.crt'));

let sim: SpsSim;
beforeEach(async () => {
  sim = await startSpsSim({ users: [{ name: 'admin', password: PASSWORD }],
    server: { certPem: readFileSync(t.path('start.crt'), 'utf8'), keyPem: readFileSync(t.path('start.key'), 'utf8') } });
});
afterEach(async () => sim.close());
afterAll(() => t.cleanup());

// The simulator answers from this process, so the CLI runs without blocking it.
const certbench = (args: string[], env: Record<string, string> = {}): Promise<CliResult> => certbenchAsync(args, { env: { SPS_PW: PASSWORD, ...env } });

function args(extra: string[] = [], trust: string[] = ['--pin', START_FP]): string[] {
  return ['push', 'sps', '--url', sim.url, ...trust, '--user', 'admin', '--password-env', 'SPS_PW',
    '--cert', pki('rsa.crt'), '--key', pki('rsa.key'), '--chain', pki('int.crt'), '--verify-timeout', '20', ...extra];
}

const changing = (): string[] => sim.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);

async function bundle(cert = 'rsa.crt', key = 'rsa.key', chain = ['int.crt']): Promise<Bundle> {
  return assembleBundle({ key: await decodeFile(pki(key)), cert: await decodeFile(pki(cert)), chain: await Promise.all(chain.map((c) => decodeFile(pki(c)))) });
}

async function direct(p: Partial<SpsPushParams> = {}, onEvent?: (e: PushEvent) => void, deps: SpsPushDeps = {}): Promise<PushResult> {
  return pushSps({ bundle: await bundle(), url: sim.url, trust: { kind: 'pin', sha256: START_FP }, user: 'admin', password: PASSWORD, verifyTimeoutMs: 20_000, ...p }, onEvent, deps);
}

describe('certbench push sps against the SPS simulator', () => {
  it.each([
    { name: '--pin', trust: (): string[] => ['--pin', START_FP] },
    { name: '--ca', trust: (): string[] => ['--ca', t.path('start.crt')] },
  ])('pushes with $name: the new certificate is served, only the server key changed, no transaction left open', async ({ trust }) => {
    const before = sim.committed();
    const r = await certbench(args(['--json'], trust()));
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as PushResult;
    expect(result.outcome).toBe('pushed');
    expect(result.newSha256).toBe(NEW_FP);
    expect(result.previousSha256).toBe(START_FP);
    expect(result.servedSha256).toBe(NEW_FP);
    expect(await opensslServedSha256(sim.port)).toBe(NEW_FP);

    const after = sim.committed();
    expect(after.server).not.toBe(before.server);
    expect(after.ca).toBe(before.ca);
    expect(after.tsa).toBe(before.tsa);
    expect(sim.x509Keys()).toContain(after.server);
    expect(sim.x509Keys()).not.toContain(before.server);
    expect(sim.commits).toBe(1);
    expect(sim.transactionOpen()).toBe(false);
    expect(changing()).toEqual(['POST /api/transaction', 'POST /api/configuration/x509', 'PUT /api/configuration/management/certificates', 'PUT /api/transaction']);
    expect(sim.requests.every((q) => q.status >= 200 && q.status < 300)).toBe(true);
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
  }, 60_000);

  it('dry run: logs in, reads the settings and the served certificate, changes nothing', async () => {
    const before = sim.committed();
    const r = await certbench(args(['--dry-run']));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('PLAN (dry run): nothing was changed');
    expect(r.stdout).toContain(`previous  SHA-256 ${START_FP}`);
    expect(r.stderr).toMatch(/connect\s+ok\s+logged in as admin/);
    expect(changing()).toEqual([]);
    expect(sim.requests.map((q) => q.path)).toContain('/api/configuration/management/certificates');
    expect(sim.committed()).toEqual(before);
    expect(await opensslServedSha256(sim.port)).toBe(START_FP);
  }, 60_000);

  it('a wrong password: exit 1, SPS refused the user, the password is never printed, nothing changed', async () => {
    const before = sim.committed();
    const wrong = 'Wrong-Password-5c2e';
    const r = await certbench(args(), { SPS_PW: wrong });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('SPS refused user admin');
    expect(r.stdout).toContain('FAILED: nothing was changed');
    expect(r.stdout + r.stderr).not.toContain(wrong);
    expect(r.stdout + r.stderr).not.toContain(Buffer.from(`admin:${wrong}`).toString('base64'));
    expect(sim.requests).toEqual([{ method: 'GET', path: '/api/authentication', status: 401 }]);
    expect(sim.committed()).toEqual(before);
  }, 60_000);

  it('a wrong pin stops before logging in: no request reaches SPS', async () => {
    const wrongPin = 'AB:'.repeat(31) + 'AB';
    const r = await certbench(args([], ['--pin', wrongPin]));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`not the pinned ${wrongPin}`);
    expect(r.stderr).toContain(START_FP);
    expect(sim.requests).toEqual([]);
    expect(sim.commits).toBe(0);
  }, 60_000);

  it('SPS refuses the upload (400 SyntacticError): the transaction is discarded, nothing committed, exit 1', async () => {
    const spsSays = 'Syntax error: Could not load PEM key: Unsupported private key format, only PKCS-1 is supported. Encrypted private keys are not supported.';
    sim.faults.failPostX509 = { status: 400, type: 'SyntacticError', message: spsSays };
    const before = sim.committed();
    const r = await certbench(args(['--json']));
    expect(r.code).toBe(1);
    const result = JSON.parse(r.stdout) as PushResult;
    expect(result.outcome).toBe('unchanged');
    expect(result.error?.code).toBe('api-error');
    expect(result.error?.message).toContain('SPS could not read the key: it takes unencrypted PKCS#1 keys only');
    expect(result.error?.message).toContain(spsSays);
    expect(result.events.map((e) => `${e.step}:${e.status}`)).toEqual(expect.arrayContaining(['upload:fail', 'rollback:ok']));
    expect(changing()).toEqual(['POST /api/transaction', 'POST /api/configuration/x509', 'DELETE /api/transaction']);
    expect(sim.transactionOpen()).toBe(false);
    expect(sim.commits).toBe(0);
    expect(sim.committed()).toEqual(before);
    expect(await opensslServedSha256(sim.port)).toBe(START_FP);
  }, 60_000);

  it.each([
    { name: 'an ECDSA key (SPS takes RSA only)', input: ['ec.crt', 'ec.key'], want: 'SPS takes RSA private keys in PKCS#1 only' },
    { name: 'a key that does not match the certificate', input: ['rsa.crt', 'other.key'], want: 'does not match the certificate' },
  ])('refuses $name before connecting: exit 2, no request sent', async ({ input, want }) => {
    const a = args();
    a[a.indexOf('--cert') + 1] = pki(input[0]!);
    a[a.indexOf('--key') + 1] = pki(input[1]!);
    const r = await certbench(a);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(want);
    expect(r.stderr).toContain('nothing was sent');
    expect(sim.requests).toEqual([]);
  }, 60_000);

  it.each([
    { name: 'tsa', want: 'tsa' as const },
    { name: 'ca', want: 'ca' as const },
  ])('--role $name changes only the $name key; the served certificate stays', async ({ want }) => {
    const before = sim.committed();
    const r = await certbench(args(['--role', want, '--json']));
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as PushResult;
    expect(result.outcome).toBe('pushed');
    const after = sim.committed();
    for (const role of ['server', 'ca', 'tsa'] as const) {
      if (role === want) expect(after[role]).not.toBe(before[role]);
      else expect(after[role]).toBe(before[role]);
    }
    expect(sim.commits).toBe(1);
    expect(sim.transactionOpen()).toBe(false);
    expect(await opensslServedSha256(sim.port)).toBe(START_FP);
    // Verified by a second login reading the committed settings back.
    expect(sim.requests.filter((q) => q.path === '/api/authentication')).toHaveLength(2);
  }, 60_000);

  it.each([
    { name: 'neither --ca nor --pin', trust: [] as string[] },
    { name: 'both --ca and --pin', trust: ['--pin', START_FP, '--ca', pki('root.crt')] },
  ])('$name is a usage error (exit 2) naming the flags', async ({ trust }) => {
    const r = await certbench(args([], trust));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--ca/--pin');
    expect(sim.requests).toEqual([]);
  }, 60_000);
});

describe('pushSps faults', () => {
  it('a commit SPS refuses: the transaction is discarded, outcome unchanged', async () => {
    sim.faults.failCommit = { status: 500, type: 'InternalError', message: 'commit failed: disk full' };
    const before = sim.committed();
    const r = await direct();
    expect(r.outcome).toBe('unchanged');
    expect(r.error?.message).toContain('commit failed: disk full');
    expect(sim.transactionOpen()).toBe(false);
    expect(sim.commits).toBe(0);
    expect(sim.committed()).toEqual(before);
    expect(sim.servedSha256()).toBe(START_FP);
  }, 60_000);

  it('a transaction that cannot be discarded: needs attention, it stays open and locks the configuration', async () => {
    sim.faults.failPostX509 = { status: 400, type: 'SyntacticError', message: 'Syntax error: bad certificate' };
    const request: typeof httpsRequest = async (q) => {
      if (q.method === 'DELETE') throw new ConnectionLostError('127.0.0.1', 'simulated: the connection dropped');
      return httpsRequest(q);
    };
    const r = await direct({}, undefined, { request });
    expect(r.outcome).toBe('needs-attention');
    expect(r.error?.message).toContain('SPS refused the certificate, key or issuer chain (SPS: "Syntax error: bad certificate")');
    expect(r.error?.message).toContain('stays open and locks the SPS configuration');
    expect(sim.transactionOpen()).toBe(true);
    expect(sim.commits).toBe(0);
  }, 60_000);

  it('a cancel before the commit discards the transaction: outcome unchanged, code cancelled', async () => {
    const abort = new AbortController();
    const r = await direct({ signal: abort.signal }, (e) => {
      if (e.step === 'upload' && e.status === 'ok') abort.abort();
    });
    expect(r.outcome).toBe('unchanged');
    expect(r.error?.code).toBe('cancelled');
    expect(r.events.map((e) => `${e.step}:${e.status}`)).toContain('rollback:ok');
    expect(sim.transactionOpen()).toBe(false);
    expect(sim.commits).toBe(0);
    expect(await opensslServedSha256(sim.port)).toBe(START_FP);
  }, 60_000);

  it('committed but the old certificate stays served: needs attention, says where to look, no undo', async () => {
    sim.faults.staleHttps = true;
    const r = await direct({ verifyTimeoutMs: 1_000 });
    expect(r.outcome).toBe('needs-attention');
    expect(r.error?.message).toContain(`still serves SHA-256 ${START_FP}`);
    expect(r.error?.message).toContain('Basic Settings > Management > SSL certificate');
    expect(r.error?.message).toContain('no undo');
    expect(sim.commits).toBe(1);
    expect(r.servedSha256).toBe(START_FP);
  }, 60_000);

  it('the connection drops as SPS commits: the served fingerprint shows it went through', async () => {
    sim.faults.dropAfterCommit = true;
    const r = await direct();
    expect(r.outcome).toBe('pushed');
    expect(r.events.some((e) => e.step === 'activate' && e.status === 'fail' && /cannot tell whether SPS committed/.test(e.message))).toBe(true);
    expect(await opensslServedSha256(sim.port)).toBe(NEW_FP);
    expect(sim.requests.find((q) => q.method === 'PUT' && q.path === '/api/transaction')?.status).toBe(0);
  }, 60_000);

  it('options are checked before anything is sent', async () => {
    for (const url of ['http://127.0.0.1:1', 'https://admin:pw@127.0.0.1:1', 'https://127.0.0.1:1/api', 'https://bad_host!:443']) {
      await expect(direct({ url })).rejects.toMatchObject({ code: 'invalid-value' });
    }
    await expect(direct({ user: 'ad:min' })).rejects.toMatchObject({ code: 'invalid-value' });
    expect(sim.requests).toEqual([]);
  });
});
