import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeFile } from '../../src/core/pki/decode.js';
import { pushJunos, type JunosPushDeps } from '../../src/core/push/junos.js';
import { openNetconf } from '../../src/core/transport/netconf-client.js';
import { scpUpload } from '../../src/core/transport/scp.js';
import { connectSsh } from '../../src/core/transport/ssh.js';
import type { JunosPushParams, PushEvent, PushResult } from '../../src/core/push/types.js';
import { assembleBundle } from '../../src/core/targets/index.js';
import { certbenchAsync } from '../helpers/cli.js';
import { BOUND_TO_OLD_CERT, startJunosSim, type JunosSim } from '../helpers/junos-sim.js';
import { openssl, opensslServedSha256 } from '../helpers/openssl.js';

/*
 * The Junos push against the in-process Junos simulator (NETCONF over a real SSH server, SCP, a PKI store that
 * refuses what Junos refuses, a candidate with commit confirmed that rolls back on its timer, and HTTPS
 * listeners that serve whatever the committed configuration binds). What is served is judged by a fresh
 * `openssl s_client`, run without blocking, since the simulator lives in this process.
 */

const pki = (name: string): string => fileURLToPath(new URL(`../fixtures/pki/${name}`, import.meta.url));
const read = (name: string): string => readFileSync(pki(name), 'utf8');
const sha256Of = (pem: string): string => openssl(['x509', '-noout', '-fingerprint', '-sha256'], pem).trim().replace(/^.*=/, '');

const NEW_FP = sha256Of(read('rsa.crt'));
const OLD_FP = sha256Of(read('ec.crt'));
const INT_FP = sha256Of(read('int.crt'));
const PASSWORD = 'netconf-Secret-42';
const INITIAL = [...BOUND_TO_OLD_CERT];

const servedBy = (port: number): Promise<string> => opensslServedSha256(port, 'router1.example.net');

let sim: JunosSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(extra: Partial<Parameters<typeof startJunosSim>[0]> = {}): Promise<JunosSim> {
  sim = await startJunosSim({
    users: [{ name: 'netops', password: PASSWORD }],
    config: INITIAL,
    localCerts: [{ id: 'old-cert', certPem: read('ec.crt'), keyPem: read('ec.key') }],
    ...extra,
  });
  return sim;
}

function cliArgs(s: JunosSim, extra: string[] = []): string[] {
  return [
    'push', 'junos', '--host', '127.0.0.1', '--port', String(s.port), '--user', 'netops', '--password-env', 'JUNOS_PW',
    '--host-key', s.hostKeyFingerprint, '--cert', pki('rsa.crt'), '--key', pki('rsa.key'),
    '--chain', pki('int.crt'), '--chain', pki('root.crt'), '--cert-id', 'router1-2026', '--server-name', 'router1.example.net',
    '--verify-port', String(s.restPort), '--web-port', String(s.webPort), '--verify-timeout', '20', ...extra,
  ];
}

async function bundle(key = 'rsa.key'): Promise<JunosPushParams['bundle']> {
  const d = (f: string) => decodeFile(pki(f), { file: f });
  return assembleBundle({ key: await d(key), cert: await d('rsa.crt'), chain: [await d('int.crt'), await d('root.crt')] });
}

async function params(s: JunosSim, extra: Partial<JunosPushParams> = {}): Promise<JunosPushParams> {
  return {
    bundle: await bundle(),
    ssh: { host: '127.0.0.1', port: s.port, username: 'netops', auth: { kind: 'password', password: PASSWORD }, hostKey: { kind: 'pin', fingerprints: [s.hostKeyFingerprint] } },
    certId: 'router1-2026',
    serverName: 'router1.example.net',
    verifyPort: s.restPort,
    webPort: s.webPort,
    verifyTimeoutMs: 20_000,
    ...extra,
  };
}

/** The device is exactly as it started: configuration, PKI store, no files in /var/tmp, the old certificate served. */
async function expectUnchanged(s: JunosSim, lockedBy?: string): Promise<void> {
  // The same statements; a rollback that deletes and sets a statement again may list it in another place.
  expect([...s.committed()].sort()).toEqual([...INITIAL].sort());
  expect(s.lockedBy()).toBe(lockedBy);
  expect(s.candidateModified()).toBe(false);
  expect(s.localCerts().map((c) => c.id)).toEqual(['old-cert']);
  expect(s.caCerts()).toEqual([]);
  expect(s.tmpFiles()).toEqual([]);
  expect(s.pendingConfirm()).toBe(false);
  expect(await servedBy(s.restPort)).toBe(OLD_FP);
  expect(await servedBy(s.webPort)).toBe(OLD_FP);
}

describe('certbench push junos against the Junos simulator', () => {
  it('pushes: loaded, key file deleted, bound to REST and J-Web, confirmed, the new certificate served', async () => {
    const s = await start();
    expect(await servedBy(s.restPort)).toBe(OLD_FP);
    const r = await certbenchAsync(cliArgs(s, ['--ca-profile', 'lab-ca', '--json']), { env: { JUNOS_PW: PASSWORD } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as PushResult;
    expect(result).toMatchObject({ target: 'junos', outcome: 'pushed', newSha256: NEW_FP, previousSha256: OLD_FP, servedSha256: NEW_FP });

    expect([...s.committed()].sort()).toEqual([
      'set security pki ca-profile lab-ca ca-identity lab-ca',
      'set system host-name sim-router',
      'set system services netconf ssh',
      'set system services rest https server-certificate router1-2026',
      'set system services web-management https pki-local-certificate router1-2026',
    ]);
    expect(s.pendingConfirm()).toBe(false);
    expect(s.localCerts()).toEqual([{ id: 'old-cert', sha256: OLD_FP }, { id: 'router1-2026', sha256: NEW_FP }]);
    expect(s.caCerts()).toEqual([{ profile: 'lab-ca', sha256: INT_FP }]);
    // Nothing stays in /var/tmp, above all not the key.
    expect(s.tmpFiles()).toEqual([]);
    expect(await servedBy(s.restPort)).toBe(NEW_FP);
    expect(await servedBy(s.webPort)).toBe(NEW_FP);

    // The order the issue asks for (with the lock Junos needs for commit confirmed in place of a private copy):
    // upload, load, delete the key, lock, commit confirmed, verify, confirm.
    const keyDelete = s.rpcs.findIndex((x) => /^command: file delete \/var\/tmp\/router1-2026\..*\.key$/.test(x));
    const load = s.rpcs.findIndex((x) => x.startsWith('command: request security pki local-certificate load certificate-id router1-2026'));
    const commits = s.rpcs.flatMap((x, i) => (x.startsWith('commit-configuration') ? [i] : []));
    const upload = s.rpcs.findIndex((x) => x.startsWith('scp: /var/tmp/router1-2026'));
    expect(upload).toBeGreaterThanOrEqual(0);
    expect(upload).toBeLessThan(load);
    expect(load).toBeLessThan(keyDelete);
    expect(keyDelete).toBeLessThan(s.rpcs.indexOf('lock-configuration'));
    expect(s.rpcs).not.toContain('open-configuration');
    expect(s.lockedBy()).toBeUndefined();
    expect(commits).toHaveLength(2);
    expect(result.events.map((e) => `${e.step}:${e.status}`)).toEqual(expect.arrayContaining(['upload:ok', 'activate:ok', 'verify:ok', 'confirm:ok']));
    expect(r.stdout).not.toContain(PASSWORD);
  }, 90_000);

  it('binds only what --bind names', async () => {
    const s = await start();
    const r = await certbenchAsync(cliArgs(s, ['--bind', 'web']), { env: { JUNOS_PW: PASSWORD } });
    expect(r.code, r.stderr).toBe(0);
    expect(s.committed()).toContain('set system services rest https server-certificate old-cert');
    expect(s.committed()).toContain('set system services web-management https pki-local-certificate router1-2026');
    expect(await servedBy(s.webPort)).toBe(NEW_FP);
    expect(await servedBy(s.restPort)).toBe(OLD_FP);
  }, 90_000);

  it('works with base:1.1 chunked framing when the device offers it', async () => {
    const s = await start({ base11: true });
    const events: PushEvent[] = [];
    const result = await pushJunos(await params(s), (e) => events.push(e));
    expect(result.outcome, result.error?.message).toBe('pushed');
    expect(events.find((e) => e.step === 'connect' && e.status === 'ok')?.message).toContain('base:1.1');
    expect(await servedBy(s.restPort)).toBe(NEW_FP);
  }, 90_000);

  it('dry run: reads the device, prints the plan and changes nothing', async () => {
    const s = await start();
    const r = await certbenchAsync(cliArgs(s, ['--dry-run']), { env: { JUNOS_PW: PASSWORD } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^PLAN \(dry run\)/);
    expect(r.stdout).toContain('commit confirmed 5');
    expect(s.rpcs.some((x) => x.startsWith('scp:') || x.includes('load') || x.startsWith('commit'))).toBe(false);
    await expectUnchanged(s);
  }, 60_000);

  it('wrong password: refused by the device, never printed, nothing changed', async () => {
    const s = await start();
    const r = await certbenchAsync(cliArgs(s), { env: { JUNOS_PW: 'not-the-password' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/authentication|refused|credentials/i);
    expect(r.stdout + r.stderr).not.toContain('not-the-password');
    expect(s.rpcs).toEqual([]);
    await expectUnchanged(s);
  }, 60_000);

  it('a host key other than the pinned one is refused before logging in', async () => {
    const s = await start();
    const wrong = 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    const r = await certbenchAsync(cliArgs(s).map((a) => (a === s.hostKeyFingerprint ? wrong : a)), { env: { JUNOS_PW: PASSWORD } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(s.hostKeyFingerprint);
    expect(s.rpcs).toEqual([]);
  }, 60_000);

  it('a key that does not match the certificate is refused before connecting (exit 2)', async () => {
    const s = await start();
    const args = cliArgs(s).map((a) => (a === pki('rsa.key') ? pki('other.key') : a));
    const r = await certbenchAsync(args, { env: { JUNOS_PW: PASSWORD } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refused before connecting/);
    expect(s.rpcs).toEqual([]);
  }, 60_000);

  it('the device rejects the certificate: nothing committed, the uploaded key deleted, exit 1', async () => {
    const s = await start();
    s.faults.rejectLocalLoad = 'error: Failed to load local certificate router1-2026: key pair does not match';
    const r = await certbenchAsync(cliArgs(s, ['--json']), { env: { JUNOS_PW: PASSWORD } });
    expect(r.code).toBe(1);
    const result = JSON.parse(r.stdout) as PushResult;
    expect(result.outcome).toBe('unchanged');
    expect(result.error?.message).toContain('key pair does not match');
    expect(s.rpcs.some((x) => x.startsWith('commit'))).toBe(false);
    await expectUnchanged(s);
  }, 60_000);

  it('a certificate-id already in the PKI store is refused before anything is uploaded', async () => {
    const s = await start();
    const r = await certbenchAsync(cliArgs(s).map((a) => (a === 'router1-2026' ? 'old-cert' : a)), { env: { JUNOS_PW: PASSWORD } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('certificate-id old-cert already exists');
    expect(s.rpcs.some((x) => x.startsWith('scp:'))).toBe(false);
    await expectUnchanged(s);
  }, 60_000);

  it('the new certificate is never served: rolled back to the previous configuration, the loaded certificate cleared', async () => {
    const s = await start();
    s.faults.staleHttps = true;
    const result = await pushJunos(await params(s, { verifyTimeoutMs: 2000 }));
    expect(result.outcome).toBe('rolled-back');
    expect(result.error?.message).toMatch(/still serves/);
    expect(result.events.some((e) => e.step === 'rollback' && e.message.startsWith('committed: delete system services rest https server-certificate'))).toBe(true);
    s.faults.staleHttps = false;
    await expectUnchanged(s);
  }, 60_000);

  it('connection lost between commit confirmed and confirm: the device restores the old configuration, certbench reconnects, checks and cleans up', async () => {
    const s = await start();
    s.faults.dropAfterCommitConfirmed = true;
    const result = await pushJunos(await params(s), () => undefined);
    s.faults.dropAfterCommitConfirmed = false;
    expect(result.outcome, result.error?.message).toBe('rolled-back');
    expect(result.events.some((e) => e.step === 'rollback' && e.message.includes('reconnecting'))).toBe(true);
    expect(result.events.some((e) => e.step === 'rollback' && e.message.includes('already runs the previous configuration'))).toBe(true);
    await expectUnchanged(s);
  }, 60_000);

  it('connection lost (partition) and the device unreachable: the commit-confirmed timer rolls it back, and certbench says so', async () => {
    // One device minute is 3 s here. The device keeps the session (it never saw it end), so only its timer undoes the commit.
    const s = await start({ minuteMs: 3000 });
    s.faults.partitionAfterCommitConfirmed = true;
    const onEvent = (e: PushEvent): void => {
      // Reachable again once certbench waits for the timer, so it can check the configuration and clear the certificate.
      if (e.step === 'rollback' && e.message.includes('by itself within')) s.faults.refuseConnections = false;
    };
    const p = await params(s, { bind: ['rest'], confirmMinutes: 1, minuteMs: 3000, verifyTimeoutMs: 1000 });
    const result = await pushJunos({ ...p, ssh: { ...p.ssh, keepaliveIntervalMs: 200 } }, onEvent);
    s.faults.partitionAfterCommitConfirmed = false;
    expect(result.outcome, result.error?.message).toBe('rolled-back');
    expect(result.events.some((e) => e.step === 'rollback' && e.message.includes('commit-confirmed timer'))).toBe(true);
    // The partitioned session is still alive on the device and keeps its lock until the device notices; certbench says so.
    expect(result.warnings.map((w) => w.code)).toContain('junos-stale-lock');
    await expectUnchanged(s, 'netops');
  }, 60_000);

  it('a service that is not configured for HTTPS is not switched on: refused, nothing changed', async () => {
    const s = await start({ config: INITIAL.filter((l) => !l.includes(' rest ')) });
    const r = await certbenchAsync(cliArgs(s), { env: { JUNOS_PW: PASSWORD } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the REST API is not configured for HTTPS on the device');
    expect(s.rpcs.some((x) => x.startsWith('scp:'))).toBe(false);
    expect(s.committed()).toEqual(INITIAL.filter((l) => !l.includes(' rest ')));
  }, 60_000);

  it('rolls back a push with --ca-profile: the CA profile removed again and its CA certificate cleared', async () => {
    const s = await start();
    s.faults.staleHttps = true;
    const result = await pushJunos(await params(s, { caProfile: 'lab-ca', verifyTimeoutMs: 2000 }));
    expect(result.outcome).toBe('rolled-back');
    expect(result.events.some((e) => e.message.includes('CA profile lab-ca cleared') || e.message.includes('loaded into CA profile lab-ca cleared'))).toBe(true);
    s.faults.staleHttps = false;
    await expectUnchanged(s);
  }, 60_000);

  it('cancel right after the key is uploaded: nothing committed, the key file removed from /var/tmp', async () => {
    const s = await start();
    const abort = new AbortController();
    const upload: JunosPushDeps['upload'] = async (session, path, data, mode, o) => {
      await scpUpload(session, path, data, mode, o);
      if (path.endsWith('.key')) abort.abort();
    };
    const result = await pushJunos(await params(s, { signal: abort.signal }), undefined, { upload });
    expect(result.outcome).toBe('unchanged');
    expect(result.error?.code).toBe('cancelled');
    // The key did reach the device, and was deleted over a fresh connection.
    expect(s.rpcs.some((x) => /^scp: \/var\/tmp\/router1-2026\..*\.key$/.test(x))).toBe(true);
    expect(s.rpcs.some((x) => /^command: file delete \/var\/tmp\/router1-2026\..*\.key$/.test(x))).toBe(true);
    await expectUnchanged(s);
  }, 60_000);

  it('cancel while the certificate is being loaded: whatever the device did, the store ends without it', async () => {
    const s = await start();
    const abort = new AbortController();
    const result = await pushJunos(await params(s, { signal: abort.signal }), (e) => {
      if (e.step === 'activate' && e.status === 'start') abort.abort();
    });
    expect(result.outcome).toBe('unchanged');
    await expectUnchanged(s);
  }, 60_000);

  it('the configuration locked by another session: refused before any commit, their lock kept, the loaded certificate cleared', async () => {
    const s = await start();
    const other = await connectSsh({ host: '127.0.0.1', port: s.port, username: 'netops', auth: { kind: 'password', password: PASSWORD }, hostKey: { kind: 'pin', fingerprints: [s.hostKeyFingerprint] } });
    const nc = await openNetconf(other);
    try {
      await nc.rpc('<lock-configuration/>');
      const result = await pushJunos(await params(s));
      expect(result.outcome).toBe('unchanged');
      expect(result.error?.message).toMatch(/configuration database locked/);
      expect(s.rpcs.some((x) => x.startsWith('commit-configuration'))).toBe(false);
      await expectUnchanged(s, 'netops');
    } finally {
      await nc.close();
      await other.close();
    }
  }, 60_000);

  it('cancel during verify rolls back', async () => {
    const s = await start();
    s.faults.staleHttps = true;
    const abort = new AbortController();
    const result = await pushJunos(await params(s, { signal: abort.signal }), (e) => {
      if (e.step === 'verify' && e.status === 'start') abort.abort();
    });
    s.faults.staleHttps = false;
    expect(result.outcome).toBe('rolled-back');
    expect(result.error?.code).toBe('cancelled');
    await expectUnchanged(s);
  }, 60_000);
});

describe('certbench audit junos --host (read-only, over NETCONF)', () => {
  it('fails on the system-generated J-Web certificate and passes after a push of a CA-signed one', async () => {
    const s = await start({ config: ['set system services netconf ssh', 'set system services web-management https system-generated-certificate'], localCerts: [] });
    const login = ['--host', '127.0.0.1', '--port', String(s.port), '--user', 'netops', '--password-env', 'JUNOS_PW', '--host-key', s.hostKeyFingerprint, '--verify-port', String(s.restPort), '--web-port', String(s.webPort)];
    const before = await certbenchAsync(['audit', 'junos', ...login, '--json'], { env: { JUNOS_PW: PASSWORD } });
    expect(before.code, before.stderr).toBe(1);
    expect((JSON.parse(before.stdout) as { items: { id: string; status: string }[] }).items.find((i) => i.id === 'jweb-pki-certificate')?.status).toBe('FAIL');

    const push = await certbenchAsync(cliArgs(s, ['--bind', 'web']), { env: { JUNOS_PW: PASSWORD } });
    expect(push.code, push.stderr).toBe(0);
    const asked = s.rpcs.length;
    const after = await certbenchAsync(['audit', 'junos', ...login, '--json'], { env: { JUNOS_PW: PASSWORD } });
    expect(after.code, after.stdout + after.stderr).toBe(0);
    const report = JSON.parse(after.stdout) as { items: { id: string; status: string; detail: string }[] };
    expect(report.items.find((i) => i.id === 'cert:router1-2026')?.status).toBe('PASS');
    // Read-only: the audit asked for the configuration and nothing else.
    expect(s.rpcs.slice(asked).filter((x) => x !== 'close-session')).toEqual(['command: show configuration | display set']);
  }, 90_000);
});
