import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeFile } from '../../src/core/pki/decode.js';
import { pushApstra, type PushEvent, type PushResult } from '../../src/core/push/index.js';
import { RemoteFileError } from '../../src/core/transport/errors.js';
import { connectSsh } from '../../src/core/transport/ssh.js';
import type { SshSession } from '../../src/core/transport/types.js';
import { assembleBundle } from '../../src/core/targets/index.js';
import { fingerprintOf, useApstraStandIn } from '../helpers/apstra-standin.js';
import { certbench } from '../helpers/cli.js';
import { usePki } from '../helpers/fixtures.js';
import { openssl, tempDir } from '../helpers/openssl.js';
import { tcpProxy } from '../helpers/sshd.js';

/*
 * The Apstra push against real servers: Debian's sshd on 127.0.0.1 stands in for the Apstra server's SSH,
 * a folder under a temp dir for /etc/aos/nginx.conf.d, and Debian's nginx (restarted by a script given as
 * --restart-cmd) for the aos_nginx_1 container. Every assertion about what is served comes from a fresh TLS
 * connection made by `openssl s_client`, not from certbench's own probe.
 */

const pki = (name: string): string => fileURLToPath(new URL(`../fixtures/pki/${name}`, import.meta.url));
const t = tempDir('certbench-push-apstra-');
// A second PKI with certificates that pass certbench's checks but that nginx's OpenSSL refuses to load.
const weakPki = usePki();
const apstra = useApstraStandIn();
const p = t.path;

// As root, `sudo -n` changes nothing about who owns what, so the test can read back and nginx can load what
// sudo wrote. As another user, sudo would make root-owned 0600 files that neither can read: skipped there.
const asRoot = process.getuid?.() === 0;

const NEW_FP = fingerprintOf(readFileSync(pki('ec.crt'), 'utf8'));

function baseArgs(extra: string[] = []): string[] {
  const { sshd, nginx, dir } = apstra();
  return [
    'push', 'apstra', '--host', '127.0.0.1', '--port', String(sshd.port), '--user', sshd.user,
    '--identity', sshd.clientKey.path, '--host-key', sshd.hostKeyFingerprint,
    '--cert', pki('ec.crt'), '--key', pki('ec.key'), '--chain', pki('int.crt'),
    '--server-name', 'apstra.example.net', '--nginx-dir', dir, '--restart-cmd', nginx.restartScript,
    '--https-port', String(nginx.port), '--verify-timeout', '20', ...extra,
  ];
}

afterAll(() => t.cleanup());

describe('certbench push apstra against a real sshd and nginx', () => {
  it('pushes: the new certificate is served, backups hold the old files, the key is 0600', () => {
    const { dir, oldCrt, oldKey, oldSha256: OLD_FP, servedFingerprint } = apstra();
    const r = certbench(baseArgs(['--json']));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as PushResult;
    expect(result.outcome).toBe('pushed');
    expect(result.newSha256).toBe(NEW_FP);
    expect(result.previousSha256).toBe(OLD_FP);
    expect(result.servedSha256).toBe(NEW_FP);
    expect(servedFingerprint()).toBe(NEW_FP);

    // nginx.crt is the leaf then the intermediate, and the key is the pushed one, owner-only.
    expect(readFileSync(`${dir}/nginx.crt`, 'utf8')).toBe(readFileSync(pki('ec.crt'), 'utf8') + readFileSync(pki('int.crt'), 'utf8'));
    expect(statSync(`${dir}/nginx.key`).mode & 0o777).toBe(0o600);
    expect(openssl(['pkey', '-in', `${dir}/nginx.key`, '-pubout'])).toBe(openssl(['x509', '-pubkey', '-noout', '-in', pki('ec.crt')]));

    // Backups: timestamped, byte-identical to what was there, the key's owner-only.
    expect(result.backups).toHaveLength(2);
    const [crtBak, keyBak] = result.backups as [string, string];
    expect(crtBak).toMatch(/\/nginx\.crt\.certbench-\d{8}T\d{6}Z\.bak$/);
    expect(readFileSync(crtBak, 'utf8')).toBe(oldCrt);
    expect(readFileSync(keyBak, 'utf8')).toBe(oldKey);
    expect(statSync(keyBak).mode & 0o777).toBe(0o600);

    // Nothing else was left: no temp files, and never a *.conf (nginx would load it).
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp') || n.endsWith('.restore') || n.endsWith('.conf'))).toEqual([]);
    expect(result.events.map((e) => `${e.step}:${e.status}`)).toEqual(expect.arrayContaining(['backup:ok', 'upload:ok', 'activate:ok', 'verify:ok']));
    expect(result.events.some((e) => e.status === 'fail')).toBe(false);
  }, 60_000);

  it.skipIf(!asRoot)('--sudo: the same push through sudo -n commands; files and modes as with SFTP', () => {
    const { dir, oldCrt, servedFingerprint } = apstra();
    const r = certbench(baseArgs(['--sudo', '--json']));
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as PushResult;
    expect(result.outcome).toBe('pushed');
    expect(result.plan.find((s) => s.step === 'backup')?.description).toContain('through sudo -n');
    expect(servedFingerprint()).toBe(NEW_FP);
    expect(readFileSync(`${dir}/nginx.crt`, 'utf8')).toBe(readFileSync(pki('ec.crt'), 'utf8') + readFileSync(pki('int.crt'), 'utf8'));
    expect(statSync(`${dir}/nginx.key`).mode & 0o777).toBe(0o600);
    expect(readFileSync(result.backups[0]!, 'utf8')).toBe(oldCrt);
    expect(statSync(result.backups[1]!).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  }, 60_000);

  it('dry run: connects, reports what is served, changes nothing', () => {
    const { oldSha256: OLD_FP, servedFingerprint, folderState } = apstra();
    const before = folderState();
    const r = certbench(baseArgs(['--dry-run']));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('PLAN (dry run): nothing was changed');
    expect(r.stdout).toContain(`previous  SHA-256 ${OLD_FP}`);
    expect(r.stderr).toMatch(/\[2\/7\] connect\s+ok/);
    expect(folderState()).toEqual(before);
    expect(servedFingerprint()).toBe(OLD_FP);
  }, 60_000);

  it('a wrong host-key pin stops before authenticating; both fingerprints are shown, nothing changes', () => {
    const { sshd, oldSha256: OLD_FP, servedFingerprint, folderState } = apstra();
    const before = folderState();
    const wrong = 'SHA256:' + Buffer.alloc(32, 7).toString('base64').replace(/=+$/, '');
    const args = baseArgs();
    args[args.indexOf('--host-key') + 1] = wrong;
    const r = certbench(args);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(sshd.hostKeyFingerprint);
    expect(r.stderr).toContain(wrong);
    expect(r.stdout).toContain('FAILED: nothing was changed');
    expect(folderState()).toEqual(before);
    expect(servedFingerprint()).toBe(OLD_FP);
  }, 60_000);

  it('a key the server does not accept is an authentication failure; nothing changes', () => {
    const { sshd, oldSha256: OLD_FP, servedFingerprint, folderState } = apstra();
    openssl(['genpkey', '-algorithm', 'ed25519', '-out', p('stranger.key')]);
    const before = folderState();
    const args = baseArgs();
    args[args.indexOf('--identity') + 1] = p('stranger.key');
    const r = certbench(args);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refused the key in --identity .*stranger\.key/);
    expect(r.stderr).toContain(sshd.user);
    expect(folderState()).toEqual(before);
    expect(servedFingerprint()).toBe(OLD_FP);
  }, 60_000);

  it('a password from the environment that the server refuses: exit 1, and the password is never printed', () => {
    const { oldSha256: OLD_FP, servedFingerprint } = apstra();
    const r = certbench([...baseArgs().filter((_a, i, all) => all[i] !== '--identity' && all[i - 1] !== '--identity'), '--password-env', 'CB_TEST_PW'],
      { env: { CB_TEST_PW: 'hunter2-not-the-password' } });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).not.toContain('hunter2');
    expect(servedFingerprint()).toBe(OLD_FP);
  }, 60_000);

  it('a key that does not match the certificate is refused in preflight: exit 2, no connection, nothing uploaded', () => {
    const { folderState } = apstra();
    const before = folderState();
    const args = baseArgs();
    args[args.indexOf('--key') + 1] = pki('other.key');
    const r = certbench(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('does not match the certificate');
    expect(r.stderr).toContain('nothing was sent');
    expect(r.stderr).not.toMatch(/connect\s+(ok|\.\.)/);
    expect(folderState()).toEqual(before);
  }, 60_000);

  it('a server name missing from the SAN is refused before connecting', () => {
    const { folderState } = apstra();
    const args = baseArgs();
    args[args.indexOf('--server-name') + 1] = 'apstra.other.net';
    const before = folderState();
    const r = certbench(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('apstra.other.net is not in the certificate');
    expect(folderState()).toEqual(before);
  }, 60_000);

  it('a restart that does not pick up the new files fails verification and rolls back', () => {
    const { dir, oldCrt, oldKey, oldSha256: OLD_FP, servedFingerprint } = apstra();
    const args = baseArgs(['--json']);
    args[args.indexOf('--restart-cmd') + 1] = 'true';
    args[args.indexOf('--verify-timeout') + 1] = '3';
    const r = certbench(args);
    expect(r.code).toBe(1);
    const result = JSON.parse(r.stdout) as PushResult;
    expect(result.outcome).toBe('rolled-back');
    expect(result.error?.message).toContain(`still serves SHA-256 ${OLD_FP}`);
    expect(readFileSync(`${dir}/nginx.crt`, 'utf8')).toBe(oldCrt);
    expect(readFileSync(`${dir}/nginx.key`, 'utf8')).toBe(oldKey);
    expect(statSync(`${dir}/nginx.key`).mode & 0o777).toBe(0o600);
    expect(servedFingerprint()).toBe(OLD_FP);
    expect(r.stderr).toContain('push apstra rolled-back');
  }, 60_000);

  it('a restart command that fails rolls back and restarts the old certificate', () => {
    const { nginx, dir, oldCrt, oldSha256: OLD_FP, servedFingerprint } = apstra();
    const args = baseArgs(['--json']);
    // The push's restart really restarts nginx on the new files, then reports failure (as a container that
    // exits would); the rollback's restart, the same command, succeeds. A counter file tells them apart.
    writeFileSync(p('count'), '0');
    writeFileSync(p('restart-once-fails.sh'),
      `#!/bin/sh\nn=$(cat ${p('count')}); echo $((n+1)) > ${p('count')}\n${nginx.restartScript} || exit $?\n[ "$n" = 0 ] && { echo "simulated: container did not come up" >&2; exit 3; }\nexit 0\n`, { mode: 0o755 });
    args[args.indexOf('--restart-cmd') + 1] = p('restart-once-fails.sh');
    const r = certbench(args);
    expect(r.code).toBe(1);
    const result = JSON.parse(r.stdout) as PushResult;
    expect(result.outcome).toBe('rolled-back');
    expect(result.error?.message).toContain('exited with status 3');
    expect(result.error?.message).toContain('container did not come up');
    expect(readFileSync(p('count'), 'utf8').trim()).toBe('2');
    expect(servedFingerprint()).toBe(OLD_FP);
    expect(readFileSync(`${dir}/nginx.crt`, 'utf8')).toBe(oldCrt);
  }, 60_000);

  it('a certificate nginx refuses to start with is rolled back, and the old certificate is served again', () => {
    const { dir, oldCrt, oldKey, oldSha256: OLD_FP, servedFingerprint } = apstra();
    // sha1.crt is signed with ecdsa-with-SHA1: key and chain check out (certbench warns), but OpenSSL 3 at
    // security level 2, as Debian's nginx uses it, fails at start with "ca md too weak".
    const w = weakPki();
    const args = baseArgs(['--json']);
    args[args.indexOf('--cert') + 1] = w.path('sha1.crt');
    args[args.indexOf('--key') + 1] = w.path('ec.sec1.pem');
    args[args.indexOf('--chain') + 1] = w.path('int.crt');
    args[args.indexOf('--server-name') + 1] = 'sha1.example.com';
    const r = certbench(args);
    expect(r.code).toBe(1);
    const result = JSON.parse(r.stdout) as PushResult;
    expect(result.warnings.map((x) => x.message).join('\n')).toMatch(/SHA-1|sha1/i);
    expect(result.outcome).toBe('rolled-back');
    expect(result.error?.code).toBe('remote-command-failed');
    expect(result.error?.message).toContain('ca md too weak');
    expect(result.events.filter((e) => e.step === 'rollback').map((e) => e.status)).toEqual(['start', 'info', 'ok']);
    expect(readFileSync(`${dir}/nginx.crt`, 'utf8')).toBe(oldCrt);
    expect(readFileSync(`${dir}/nginx.key`, 'utf8')).toBe(oldKey);
    expect(servedFingerprint()).toBe(OLD_FP);
    expect(result.servedSha256).toBe(OLD_FP);
  }, 60_000);

  it('a known_hosts file that cannot be read, or an encrypted identity without its passphrase: exit 2 before connecting', () => {
    const { sshd, folderState } = apstra();
    const before = folderState();
    const kh = baseArgs().filter((_a, i, all) => all[i] !== '--host-key' && all[i - 1] !== '--host-key');
    const r1 = certbench([...kh, '--known-hosts', p('no-such-known_hosts')]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/--known-hosts .*no-such-known_hosts: cannot read the known_hosts file/);
    openssl(['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', sshd.clientKey.path, '-passout', 'pass:identity pass', '-out', p('client.enc.pem')]);
    const args = baseArgs();
    args[args.indexOf('--identity') + 1] = p('client.enc.pem');
    const r2 = certbench(args);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/--identity .*client\.enc\.pem: .*passphrase/);
    expect(r2.stderr).not.toMatch(/connect/);
    expect(folderState()).toEqual(before);
  }, 60_000);

  it('text from the server is shown, not obeyed: an escape sequence in a stray file name stays inert', () => {
    const { dir } = apstra();
    writeFileSync(`${dir}/x\u001b[2Jcustom.conf`, '# an OpenSSL config someone left here\n');
    const r = certbench(baseArgs(['--dry-run']));
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('\u001b');
    expect(r.stderr).toContain('x\\u001b[2Jcustom.conf');
    expect(r.stdout).toContain('warning [apstra-stray-conf]');
  }, 60_000);

  it('the own known-hosts store: an unknown host is refused with its fingerprint, accepted once explicitly, then trusted', () => {
    const { sshd } = apstra();
    const store = p('store/known_hosts');
    const env = { CERTBENCH_KNOWN_HOSTS: store };
    const args = baseArgs(['--dry-run']).filter((_a, i, all) => all[i] !== '--host-key' && all[i - 1] !== '--host-key');
    const first = certbench(args, { env });
    expect(first.code).toBe(1);
    expect(first.stderr).toContain(sshd.hostKeyFingerprint);
    const second = certbench([...args, '--accept-new-host-key'], { env });
    expect(second.code).toBe(0);
    expect(readFileSync(store, 'utf8')).toContain(`[127.0.0.1]:${sshd.port}`);
    const third = certbench(args, { env });
    expect(third.code).toBe(0);
  }, 60_000);
});

describe('pushApstra (core) when the connection drops or the user cancels', () => {
  const bundleOfEc = async () => assembleBundle({ key: await decodeFile(pki('ec.key')), cert: await decodeFile(pki('ec.crt')), chain: [await decodeFile(pki('int.crt'))] });

  it('cancelled while waiting for the new certificate: the change is rolled back on a fresh connection', async () => {
    const { sshd, nginx, dir, oldCrt, oldKey, oldSha256: OLD_FP, servedFingerprint } = apstra();
    const abort = new AbortController();
    const result = await pushApstra({
      bundle: await bundleOfEc(),
      ssh: { host: '127.0.0.1', port: sshd.port, username: sshd.user, auth: { kind: 'key', privateKey: sshd.clientKey.pkcs8Pem }, hostKey: { kind: 'pin', fingerprints: [sshd.hostKeyFingerprint] } },
      // `true` restarts nothing, so verify keeps waiting until the cancel.
      serverName: 'apstra.example.net', nginxDir: dir, restartCmd: 'true', httpsPort: nginx.port, verifyTimeoutMs: 30_000, signal: abort.signal,
    }, (e) => {
      if (e.step === 'verify' && e.status === 'start') setTimeout(() => abort.abort(), 200);
    });
    expect(result.outcome).toBe('rolled-back');
    expect(result.error?.code).toBe('cancelled');
    expect(readFileSync(`${dir}/nginx.crt`, 'utf8')).toBe(oldCrt);
    expect(readFileSync(`${dir}/nginx.key`, 'utf8')).toBe(oldKey);
    expect(servedFingerprint()).toBe(OLD_FP);
  }, 60_000);

  it('cancelled after the upload, before the swap: nothing live changes, no restart, the temp files are removed', async () => {
    const { sshd, nginx, dir, oldCrt, oldKey, oldSha256: OLD_FP, servedFingerprint } = apstra();
    const abort = new AbortController();
    writeFileSync(p('restarts'), '');
    const result = await pushApstra({
      bundle: await bundleOfEc(),
      ssh: { host: '127.0.0.1', port: sshd.port, username: sshd.user, auth: { kind: 'key', privateKey: sshd.clientKey.pkcs8Pem }, hostKey: { kind: 'pin', fingerprints: [sshd.hostKeyFingerprint] } },
      serverName: 'apstra.example.net', nginxDir: dir, restartCmd: `echo restart >> ${p('restarts')}; ${nginx.restartScript}`, httpsPort: nginx.port, verifyTimeoutMs: 30_000, signal: abort.signal,
    }, (e) => {
      if (e.step === 'upload' && e.status === 'ok') abort.abort();
    });
    expect(result.outcome).toBe('unchanged');
    expect(result.error?.code).toBe('cancelled');
    expect(result.events.some((e) => e.step === 'rollback')).toBe(false);
    expect(readFileSync(p('restarts'), 'utf8')).toBe('');
    expect(readFileSync(`${dir}/nginx.crt`, 'utf8')).toBe(oldCrt);
    expect(readFileSync(`${dir}/nginx.key`, 'utf8')).toBe(oldKey);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(servedFingerprint()).toBe(OLD_FP);
  }, 60_000);

  it('permission denied writing the folder (a root-owned folder, as on Apstra) says to use sudo; nothing changes', async () => {
    const { sshd, nginx, dir, oldCrt, servedFingerprint, oldSha256: OLD_FP } = apstra();
    // The SFTP server's answer for a folder the login user may not write, on the real session's file operations.
    const denyWrites = (s: SshSession): SshSession => ({
      get endpoint() { return s.endpoint; },
      get hostKey() { return s.hostKey; },
      get closed() { return s.closed; },
      exec: (c, o) => s.exec(c, o),
      subsystem: (n) => s.subsystem(n),
      close: () => s.close(),
      files: async () => {
        const fs = await s.files();
        return { ...fs, stat: (x) => fs.stat(x), readFile: (x, l) => fs.readFile(x, l), readdir: (x) => fs.readdir(x),
          writeFile: async (x) => { throw new RemoteFileError(s.endpoint, x, 'permission denied (check the user\'s rights on the device)'); } };
      },
    });
    const result = await pushApstra({
      bundle: await bundleOfEc(),
      ssh: { host: '127.0.0.1', port: sshd.port, username: 'admin-ish', auth: { kind: 'key', privateKey: sshd.clientKey.pkcs8Pem }, hostKey: { kind: 'pin', fingerprints: [sshd.hostKeyFingerprint] } },
      serverName: 'apstra.example.net', nginxDir: dir, restartCmd: nginx.restartScript, httpsPort: nginx.port, verifyTimeoutMs: 10_000,
    }, undefined, { connect: async (p) => denyWrites(await connectSsh({ ...p, username: sshd.user })) });
    expect(result.outcome).toBe('unchanged');
    expect(result.error?.message).toMatch(/permission denied for admin-ish: log in as a user that may write .*--sudo/);
    expect(readFileSync(`${dir}/nginx.crt`, 'utf8')).toBe(oldCrt);
    expect(servedFingerprint()).toBe(OLD_FP);
  }, 60_000);

  it('dropped during the upload: the live files are untouched and the old certificate is still served', async () => {
    const { sshd, nginx, dir, oldSha256: OLD_FP, servedFingerprint } = apstra();
    const proxy = await tcpProxy(sshd.port);
    try {
      const before = { crt: readFileSync(`${dir}/nginx.crt`, 'utf8'), key: readFileSync(`${dir}/nginx.key`, 'utf8') };
      const bundle = assembleBundle({ key: await decodeFile(pki('ec.key')), cert: await decodeFile(pki('ec.crt')), chain: [await decodeFile(pki('int.crt'))] });
      const events: PushEvent[] = [];
      const result = await pushApstra({
        bundle,
        ssh: { host: '127.0.0.1', port: proxy.port, username: sshd.user, auth: { kind: 'key', privateKey: sshd.clientKey.pkcs8Pem }, hostKey: { kind: 'pin', fingerprints: [sshd.hostKeyFingerprint] } },
        serverName: 'apstra.example.net', nginxDir: dir, restartCmd: nginx.restartScript, httpsPort: nginx.port, verifyTimeoutMs: 10_000,
      }, (e) => {
        events.push(e);
        if (e.step === 'upload' && e.status === 'start') proxy.cut();
      });
      expect(result.outcome).toBe('unchanged');
      expect(result.error?.code).toBe('connection-lost');
      expect(events.some((e) => e.step === 'activate')).toBe(false);
      expect(readFileSync(`${dir}/nginx.crt`, 'utf8')).toBe(before.crt);
      expect(readFileSync(`${dir}/nginx.key`, 'utf8')).toBe(before.key);
      expect(servedFingerprint()).toBe(OLD_FP);
      // A fresh connection removed whatever part of the new files had been written.
      expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    } finally {
      await proxy.close();
    }
  }, 60_000);

  it('dropped during the restart: a fresh connection restores the backup and the old certificate is served again', async () => {
    const { sshd, nginx, dir, oldCrt, oldSha256: OLD_FP, servedFingerprint } = apstra();
    const proxy = await tcpProxy(sshd.port);
    try {
      const bundle = assembleBundle({ key: await decodeFile(pki('ec.key')), cert: await decodeFile(pki('ec.crt')), chain: [await decodeFile(pki('int.crt'))] });
      const result = await pushApstra({
        bundle,
        ssh: { host: '127.0.0.1', port: proxy.port, username: sshd.user, auth: { kind: 'key', privateKey: sshd.clientKey.pkcs8Pem }, hostKey: { kind: 'pin', fingerprints: [sshd.hostKeyFingerprint] } },
        serverName: 'apstra.example.net', nginxDir: dir, restartCmd: nginx.restartScript, httpsPort: nginx.port, verifyTimeoutMs: 10_000,
      }, (e) => {
        if (e.step === 'activate' && e.status === 'info') proxy.cut();
      });
      expect(result.outcome).toBe('rolled-back');
      expect(result.events.some((e) => e.step === 'rollback' && e.message.includes('reconnecting'))).toBe(true);
      expect(readFileSync(`${dir}/nginx.crt`, 'utf8')).toBe(oldCrt);
      expect(servedFingerprint()).toBe(OLD_FP);
    } finally {
      await proxy.close();
    }
  }, 60_000);
});

