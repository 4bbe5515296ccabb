import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { appendFileSync, chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { freePort } from './net.js';
import { openssl, tempDir } from './openssl.js';

export { freePort };

/** A running OpenSSH server on 127.0.0.1 under a temp dir (see BRIEF-PUSH.md "Machine facts"). */
export interface Sshd {
  host: '127.0.0.1';
  port: number;
  /** The account to log in as: the user running the tests. */
  user: string;
  /** `ssh-keygen -lf` of the host key: `SHA256:...`. */
  hostKeyFingerprint: string;
  /** The host public key line, `ssh-ed25519 AAAA... comment`. */
  hostKeyPub: string;
  /** An RSA-2048 key in PKCS#8 PEM whose public key is in authorized_keys; `path` has mode 0600. */
  clientKey: { pkcs8Pem: string; path: string };
  authorizedKeysPath: string;
  dir: string;
  /** sshd's stderr so far (LogLevel VERBOSE). */
  log(): string;
  /** Stops sshd (SIGTERM, waits for it to exit) and removes the temp dir. */
  stop(): Promise<void>;
}

/** Runs `ssh-keygen` and returns stdout; throws with stderr when it fails. */
export function sshKeygen(args: string[]): string {
  const r = spawnSync('ssh-keygen', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ssh-keygen ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/**
 * The OpenSSH public key line (`type base64`) of a PEM private key: `ssh-keygen -y` for RSA and EC; for Ed25519, which
 * ssh-keygen 9.2 cannot read from PKCS#8, built from the raw public key as PROTOCOL.key describes it.
 */
export function publicKeyLine(pem: string, path: string): string {
  const pub = createPublicKey(pem);
  if (pub.asymmetricKeyType === 'ed25519') {
    const raw = Buffer.from(pub.export({ format: 'jwk' }).x ?? '', 'base64url');
    const str = (b: Buffer): Buffer => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
    return `ssh-ed25519 ${Buffer.concat([str(Buffer.from('ssh-ed25519')), str(raw)]).toString('base64')}`;
  }
  return sshKeygen(['-y', '-f', path]).trim();
}


/** Starts /usr/sbin/sshd with a fresh Ed25519 host key and one authorised RSA client key (PKCS#8). */
export async function startSshd(opts: { password?: boolean } = {}): Promise<Sshd> {
  const t = tempDir('certbench-sshd-');
  const dir = t.dir;
  try {
    if (process.getuid?.() === 0) {
      try {
        mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
      } catch {
        // Only the privilege-separation directory; sshd says so itself when it is missing.
      }
    }
    const hostKey = t.path('ssh_host_ed25519_key');
    sshKeygen(['-q', '-t', 'ed25519', '-N', '', '-C', 'certbench-test-host', '-f', hostKey]);
    const hostKeyPub = readFileSync(`${hostKey}.pub`, 'utf8').trim();
    const hostKeyFingerprint = sshKeygen(['-lf', `${hostKey}.pub`]).split(' ')[1] ?? '';

    const clientPath = t.path('client_rsa.pem');
    openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', clientPath]);
    chmodSync(clientPath, 0o600);
    const pkcs8Pem = readFileSync(clientPath, 'utf8');
    const authorizedKeysPath = t.path('authorized_keys');
    writeFileSync(authorizedKeysPath, `${publicKeyLine(pkcs8Pem, clientPath)} certbench-test-client\n`, { mode: 0o600 });

    const user = userInfo().username;
    const port = await freePort();
    const cfg = t.path('sshd_config');
    writeFileSync(cfg, [
      'ListenAddress 127.0.0.1',
      `Port ${port}`,
      `HostKey ${hostKey}`,
      `PidFile ${t.path('sshd.pid')}`,
      `AuthorizedKeysFile ${authorizedKeysPath}`,
      'StrictModes no',
      'UsePAM no',
      `PasswordAuthentication ${opts.password ? 'yes' : 'no'}`,
      'KbdInteractiveAuthentication no',
      'PermitRootLogin yes',
      'Subsystem sftp internal-sftp',
      `AllowUsers ${user}`,
      'LogLevel VERBOSE',
      'MaxStartups 100',
      '',
    ].join('\n'));

    // sshd logs to a file, not a pipe: a test that blocks its event loop (spawnSync of the CLI) would stop
    // a pipe from draining, and after a few dozen connections sshd would block writing its log.
    const logPath = join(dir, 'sshd.log');
    const child = spawn('/usr/sbin/sshd', ['-f', cfg, '-D', '-E', logPath], { stdio: 'ignore', detached: true });
    const log = (): string => {
      try {
        return readFileSync(logPath, 'utf8');
      } catch {
        return '';
      }
    };
    let exited: number | null | undefined;
    child.once('exit', (code) => {
      exited = code;
    });
    for (const started = Date.now(); !log().includes('Server listening'); ) {
      if (exited !== undefined) throw new Error(`sshd exited (${exited}) before listening: ${log()}`);
      if (Date.now() - started > 20_000) throw new Error(`sshd did not listen within 20 s: ${log()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    return {
      host: '127.0.0.1',
      port,
      user,
      hostKeyFingerprint,
      hostKeyPub,
      clientKey: { pkcs8Pem, path: clientPath },
      authorizedKeysPath,
      dir,
      log,
      stop: async () => {
        await stopProcess(child);
        t.cleanup();
      },
    };
  } catch (e) {
    t.cleanup();
    throw e;
  }
}

/** Adds a public key line to authorized_keys. */
export function authorize(s: Sshd, line: string): void {
  appendFileSync(s.authorizedKeysPath, `${line}\n`);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid;
  if (pid === undefined) return;
  try {
    // The group: sshd and the per-connection processes it started (spawned detached, so the group is its own).
    process.kill(-pid, 'SIGTERM');
  } catch {
    child.kill('SIGTERM');
  }
  await exited;
}

/** A TCP relay to 127.0.0.1:`targetPort` whose connections can be cut at once, to test a dropped link. */
export interface TcpProxy {
  port: number;
  /** Number of client connections accepted so far. */
  connections(): number;
  /** Destroys every open socket now (both sides). */
  cut(): void;
  close(): Promise<void>;
}

/** Starts a {@link TcpProxy} on 127.0.0.1:0. */
export async function tcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let count = 0;
  const track = (s: net.Socket): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  };
  const server = net.createServer((down) => {
    count++;
    const up = net.connect(targetPort, '127.0.0.1');
    track(down);
    track(up);
    down.pipe(up);
    up.pipe(down);
    down.on('close', () => up.destroy());
    up.on('close', () => down.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const cut = (): void => {
    for (const s of sockets) s.destroy();
  };
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => count,
    cut,
    close: async () => {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** An in-process ssh2 server that accepts one user and password: the real sshd cannot test a good password. */
export interface PasswordServer {
  host: '127.0.0.1';
  port: number;
  hostKeyFingerprint: string;
  /** Every authentication attempt as `method:user[:ok|:bad]`, in order. */
  attempts: string[];
  /** Commands run through exec. */
  commands: string[];
  close(): Promise<void>;
}

/** Starts a {@link PasswordServer} on 127.0.0.1:0; exec answers `ran: COMMAND` and exits 0. */
export async function startPasswordServer(user: string, password: string): Promise<PasswordServer> {
  const t = tempDir('certbench-ssh2srv-');
  const keyPath = t.path('host');
  sshKeygen(['-q', '-t', 'ed25519', '-N', '', '-f', keyPath]);
  const hostKey = readFileSync(keyPath);
  const hostKeyFingerprint = sshKeygen(['-lf', `${keyPath}.pub`]).split(' ')[1] ?? '';
  t.cleanup();
  const attempts: string[] = [];
  const commands: string[] = [];
  const clients = new Set<ssh2.Connection>();
  const server = new ssh2.Server({ hostKeys: [hostKey] }, (client) => {
    clients.add(client);
    client.on('close', () => clients.delete(client));
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => {
      if (ctx.method === 'password') {
        const ok = ctx.username === user && ctx.password === password;
        attempts.push(`password:${ctx.username}:${ok ? 'ok' : 'bad'}`);
        if (ok) ctx.accept();
        else ctx.reject(['password']);
        return;
      }
      attempts.push(`${ctx.method}:${ctx.username}`);
      ctx.reject(['password']);
    });
    client.on('session', (accept) => {
      const session = accept();
      session.on('exec', (acceptExec, _reject, info) => {
        commands.push(info.command);
        const ch = acceptExec();
        ch.write(`ran: ${info.command}\n`);
        ch.exit(0);
        ch.end();
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    host: '127.0.0.1',
    port: (server.address() as net.AddressInfo).port,
    hostKeyFingerprint,
    attempts,
    commands,
    close: async () => {
      for (const c of clients) c.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
