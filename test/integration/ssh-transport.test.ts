import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import {
  AuthError,
  CancelledError,
  ConnectError,
  ConnectionLostError,
  HostKeyMismatchError,
  HostKeyUnknownError,
  RemoteCommandError,
  RemoteFileError,
  TimeoutError,
} from '../../src/core/transport/errors.js';
import { checkHostKey } from '../../src/core/transport/host-keys.js';
import { keyForSsh } from '../../src/core/transport/ssh-key.js';
import { connectSsh, MAX_EXEC_OUTPUT, scanHostKey, type SshDeps } from '../../src/core/transport/ssh.js';
import type { HostKeyPolicy, SshAuth, SshParams, SshSession } from '../../src/core/transport/types.js';
import { openssl, tempDir } from '../helpers/openssl.js';
import {
  authorize,
  freePort,
  publicKeyLine,
  sshKeygen,
  startPasswordServer,
  startSshd,
  tcpProxy,
  type Sshd,
} from '../helpers/sshd.js';

const PASS = 'test pass phrase';
const t = tempDir('certbench-sshtest-');
let sshd: Sshd;
/** Client keys, all authorised, and the `ssh-keygen -lf` fingerprint sshd logs when one is accepted. */
const keys: Record<string, { pem: string; fp: string }> = {};

function fingerprintOfLine(name: string, pubLine: string): string {
  writeFileSync(t.path(`${name}.pub`), `${pubLine}\n`);
  return sshKeygen(['-lf', t.path(`${name}.pub`)]).split(' ')[1] ?? '';
}

function addKey(name: string, genArgs: string[]): void {
  const path = t.path(`${name}.pem`);
  openssl(['genpkey', ...genArgs, '-out', path]);
  chmodSync(path, 0o600);
  const pem = readFileSync(path, 'utf8');
  const pub = publicKeyLine(pem, path);
  authorize(sshd, pub);
  keys[name] = { pem, fp: fingerprintOfLine(name, pub) };
}

beforeAll(async () => {
  sshd = await startSshd();
  keys.rsa = { pem: sshd.clientKey.pkcs8Pem, fp: fingerprintOfLine('rsa', publicKeyLine(sshd.clientKey.pkcs8Pem, sshd.clientKey.path)) };
  addKey('ec', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']);
  addKey('ed', ['-algorithm', 'ed25519']);
  // The same Ed25519 key, as encrypted PKCS#8 (PBES2, AES-256-CBC).
  openssl(['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', t.path('ed.pem'), '-passout', `pass:${PASS}`, '-out', t.path('ed-enc.pem')]);
  // An OpenSSH-format key, encrypted, as `ssh-keygen` makes it: handed to ssh2 as it is.
  sshKeygen(['-q', '-t', 'ed25519', '-N', PASS, '-f', t.path('openssh')]);
  authorize(sshd, readFileSync(t.path('openssh.pub'), 'utf8').trim());
  // Not authorised.
  openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', t.path('stranger.pem')]);
});

afterAll(async () => {
  await sshd?.stop();
  t.cleanup();
});

function params(over: Partial<SshParams> = {}): SshParams {
  return {
    host: sshd.host,
    port: sshd.port,
    username: sshd.user,
    auth: { kind: 'key', privateKey: sshd.clientKey.pkcs8Pem, file: sshd.clientKey.path },
    hostKey: { kind: 'pin', fingerprints: [sshd.hostKeyFingerprint] },
    readyTimeoutMs: 15_000,
    ...over,
  };
}

async function withSession<T>(p: SshParams, body: (s: SshSession) => Promise<T>): Promise<T> {
  const s = await connectSsh(p);
  try {
    return await body(s);
  } finally {
    await s.close();
  }
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

/** A socket already connected to `port`, so that its local port identifies the connection in sshd's log. */
async function connectedSocket(port: number): Promise<net.Socket> {
  const sock = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', reject);
  });
  return sock;
}

/** sshd's log lines about the client connection from `localPort`, once sshd has logged its end. */
async function sshdLinesFor(localPort: number): Promise<string[]> {
  const mine = (): string[] => sshd.log().split('\n').filter((l) => new RegExp(`127\\.0\\.0\\.1 port ${localPort}\\b`).test(l));
  const ended = /closed by|Disconnected from|Received disconnect|reset by/;
  await vi.waitFor(() => expect(mine().some((l) => ended.test(l))).toBe(true), { timeout: 10_000, interval: 50 });
  return mine();
}

describe('key authentication (every encoding certbench reads)', () => {
  const cases: { name: string; auth: () => SshAuth; fp: () => string }[] = [
    { name: 'RSA, PKCS#8 PEM', auth: () => ({ kind: 'key', privateKey: keys.rsa?.pem ?? '' }), fp: () => keys.rsa?.fp ?? '' },
    { name: 'EC P-256, PKCS#8 PEM', auth: () => ({ kind: 'key', privateKey: keys.ec?.pem ?? '' }), fp: () => keys.ec?.fp ?? '' },
    { name: 'Ed25519, PKCS#8 PEM', auth: () => ({ kind: 'key', privateKey: keys.ed?.pem ?? '' }), fp: () => keys.ed?.fp ?? '' },
    {
      name: 'Ed25519, encrypted PKCS#8 with passphrase (bytes)',
      auth: () => ({ kind: 'key', privateKey: new Uint8Array(readFileSync(t.path('ed-enc.pem'))), passphrase: PASS, file: t.path('ed-enc.pem') }),
      fp: () => keys.ed?.fp ?? '',
    },
    {
      name: 'Ed25519, encrypted OpenSSH format',
      auth: () => ({ kind: 'key', privateKey: readFileSync(t.path('openssh'), 'utf8'), passphrase: PASS }),
      fp: () => sshKeygen(['-lf', t.path('openssh.pub')]).split(' ')[1] ?? '',
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const sock = await connectedSocket(sshd.port);
      const localPort = sock.localPort ?? 0;
      await withSession(params({ auth: c.auth(), sock }), async (s) => {
        expect(s.endpoint).toBe(`127.0.0.1:${sshd.port}`);
        expect(s.hostKey).toEqual({ type: 'ssh-ed25519', fingerprint: sshd.hostKeyFingerprint, recorded: false });
        expect((await s.exec('id -un')).stdout.trim()).toBe(sshd.user);
      });
      // sshd says which key it accepted: the one we meant.
      const lines = await sshdLinesFor(localPort);
      expect(lines.join('\n')).toContain(`Accepted publickey for ${sshd.user} from 127.0.0.1 port ${localPort}`);
      expect(lines.join('\n')).toContain(c.fp());
    });
  }

  it('asks for the passphrase of an encrypted key without connecting', async () => {
    const e = await rejection(connectSsh(params({ auth: { kind: 'key', privateKey: readFileSync(t.path('ed-enc.pem'), 'utf8'), file: 'ed-enc.pem' } })));
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).code).toBe('passphrase-required');
    expect(e.message).toContain('ed-enc.pem');
  });

  it('refuses a key that is not authorised with AuthError naming the user and the key', async () => {
    const e = await rejection(connectSsh(params({ auth: { kind: 'key', privateKey: readFileSync(t.path('stranger.pem')), file: 'stranger.pem' } })));
    expect(e).toBeInstanceOf(AuthError);
    expect((e as AuthError).code).toBe('auth-failed');
    expect(e.message).toContain(`"${sshd.user}"`);
    expect(e.message).toContain('stranger.pem');
    expect(e.message).not.toContain('PRIVATE KEY');
  });
});

describe('agent authentication', () => {
  it('logs in with a key held by ssh-agent, and refuses without SSH_AUTH_SOCK', async () => {
    const socket = t.path('agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
    try {
      await vi.waitFor(() => expect(existsSync(socket)).toBe(true), { timeout: 10_000, interval: 20 });
      const add = spawnSync('ssh-add', [t.path('ec.pem')], { env: { ...process.env, SSH_AUTH_SOCK: socket }, encoding: 'utf8' });
      expect(add.status, add.stderr).toBe(0);
      const sock = await connectedSocket(sshd.port);
      const localPort = sock.localPort ?? 0;
      await withSession(params({ auth: { kind: 'agent', socket }, sock }), async (s) => {
        expect((await s.exec('echo via agent')).stdout).toBe('via agent\n');
      });
      expect((await sshdLinesFor(localPort)).join('\n')).toContain(`Accepted publickey for ${sshd.user} from 127.0.0.1 port ${localPort} ssh2: ECDSA ${keys.ec?.fp ?? ''}`);
    } finally {
      const exited = new Promise((resolve) => agent.once('exit', resolve));
      agent.kill('SIGTERM');
      await exited;
    }
    const e = await rejection(connectSsh(params({ auth: { kind: 'agent' } }), { env: {} }));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toContain('SSH_AUTH_SOCK');
  });
});

describe('exec', () => {
  let s: SshSession;
  beforeAll(async () => {
    s = await connectSsh(params());
  });
  afterAll(async () => {
    await s?.close();
  });

  it('returns stdout, stderr and status 0', async () => {
    expect(await s.exec('echo out; echo err >&2')).toEqual({ code: 0, stdout: 'out\n', stderr: 'err\n' });
  });

  it('throws RemoteCommandError with the status and stderr on a non-zero exit', async () => {
    const e = await rejection(s.exec('echo failing >&2; exit 3'));
    expect(e).toBeInstanceOf(RemoteCommandError);
    expect((e as RemoteCommandError).exitCode).toBe(3);
    expect((e as RemoteCommandError).stderr).toBe('failing');
    expect(e.message).toContain('exited with status 3');
  });

  it('returns a non-zero exit with allowFailure', async () => {
    expect(await s.exec('echo x; exit 7', { allowFailure: true })).toEqual({ code: 7, stdout: 'x\n', stderr: '' });
  });

  it('feeds stdin', async () => {
    expect((await s.exec('cat; echo', { stdin: 'line one\nline two' })).stdout).toBe('line one\nline two\n');
    expect((await s.exec('wc -c', { stdin: new Uint8Array([1, 2, 3]) })).stdout.trim()).toBe('3');
  });

  it('keeps at most 1 MiB of output and says it cut it', async () => {
    const r = await s.exec(`head -c ${MAX_EXEC_OUTPUT + 5000} /dev/zero | tr '\\0' a`);
    expect(r.stdout.startsWith('a'.repeat(MAX_EXEC_OUTPUT))).toBe(true);
    expect(r.stdout.slice(MAX_EXEC_OUTPUT)).toMatch(/^\n\[output cut at \d+ bytes\]$/);
  });

  it('throws TimeoutError when the command outlives its time limit, and the session stays usable', async () => {
    const e = await rejection(s.exec('sleep 5', { timeoutMs: 200 }));
    expect(e).toBeInstanceOf(TimeoutError);
    expect(e.message).toContain('sleep 5');
    expect((await s.exec('echo still here')).stdout).toBe('still here\n');
  });
});

describe('files (SFTP)', () => {
  let s: SshSession;
  const dir = t.path('remote');
  beforeAll(async () => {
    mkdirSync(dir);
    s = await connectSsh(params());
  });
  afterAll(async () => {
    await s?.close();
  });

  it('opens SFTP once', async () => {
    expect(await s.files()).toBe(await s.files());
  });

  it('writes a key file with mode 0600', async () => {
    const fs = await s.files();
    await fs.writeFile(`${dir}/new.key`, 'secret\n', 0o600);
    expect(statSync(`${dir}/new.key`).mode & 0o777).toBe(0o600);
    expect(readFileSync(`${dir}/new.key`, 'utf8')).toBe('secret\n');
  });

  it('narrows the mode of an existing world-readable file it replaces', async () => {
    writeFileSync(`${dir}/old.key`, 'a much longer old content that must be gone');
    chmodSync(`${dir}/old.key`, 0o644);
    const fs = await s.files();
    await fs.writeFile(`${dir}/old.key`, new Uint8Array([0x6e, 0x65, 0x77]), 0o600);
    expect(statSync(`${dir}/old.key`).mode & 0o777).toBe(0o600);
    expect(readFileSync(`${dir}/old.key`, 'utf8')).toBe('new');
  });

  it('writes a large file in full with the mode asked for', async () => {
    const data = Buffer.alloc(200_000, 'c');
    const fs = await s.files();
    await fs.writeFile(`${dir}/big.crt`, data, 0o644);
    expect(statSync(`${dir}/big.crt`).mode & 0o777).toBe(0o644);
    expect(readFileSync(`${dir}/big.crt`).equals(data)).toBe(true);
    expect((await fs.readFile(`${dir}/big.crt`)).equals(data)).toBe(true);
  });

  it('renames over an existing file', async () => {
    const fs = await s.files();
    await fs.writeFile(`${dir}/target.crt`, 'old', 0o644);
    await fs.writeFile(`${dir}/target.crt.tmp`, 'new', 0o644);
    await fs.rename(`${dir}/target.crt.tmp`, `${dir}/target.crt`);
    expect(readFileSync(`${dir}/target.crt`, 'utf8')).toBe('new');
    expect(existsSync(`${dir}/target.crt.tmp`)).toBe(false);
  });

  it('stats files and folders, and gives undefined for a missing one', async () => {
    const fs = await s.files();
    await fs.writeFile(`${dir}/st.txt`, '12345', 0o640);
    expect(await fs.stat(`${dir}/st.txt`)).toEqual({ size: 5, mode: 0o640, isFile: true, isDirectory: false });
    expect(await fs.stat(dir)).toMatchObject({ isFile: false, isDirectory: true });
    expect(await fs.stat(`${dir}/missing`)).toBeUndefined();
  });

  it('reads a file, refusing one over the limit', async () => {
    const fs = await s.files();
    writeFileSync(`${dir}/r.txt`, 'hello');
    expect((await fs.readFile(`${dir}/r.txt`)).toString()).toBe('hello');
    const e = await rejection(fs.readFile(`${dir}/r.txt`, 4));
    expect(e).toBeInstanceOf(RemoteFileError);
    expect(e.message).toContain('4-byte limit');
    expect(await fs.readFile(`${dir}/r.txt`, 5)).toEqual(Buffer.from('hello'));
  });

  it('lists a folder without . and ..', async () => {
    const sub = `${dir}/list`;
    mkdirSync(sub);
    writeFileSync(`${sub}/a`, '');
    writeFileSync(`${sub}/b`, '');
    const fs = await s.files();
    expect((await fs.readdir(sub)).sort()).toEqual(['a', 'b']);
  });

  it('unlinks, without an error when the file is already gone', async () => {
    const fs = await s.files();
    writeFileSync(`${dir}/gone`, 'x');
    await fs.unlink(`${dir}/gone`);
    expect(existsSync(`${dir}/gone`)).toBe(false);
    await expect(fs.unlink(`${dir}/gone`)).resolves.toBeUndefined();
  });

  it('says "no such file" in a RemoteFileError naming the path', async () => {
    const fs = await s.files();
    const cases = [
      () => fs.writeFile(`${dir}/no/such/dir/x.key`, 'x', 0o600),
      () => fs.readFile(`${dir}/missing`),
      () => fs.readdir(`${dir}/missing`),
      () => fs.rename(`${dir}/missing`, `${dir}/elsewhere`),
    ];
    for (const run of cases) {
      const e = await rejection(run());
      expect(e).toBeInstanceOf(RemoteFileError);
      expect(e.message).toContain('no such file');
      expect(e.message).toContain(`${dir}/`);
    }
  });
});

describe('host key checking', () => {
  it('refuses a wrong pin before any authentication, showing both fingerprints', async () => {
    const wrong = 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s';
    const spy = vi.fn(checkHostKey);
    const sock = await connectedSocket(sshd.port);
    const localPort = sock.localPort ?? 0;
    const e = await rejection(connectSsh(params({ hostKey: { kind: 'pin', fingerprints: [wrong] }, sock }), { checkHostKey: spy }));
    expect(e).toBeInstanceOf(HostKeyMismatchError);
    expect((e as HostKeyMismatchError).presented).toBe(sshd.hostKeyFingerprint);
    expect(e.message).toContain(sshd.hostKeyFingerprint);
    expect(e.message).toContain(wrong);
    // The verifier ran once, with the key sshd has.
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.calls[0]?.[3]).toBe('ssh-ed25519');
    // The key would have been accepted: no auth line at all means none was attempted.
    const lines = await sshdLinesFor(localPort);
    expect(lines.join('\n')).not.toMatch(/Accepted|Failed|Postponed|authenticat/i);
  });

  it('accepts plain and hashed known_hosts entries, and refuses absent or other keys', async () => {
    const plain = t.path('kh_plain');
    writeFileSync(plain, `# lab\n[127.0.0.1]:${sshd.port} ${sshd.hostKeyPub}\n`);
    const hashed = t.path('kh_hashed');
    writeFileSync(hashed, `[127.0.0.1]:${sshd.port} ${sshd.hostKeyPub}\n`);
    sshKeygen(['-H', '-f', hashed]);
    expect(readFileSync(hashed, 'utf8')).toMatch(/^\|1\|/);
    for (const file of [plain, hashed]) {
      await withSession(params({ hostKey: { kind: 'known-hosts', file } }), async (s) => {
        expect(s.hostKey.fingerprint).toBe(sshd.hostKeyFingerprint);
      });
    }

    const port22 = t.path('kh_port22');
    writeFileSync(port22, `127.0.0.1 ${sshd.hostKeyPub}\n`);
    expect(await rejection(connectSsh(params({ hostKey: { kind: 'known-hosts', file: port22 } })))).toBeInstanceOf(HostKeyUnknownError);

    const other = t.path('kh_other');
    writeFileSync(other, `[127.0.0.1]:${sshd.port} ${readFileSync(t.path('openssh.pub'), 'utf8')}`);
    const e = await rejection(connectSsh(params({ hostKey: { kind: 'known-hosts', file: other } })));
    expect(e).toBeInstanceOf(HostKeyMismatchError);
    expect((e as HostKeyMismatchError).expected).toEqual([sshKeygen(['-lf', t.path('openssh.pub')]).split(' ')[1]]);

    const missing = await rejection(connectSsh(params({ hostKey: { kind: 'known-hosts', file: t.path('kh_missing') } })));
    expect(missing).toBeInstanceOf(InputError);
    expect((missing as InputError).code).toBe('not-found');
  });

  it("store: refuses an unknown host, records it on explicit accept, then refuses a changed key without sending credentials", async () => {
    const file = t.path('store/known_hosts');
    const store = (acceptNew?: boolean): HostKeyPolicy => ({ kind: 'store', file, ...(acceptNew ? { acceptNew } : {}) });

    const unknown = await rejection(connectSsh(params({ hostKey: store() })));
    expect(unknown).toBeInstanceOf(HostKeyUnknownError);
    expect(unknown.message).toContain(sshd.hostKeyFingerprint);
    expect(existsSync(file)).toBe(false);

    await withSession(params({ hostKey: store(true) }), async (s) => {
      expect(s.hostKey).toEqual({ type: 'ssh-ed25519', fingerprint: sshd.hostKeyFingerprint, recorded: true });
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(sshKeygen(['-F', `[127.0.0.1]:${sshd.port}`, '-f', file])).toContain(sshd.hostKeyPub.split(' ')[1]);

    await withSession(params({ hostKey: store() }), async (s) => {
      expect(s.hostKey.recorded).toBe(false);
    });

    // Another server answers at the recorded address (a reinstalled device, or a man in the middle).
    const impostor = await startPasswordServer(sshd.user, 'pw');
    try {
      const sock = await connectedSocket(impostor.port);
      const e = await rejection(connectSsh(params({ hostKey: store(true), auth: { kind: 'password', password: 'pw' }, sock })));
      expect(e).toBeInstanceOf(HostKeyMismatchError);
      expect(e.message).toContain(impostor.hostKeyFingerprint);
      expect(e.message).toContain(sshd.hostKeyFingerprint);
      expect(e.message).toMatch(/do not continue unless you know why the key changed/i);
      expect(impostor.attempts).toEqual([]);
      expect(readFileSync(file, 'utf8')).not.toContain('\n[127.0.0.1]');
      expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(1);
    } finally {
      await impostor.close();
    }
  });

  it('scanHostKey returns the presented key without logging in', async () => {
    expect(await scanHostKey({ host: sshd.host, port: sshd.port })).toEqual({ type: 'ssh-ed25519', fingerprint: sshd.hostKeyFingerprint });
    const impostor = await startPasswordServer(sshd.user, 'pw');
    try {
      expect(await scanHostKey({ host: impostor.host, port: impostor.port })).toEqual({ type: 'ssh-ed25519', fingerprint: impostor.hostKeyFingerprint });
      expect(impostor.attempts).toEqual([]);
    } finally {
      await impostor.close();
    }
  });
});

describe('passwords', () => {
  it('logs in with the right password and refuses a wrong one (in-process ssh2 server)', async () => {
    const srv = await startPasswordServer('engineer', 'right pw');
    try {
      const p = (password: string): SshParams => ({
        host: srv.host, port: srv.port, username: 'engineer', auth: { kind: 'password', password },
        hostKey: { kind: 'pin', fingerprints: [srv.hostKeyFingerprint] },
      });
      await withSession(p('right pw'), async (s) => {
        expect(await s.exec('show version')).toEqual({ code: 0, stdout: 'ran: show version\n', stderr: '' });
      });
      expect(srv.attempts).toEqual(['password:engineer:ok']);
      expect(srv.commands).toEqual(['show version']);

      const e = await rejection(connectSsh(p('wrong pw')));
      expect(e).toBeInstanceOf(AuthError);
      expect(e.message).toContain('password');
      expect(e.message).toContain('"engineer"');
      expect(e.message).not.toContain('wrong pw');
      expect(srv.attempts).toContain('password:engineer:bad');
    } finally {
      await srv.close();
    }
  });

  it('refuses a wrong password on the real sshd', async () => {
    const pw = await startSshd({ password: true });
    try {
      const e = await rejection(connectSsh({
        host: pw.host, port: pw.port, username: pw.user, auth: { kind: 'password', password: 'not the password' },
        hostKey: { kind: 'pin', fingerprints: [pw.hostKeyFingerprint] },
      }));
      expect(e).toBeInstanceOf(AuthError);
      expect(e.message).not.toContain('not the password');
      await vi.waitFor(() => expect(pw.log()).toMatch(new RegExp(`Failed password for ${pw.user} from 127\\.0\\.0\\.1`)), { timeout: 10_000, interval: 50 });
    } finally {
      await pw.stop();
    }
  });
});

describe('connection failures', () => {
  it('ConnectError for a closed port', async () => {
    const port = await freePort();
    const e = await rejection(connectSsh(params({ port })));
    expect(e).toBeInstanceOf(ConnectError);
    expect((e as ConnectError).code).toBe('connect-failed');
    expect(e.message).toBe(`127.0.0.1:${port}: connection refused — is SSH running on port ${port}?`);
  });

  it('TimeoutError when the server never answers, and CancelledError when aborted meanwhile', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((sock) => {
      sockets.add(sock);
      sock.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const e = await rejection(connectSsh(params({ port, readyTimeoutMs: 300 })));
      expect(e).toBeInstanceOf(TimeoutError);
      expect(e.message).toContain('300 ms');

      const ac = new AbortController();
      const pending = rejection(connectSsh(params({ port, signal: ac.signal })));
      await vi.waitFor(() => expect(sockets.size).toBe(2), { timeout: 10_000, interval: 20 });
      ac.abort();
      expect(await pending).toBeInstanceOf(CancelledError);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('CancelledError at once for an already aborted signal', async () => {
    const ac = new AbortController();
    ac.abort();
    const created = vi.fn();
    const e = await rejection(connectSsh(params({ signal: ac.signal }), { createClient: created as unknown as SshDeps['createClient'] }));
    expect(e).toBeInstanceOf(CancelledError);
    expect(created).not.toHaveBeenCalled();
  });

  it('ConnectionLostError for an exec running when the link drops', async () => {
    const proxy = await tcpProxy(sshd.port);
    try {
      const s = await connectSsh(params({ port: proxy.port }));
      expect(proxy.connections()).toBe(1);
      const before = sshd.log().split('\n').filter((l) => l.includes('Starting session: command')).length;
      const running = rejection(s.exec('sleep 5'));
      await vi.waitFor(() => expect(sshd.log().split('\n').filter((l) => l.includes('Starting session: command')).length).toBe(before + 1), { timeout: 10_000, interval: 20 });
      proxy.cut();
      const e = await running;
      expect(e).toBeInstanceOf(ConnectionLostError);
      expect(e.message).toContain(`127.0.0.1:${proxy.port}`);
      await s.closed;
      expect(await rejection(s.exec('true'))).toBeInstanceOf(ConnectionLostError);
      expect(await rejection(s.files())).toBeInstanceOf(ConnectionLostError);
      await s.close();
    } finally {
      await proxy.close();
    }
  });

  it('CancelledError for an exec running when the signal aborts, and the connection closes', async () => {
    const ac = new AbortController();
    const s = await connectSsh(params({ signal: ac.signal }));
    const before = sshd.log().split('\n').filter((l) => l.includes('Starting session: command')).length;
    const running = rejection(s.exec('sleep 5'));
    await vi.waitFor(() => expect(sshd.log().split('\n').filter((l) => l.includes('Starting session: command')).length).toBe(before + 1), { timeout: 10_000, interval: 20 });
    ac.abort();
    expect(await running).toBeInstanceOf(CancelledError);
    await s.closed;
    expect(await rejection(s.exec('true'))).toBeInstanceOf(CancelledError);
  });

  it('close() is idempotent and later work fails as lost', async () => {
    const s = await connectSsh(params());
    await Promise.all([s.close(), s.close()]);
    await s.close();
    await s.closed;
    const e = await rejection(s.exec('true'));
    expect(e).toBeInstanceOf(ConnectionLostError);
  });
});

describe('keyForSsh', () => {
  it('writes an Ed25519 key as openssh-key-v1 that ssh-keygen reads back to the same public key', async () => {
    const k = await keyForSsh(keys.ed?.pem ?? '', undefined, 'ed.pem');
    expect(k.privateKey).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+-----END OPENSSH PRIVATE KEY-----\n$/);
    expect(k.passphrase).toBeUndefined();
    const path = t.path('converted-ed');
    writeFileSync(path, k.privateKey, { mode: 0o600 });
    expect(sshKeygen(['-y', '-f', path]).trim()).toBe(publicKeyLine(keys.ed?.pem ?? '', t.path('ed.pem')));
  });

  it('writes RSA as PKCS#1 and EC as SEC1, decrypting encrypted PKCS#8 in memory', async () => {
    expect((await keyForSsh(keys.rsa?.pem ?? '')).privateKey).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    expect((await keyForSsh(keys.ec?.pem ?? '')).privateKey).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
    openssl(['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', t.path('ec.pem'), '-passout', `pass:${PASS}`, '-outform', 'DER', '-out', t.path('ec-enc.der')]);
    const k = await keyForSsh(readFileSync(t.path('ec-enc.der')), PASS, 'ec-enc.der');
    expect(k.privateKey).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
    expect(k.passphrase).toBeUndefined();
  });

  const bad: { name: string; input: () => [string | Uint8Array, string | undefined]; want: { code: string; text: RegExp } }[] = [
    { name: 'a certificate', input: () => [readFileSync('test/fixtures/pki/ec.crt', 'utf8'), undefined], want: { code: 'wrong-kind', text: /private key/ } },
    { name: 'a wrong passphrase (PKCS#8)', input: () => [readFileSync(t.path('ed-enc.pem'), 'utf8'), 'nope'], want: { code: 'wrong-passphrase', text: /./ } },
    { name: 'a wrong passphrase (OpenSSH)', input: () => [readFileSync(t.path('openssh'), 'utf8'), 'nope'], want: { code: 'wrong-passphrase', text: /passphrase/ } },
    { name: 'no passphrase (OpenSSH)', input: () => [readFileSync(t.path('openssh'), 'utf8'), undefined], want: { code: 'passphrase-required', text: /passphrase/ } },
    { name: 'an Ed448 key', input: () => [openssl(['genpkey', '-algorithm', 'ed448']), undefined], want: { code: 'unsupported', text: /RSA, ECDSA or Ed25519/ } },
    { name: 'text that is no key', input: () => ['hello', undefined], want: { code: 'unknown-content', text: /./ } },
  ];
  for (const c of bad) {
    it(`refuses ${c.name} with InputError naming the file`, async () => {
      const [input, pass] = c.input();
      const e = await rejection(keyForSsh(input, pass, 'id.key'));
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).code).toBe(c.want.code);
      expect((e as InputError).file).toBe('id.key');
      expect(e.message).toMatch(c.want.text);
      // No key material: no long base64 run.
      expect(e.message).not.toMatch(/[A-Za-z0-9+/]{40}/);
    });
  }
});
