import { readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import { ssh2 } from './ssh2-lib.js';
import type { Client, ClientChannel, ConnectConfig, ServerHostKeyAlgorithm, SFTPWrapper } from 'ssh2';
import { CertbenchError, fail } from '../errors.js';
import {
  AuthError,
  CancelledError,
  ConnectError,
  ConnectionLostError,
  RemoteCommandError,
  RemoteFileError,
  TimeoutError,
  TransportError,
} from './errors.js';
import { checkHostKey, fingerprintOf, keyTypeOf, lookupKnownHosts } from './host-keys.js';
import { keyForSsh } from './ssh-key.js';
import type { ExecParams, ExecResult, HostKeyInfo, RemoteFs, RemoteStat, SshParams, SshSession } from './types.js';

/** What {@link connectSsh} and {@link scanHostKey} build on; tests swap parts of it (conventions 6). */
export interface SshDeps {
  /** Makes the ssh2 client. */
  createClient: () => Client;
  /** Decides whether a presented host key is trusted (see host-keys.ts). */
  checkHostKey: typeof checkHostKey;
  /** Turns the user's key into one ssh2 reads. */
  keyForSsh: typeof keyForSsh;
  /** Where `SSH_AUTH_SOCK` is read from. */
  env: Record<string, string | undefined>;
}

const defaultDeps: SshDeps = { createClient: () => new (ssh2().Client)(), checkHostKey, keyForSsh, env: process.env };

const DEFAULT_READY_TIMEOUT_MS = 20_000;
const DEFAULT_KEEPALIVE_MS = 10_000;
const DEFAULT_EXEC_TIMEOUT_MS = 60_000;
const SUBSYSTEM_OPEN_TIMEOUT_MS = 30_000;
/** Each of stdout and stderr is kept up to this size; device commands print far less. */
export const MAX_EXEC_OUTPUT = 1024 * 1024;
const DEFAULT_READ_LIMIT = 1024 * 1024;
const CHUNK = 32 * 1024;
// ssh2's own default order, used after the host key types already on record for the host.
const HOST_KEY_ALGORITHMS: ServerHostKeyAlgorithm[] = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];

// SFTP status codes (draft-ietf-secsh-filexfer-02).
const FX_NO_SUCH_FILE = 2;
const FX_PERMISSION_DENIED = 3;
const FX_OP_UNSUPPORTED = 8;

interface Ssh2Error extends Error {
  code?: string | number;
  level?: string;
}

interface FailureContext {
  endpoint: string;
  host: string;
  port: number;
  readyTimeoutMs: number;
  /** What authentication was tried, in words: `password`, `the key in FILE`, `the ssh-agent's keys`. */
  authMethod?: string;
  username?: string;
}

function endpointOf(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function checkTarget(host: string, port: number): void {
  if (host.length === 0 || /[\s/]/.test(host)) fail('invalid-value', `"${host}" is not a host name or IP address`, '--host');
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail('invalid-value', `${port} is not a TCP port (1-65535)`, '--port');
}

/** Turns an ssh2 failure before login completed into the transport error tree. */
function connectFailure(err: Ssh2Error, c: FailureContext): TransportError {
  const { endpoint, port } = c;
  switch (err.code) {
    case 'ECONNREFUSED':
      return new ConnectError(endpoint, `connection refused — is SSH running on port ${port}?`, { cause: err });
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new ConnectError(endpoint, 'host unreachable — check the address and the network path (routing, VPN, firewall)', { cause: err });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ConnectError(endpoint, `the host name "${c.host}" does not resolve (DNS)`, { cause: err });
    case 'ETIMEDOUT':
      return new TimeoutError(endpoint, `the TCP connection timed out — is a firewall dropping port ${port}?`, { cause: err });
    case 'ECONNRESET':
    case 'EPIPE':
      return new ConnectError(endpoint, 'the connection was reset during the SSH handshake — the server or a firewall dropped it', { cause: err });
    default:
      break;
  }
  if (err.level === 'client-timeout') {
    return new TimeoutError(endpoint, `no SSH login within ${c.readyTimeoutMs} ms (connect, handshake and authentication) — is port ${port} an SSH server, and is it reachable?`, { cause: err });
  }
  if (err.level === 'client-authentication') {
    return new AuthError(endpoint, `the server refused ${c.authMethod ?? 'the credentials'} for user "${c.username ?? ''}" — check the user name and the credentials${c.authMethod?.includes('key') ? ' (is the public key in that user\'s authorized_keys on the device?)' : ''}`, { cause: err });
  }
  if (err.level === 'handshake' || err.level === 'protocol') {
    return new ConnectError(endpoint, `the SSH handshake failed (${err.message})`, { cause: err });
  }
  return new ConnectError(endpoint, `the SSH connection failed (${err.message})`, { cause: err });
}

function describeAuth(p: SshParams): string {
  switch (p.auth.kind) {
    case 'password':
      return 'the password';
    case 'key':
      return p.auth.file === undefined ? 'the private key' : `the key in ${p.auth.file}`;
    case 'agent':
      return 'the ssh-agent\'s keys';
  }
}

async function authConfig(p: SshParams, d: SshDeps): Promise<Partial<ConnectConfig>> {
  const a = p.auth;
  switch (a.kind) {
    case 'password':
      // Network devices often ask for the password through keyboard-interactive (Junos does).
      return { password: a.password, tryKeyboard: true, authHandler: ['password', 'keyboard-interactive'] };
    case 'key': {
      const key = await d.keyForSsh(a.privateKey, a.passphrase, a.file);
      return { privateKey: key.privateKey, ...(key.passphrase === undefined ? {} : { passphrase: key.passphrase }), authHandler: ['publickey'] };
    }
    case 'agent': {
      const socket = a.socket ?? d.env.SSH_AUTH_SOCK;
      if (socket === undefined || socket === '') fail('invalid-value', 'no ssh-agent to log in with: SSH_AUTH_SOCK is not set (start ssh-agent and ssh-add the key, or give the key file)', '--agent');
      return { agent: socket, authHandler: ['agent'] };
    }
  }
}

// Offers the host key types already on record for this host first, as OpenSSH does, so a host with several keys
// presents the one we can check instead of failing as "changed".
function hostKeyAlgorithms(p: SshParams, port: number): ServerHostKeyAlgorithm[] | undefined {
  if (p.hostKey.kind === 'pin') return undefined;
  let text: string;
  try {
    text = readFileSync(p.hostKey.file, 'utf8');
  } catch {
    return undefined;
  }
  const types = lookupKnownHosts(text, p.host, port).keys.map((k) => k.type);
  const first = types
    .flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t]))
    .filter((t): t is ServerHostKeyAlgorithm => (HOST_KEY_ALGORITHMS as string[]).includes(t));
  if (first.length === 0) return undefined;
  return [...new Set([...first, ...HOST_KEY_ALGORITHMS])];
}

/**
 * Opens an SSH connection and logs in; the host key is checked against `p.hostKey` before any credential is sent.
 * @throws HostKeyUnknownError, HostKeyMismatchError, AuthError, TimeoutError, ConnectError, CancelledError;
 *   InputError for an unreadable key or known_hosts file
 */
export async function connectSsh(p: SshParams, deps: Partial<SshDeps> = {}): Promise<SshSession> {
  const d: SshDeps = { ...defaultDeps, ...deps };
  const port = p.port ?? 22;
  checkTarget(p.host, port);
  const endpoint = endpointOf(p.host, port);
  if (p.signal?.aborted) throw new CancelledError(endpoint);
  const auth = await authConfig(p, d);
  if (p.signal?.aborted) throw new CancelledError(endpoint);
  const session = new Ssh2Session(d.createClient(), endpoint);
  await session.open(p, port, auth, d);
  return session;
}

class Ssh2Session implements SshSession {
  readonly endpoint: string;
  readonly closed: Promise<void>;
  private readonly client: Client;
  private info: HostKeyInfo | undefined;
  private isClosed = false;
  private closing = false;
  private cancelled = false;
  private lastError: Ssh2Error | undefined;
  private readonly pending = new Set<(e: Error) => void>();
  private fs: Promise<RemoteFs> | undefined;
  private markClosed!: () => void;

  constructor(client: Client, endpoint: string) {
    this.client = client;
    this.endpoint = endpoint;
    this.closed = new Promise((resolve) => {
      this.markClosed = resolve;
    });
  }

  get hostKey(): HostKeyInfo {
    if (!this.info) throw new ConnectError(this.endpoint, 'the SSH session is not established');
    return this.info;
  }

  open(p: SshParams, port: number, auth: Partial<ConnectConfig>, d: SshDeps): Promise<void> {
    const readyTimeoutMs = p.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    const ctx: FailureContext = { endpoint: this.endpoint, host: p.host, port, readyTimeoutMs, authMethod: describeAuth(p), username: p.username };
    let hostKeyFailure: Error | undefined;
    const client = this.client;

    return new Promise<void>((resolve, reject) => {
      let ready = false;
      let settled = false;
      const settle = (err?: Error): void => {
        if (settled) return;
        settled = true;
        if (err) {
          reject(err);
          client.destroy();
        } else {
          resolve();
        }
      };
      const failure = (err: Ssh2Error): Error =>
        this.cancelled ? new CancelledError(this.endpoint) : hostKeyFailure ?? connectFailure(err, ctx);

      const onAbort = (): void => {
        this.cancelled = true;
        this.failPending(new CancelledError(this.endpoint));
        settle(new CancelledError(this.endpoint));
        client.destroy();
      };
      p.signal?.addEventListener('abort', onAbort, { once: true });

      client.on('ready', () => {
        ready = true;
        settle();
      });
      client.on('error', (err: Ssh2Error) => {
        if (ready) this.lastError = err;
        else settle(failure(err));
      });
      client.on('close', () => {
        this.isClosed = true;
        p.signal?.removeEventListener('abort', onAbort);
        this.failPending(this.endError());
        if (!ready) settle(failure(Object.assign(new Error('the server closed the connection before login completed'), { level: 'handshake' })));
        this.markClosed();
      });
      if (p.auth.kind === 'password') {
        const password = p.auth.password;
        client.on('keyboard-interactive', (_name, _instructions, _lang, prompts, finish) => {
          finish(prompts.map(() => password));
        });
      }

      const algorithms = hostKeyAlgorithms(p, port);
      const config: ConnectConfig = {
        host: p.host,
        port,
        username: p.username,
        readyTimeout: readyTimeoutMs,
        keepaliveInterval: p.keepaliveIntervalMs ?? DEFAULT_KEEPALIVE_MS,
        keepaliveCountMax: 3,
        ...(p.sock ? { sock: p.sock } : {}),
        ...(algorithms ? { algorithms: { serverHostKey: algorithms } } : {}),
        ...auth,
        hostVerifier: (key: Buffer, verify: (ok: boolean) => void): void => {
          // Answered on the next tick: ssh2 treats a verifier that returns nothing as asynchronous and is not
          // ready for the answer while it is still inside the call.
          queueMicrotask(() => {
            const type = keyTypeOf(key);
            try {
              const r = d.checkHostKey(p.hostKey, p.host, port, type, key);
              this.info = { type, fingerprint: fingerprintOf(key), recorded: r.recorded };
              verify(true);
            } catch (e) {
              // Kept so that the caller sees this error rather than ssh2's generic "Host denied".
              hostKeyFailure = e instanceof Error ? e : new Error(String(e));
              verify(false);
            }
          });
        },
      };
      try {
        client.connect(config);
      } catch (e) {
        // ssh2 throws synchronously for a bad configuration (e.g. an unsupported algorithm).
        settle(e instanceof CertbenchError ? e : new ConnectError(this.endpoint, `the SSH connection cannot be set up (${(e as Error).message})`, { cause: e }));
      }
    });
  }

  private endError(): TransportError {
    if (this.cancelled) return new CancelledError(this.endpoint);
    if (this.closing) return new ConnectionLostError(this.endpoint, 'the connection was closed before the operation finished');
    const why = this.lastError?.message === 'Keepalive timeout'
      ? 'the device stopped answering keep-alives'
      : this.lastError ? this.lastError.message : 'closed by the device or the network';
    return new ConnectionLostError(this.endpoint, `the SSH connection dropped (${why}); the operation may or may not have completed on the device`, { cause: this.lastError });
  }

  private failPending(err: Error): void {
    const all = [...this.pending];
    this.pending.clear();
    for (const f of all) f(err);
  }

  /** Runs one operation that fails with the connection: `start` gets `finish` and may return a clean-up. */
  work<T>(start: (finish: (err: Error | undefined, value?: T) => void) => (() => void) | void): Promise<T> {
    if (this.isClosed || this.cancelled) return Promise.reject(this.endError());
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      let cleanup: (() => void) | void = undefined;
      const finish = (err: Error | undefined, value?: T): void => {
        if (settled) return;
        settled = true;
        this.pending.delete(abort);
        if (cleanup) cleanup();
        if (err) reject(err);
        else resolve(value as T);
      };
      const abort = (e: Error): void => finish(e);
      this.pending.add(abort);
      try {
        cleanup = start(finish);
      } catch (e) {
        // ssh2 throws "Not connected" when the socket is gone before its close event arrived: that is a lost connection.
        finish(this.isClosed || this.cancelled ? this.endError()
          : new ConnectionLostError(this.endpoint, `the SSH connection is gone (${e instanceof Error ? e.message : String(e)}); the operation was not started`, { cause: e }));
        return;
      }
      if (settled && cleanup) cleanup();
    });
  }

  exec(command: string, ep: ExecParams = {}): Promise<ExecResult> {
    const timeoutMs = ep.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
    return this.work<ExecResult>((finish) => {
      let channel: ClientChannel | undefined;
      let done = false;
      const timer = setTimeout(() => {
        finish(new TimeoutError(this.endpoint, `\`${command}\` did not finish within ${timeoutMs} ms; its channel was closed (the command may still be running on the device)`));
        channel?.close();
      }, timeoutMs);
      const run = (cb: Parameters<typeof this.client.exec>[1]): void => {
        try {
          this.client.exec(command, cb);
        } catch (e) {
          // The timer would otherwise keep the process alive for the whole timeout.
          clearTimeout(timer);
          throw e;
        }
      };
      run((err, stream) => {
        if (err) {
          finish(this.isClosed ? this.endError() : new RemoteCommandError(this.endpoint, command, null, `the server refused to start the command (${err.message})`));
          return;
        }
        channel = stream;
        if (done) {
          stream.close();
          return;
        }
        const out = new CappedBuffer();
        const errOut = new CappedBuffer();
        let code: number | null | undefined;
        stream.on('error', (e: Error) => {
          finish(this.isClosed ? this.endError() : new RemoteCommandError(this.endpoint, command, null, `the channel failed (${e.message})`));
        });
        stream.on('data', (b: Buffer) => out.push(b));
        stream.stderr.on('data', (b: Buffer) => errOut.push(b));
        stream.on('exit', (c: number | null) => {
          code = typeof c === 'number' ? c : null;
        });
        stream.on('close', () => {
          // A channel also closes when the whole connection drops; without an exit status that is a lost connection.
          if (code === undefined && this.isClosed) {
            finish(this.endError());
            return;
          }
          const r: ExecResult = { code: code ?? null, stdout: out.text(), stderr: errOut.text() };
          if (r.code !== 0 && !ep.allowFailure) finish(new RemoteCommandError(this.endpoint, command, r.code, r.stderr));
          else finish(undefined, r);
        });
        if (ep.stdin !== undefined) stream.end(Buffer.from(ep.stdin));
        else stream.end();
      });
      return () => {
        done = true;
        clearTimeout(timer);
      };
    });
  }

  subsystem(name: string): Promise<Duplex> {
    return this.work<Duplex>((finish) => {
      let done = false;
      const timer = setTimeout(() => {
        finish(new TimeoutError(this.endpoint, `the SSH server did not open the ${name} subsystem within ${SUBSYSTEM_OPEN_TIMEOUT_MS} ms`));
      }, SUBSYSTEM_OPEN_TIMEOUT_MS);
      try {
        this.client.subsys(name, (err, stream) => {
          if (err) {
            if (this.isClosed) {
              finish(this.endError());
              return;
            }
            const refused = new RemoteCommandError(this.endpoint, `subsystem ${name}`, null, err.message);
            // RemoteCommandError's own wording ("was killed") fits a command, not a refused channel request.
            refused.message = `${this.endpoint}: the SSH server refused to start the "${name}" subsystem (${err.message}) — is ${name} enabled for this user on the device?`;
            finish(refused);
            return;
          }
          // Opened after a timeout or a cancel: nobody will read it.
          if (done) {
            stream.close();
            return;
          }
          // The reader listens for 'close'; an unheard 'error' event would crash the process.
          stream.on('error', () => undefined);
          // Unread stderr would stall the channel's flow control.
          stream.stderr.resume();
          finish(undefined, stream);
        });
      } catch (e) {
        clearTimeout(timer);
        throw e;
      }
      return () => {
        done = true;
        clearTimeout(timer);
      };
    });
  }

  files(): Promise<RemoteFs> {
    this.fs ??= this.work<SFTPWrapper>((finish) => {
      this.client.sftp((err, sftp) => {
        if (err) {
          finish(this.isClosed ? this.endError() : new RemoteFileError(this.endpoint, '(sftp)', `the SFTP subsystem is not available (${err.message}); the device must allow SFTP to transfer files`));
        } else {
          // Failures reach the pending requests' callbacks; an unheard 'error' event would crash the process.
          sftp.on('error', () => undefined);
          finish(undefined, sftp);
        }
      });
    }).then((sftp) => new SftpFs(this, sftp), (e: unknown) => {
      this.fs = undefined;
      throw e;
    });
    return this.fs;
  }

  /** The error for a failed SFTP request on `path`. */
  fileError(path: string, err: Error & { code?: unknown }): Error {
    if (this.isClosed || this.cancelled) return this.endError();
    switch (err.code) {
      case FX_NO_SUCH_FILE:
        return new RemoteFileError(this.endpoint, path, 'no such file or folder', { cause: err });
      case FX_PERMISSION_DENIED:
        return new RemoteFileError(this.endpoint, path, 'permission denied (check the user\'s rights on the device)', { cause: err });
      case FX_OP_UNSUPPORTED:
        return new RemoteFileError(this.endpoint, path, 'the SFTP server does not support this operation', { cause: err });
      default:
        return new RemoteFileError(this.endpoint, path, `the file operation failed (${err.message})`, { cause: err });
    }
  }

  close(): Promise<void> {
    if (!this.isClosed && !this.closing) {
      this.closing = true;
      this.client.end();
      // A peer that never answers the disconnect must not keep the socket open.
      const t = setTimeout(() => this.client.destroy(), 2000);
      t.unref();
      void this.closed.then(() => clearTimeout(t));
    }
    return this.closed;
  }
}

class CappedBuffer {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private truncated = false;
  push(b: Buffer): void {
    const room = MAX_EXEC_OUTPUT - this.size;
    if (room <= 0) {
      this.truncated = true;
      return;
    }
    const part = b.length > room ? b.subarray(0, room) : b;
    if (part.length < b.length) this.truncated = true;
    this.chunks.push(part);
    this.size += part.length;
  }
  text(): string {
    const s = Buffer.concat(this.chunks).toString('utf8');
    return this.truncated ? `${s}\n[output cut at ${MAX_EXEC_OUTPUT} bytes]` : s;
  }
}

class SftpFs implements RemoteFs {
  constructor(private readonly s: Ssh2Session, private readonly sftp: SFTPWrapper) {}

  stat(path: string): Promise<RemoteStat | undefined> {
    return this.s.work<RemoteStat | undefined>((finish) => {
      this.sftp.stat(path, (err, st) => {
        if (err && (err as { code?: unknown }).code === FX_NO_SUCH_FILE) finish(undefined, undefined);
        else if (err) finish(this.s.fileError(path, err));
        else finish(undefined, { size: st.size, mode: st.mode & 0o7777, isFile: st.isFile(), isDirectory: st.isDirectory() });
      });
    });
  }

  readFile(path: string, limit = DEFAULT_READ_LIMIT): Promise<Buffer> {
    return this.withHandle(path, 'r', undefined, async (h) => {
      const st = await this.call<{ size: number }>(path, (cb) => this.sftp.fstat(h, cb));
      if (st.size > limit) throw new RemoteFileError(this.s.endpoint, path, `the file is ${st.size} bytes, over the ${limit}-byte limit`);
      const chunks: Buffer[] = [];
      let total = 0;
      for (;;) {
        const buf = Buffer.alloc(CHUNK);
        const n = await this.call<number>(path, (cb) => this.sftp.read(h, buf, 0, CHUNK, total, (err, bytesRead) => cb(err, bytesRead)), true);
        if (n === 0) break;
        chunks.push(buf.subarray(0, n));
        total += n;
        // The file may have grown since fstat.
        if (total > limit) throw new RemoteFileError(this.s.endpoint, path, `the file is over the ${limit}-byte limit`);
      }
      return Buffer.concat(chunks);
    });
  }

  readdir(path: string): Promise<string[]> {
    return this.call<string[]>(path, (cb) => this.sftp.readdir(path, (err, list) => cb(err, err ? [] : list.map((x) => x.filename))))
      .then((names) => names.filter((n) => n !== '.' && n !== '..'));
  }

  writeFile(path: string, data: string | Uint8Array, mode: number): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    return this.withHandle(path, 'w', mode, async (h) => {
      // open() applies `mode` only to a new file, and through the server's umask: set it before any byte is written.
      try {
        await this.call<void>(path, (cb) => this.sftp.fchmod(h, mode, cb));
      } catch (e) {
        if (!(e instanceof RemoteFileError && (e.cause as { code?: unknown } | undefined)?.code === FX_OP_UNSUPPORTED)) throw e;
        await this.call<void>(path, (cb) => this.sftp.chmod(path, mode, cb));
      }
      for (let off = 0; off < bytes.length; off += CHUNK) {
        const len = Math.min(CHUNK, bytes.length - off);
        await this.call<void>(path, (cb) => this.sftp.write(h, bytes, off, len, off, cb));
      }
    });
  }

  rename(from: string, to: string): Promise<void> {
    return this.call<void>(to, (cb) => {
      try {
        this.sftp.ext_openssh_rename(from, to, cb);
      } catch {
        // ssh2 throws when the server did not announce the extension.
        cb(Object.assign(new Error('posix-rename@openssh.com is not offered'), { code: 'no-posix-rename' }));
      }
    }).catch((e: unknown) => {
      const cause = e instanceof RemoteFileError ? (e.cause as { code?: unknown } | undefined) : undefined;
      if (cause?.code === 'no-posix-rename') {
        throw new RemoteFileError(this.s.endpoint, to, `the SSH server's SFTP does not offer posix-rename@openssh.com, so ${from} cannot replace the file atomically`);
      }
      throw e;
    });
  }

  unlink(path: string): Promise<void> {
    return this.s.work<void>((finish) => {
      this.sftp.unlink(path, (err) => {
        if (err && (err as { code?: unknown }).code !== FX_NO_SUCH_FILE) finish(this.s.fileError(path, err));
        else finish(undefined);
      });
    });
  }

  /** One SFTP request; `eofIsZero` maps the end-of-file status of a read to 0 bytes. */
  private call<T>(path: string, op: (cb: (err: Error | null | undefined, value?: T) => void) => void, eofIsZero = false): Promise<T> {
    return this.s.work<T>((finish) => {
      op((err, value) => {
        // ssh2 reports end of file as an error with SFTP status 1 (SSH_FX_EOF).
        if (err && eofIsZero && (err as { code?: unknown }).code === 1) finish(undefined, 0 as T);
        else if (err) finish(this.s.fileError(path, err));
        else finish(undefined, value);
      });
    });
  }

  private async withHandle<T>(path: string, flags: 'r' | 'w', mode: number | undefined, body: (h: Buffer) => Promise<T>): Promise<T> {
    const h = await this.call<Buffer>(path, (cb) => {
      if (mode === undefined) this.sftp.open(path, flags, cb);
      else this.sftp.open(path, flags, { mode }, cb);
    });
    let result: T;
    try {
      result = await body(h);
    } catch (e) {
      this.sftp.close(h, () => undefined);
      throw e;
    }
    await this.call<void>(path, (cb) => this.sftp.close(h, cb));
    return result;
  }
}

/** Options of {@link scanHostKey}. */
export interface ScanHostKeyParams {
  host: string;
  port?: number;
  readyTimeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Connects, reads the host key the server presents and disconnects without logging in: for an explicit first-use accept.
 * @throws ConnectError, TimeoutError, CancelledError
 */
export async function scanHostKey(p: ScanHostKeyParams, deps: Partial<Pick<SshDeps, 'createClient'>> = {}): Promise<{ type: string; fingerprint: string }> {
  const createClient = deps.createClient ?? defaultDeps.createClient;
  const port = p.port ?? 22;
  checkTarget(p.host, port);
  const endpoint = endpointOf(p.host, port);
  if (p.signal?.aborted) throw new CancelledError(endpoint);
  const readyTimeoutMs = p.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const ctx: FailureContext = { endpoint, host: p.host, port, readyTimeoutMs };
  const client = createClient();
  return new Promise((resolve, reject) => {
    let seen: { type: string; fingerprint: string } | undefined;
    let settled = false;
    const settle = (err: Error | undefined): void => {
      if (settled) return;
      settled = true;
      p.signal?.removeEventListener('abort', onAbort);
      client.destroy();
      if (seen) resolve(seen);
      else reject(err ?? new ConnectError(endpoint, 'the server closed the connection before presenting a host key'));
    };
    const onAbort = (): void => settle(new CancelledError(endpoint));
    p.signal?.addEventListener('abort', onAbort, { once: true });
    client.on('error', (err: Ssh2Error) => settle(connectFailure(err, ctx)));
    client.on('close', () => settle(undefined));
    client.on('ready', () => settle(new ConnectError(endpoint, 'the server let us in without checking the host key')));
    try {
      client.connect({
        host: p.host,
        port,
        // Never used: the handshake stops at the host key, before authentication.
        username: 'certbench-scan',
        readyTimeout: readyTimeoutMs,
        hostVerifier: (key: Buffer, verify: (ok: boolean) => void): void => {
          seen = { type: keyTypeOf(key), fingerprint: fingerprintOf(key) };
          queueMicrotask(() => {
            verify(false);
            settle(undefined);
          });
        },
      });
    } catch (e) {
      settle(new ConnectError(endpoint, `the SSH connection cannot be set up (${(e as Error).message})`, { cause: e }));
    }
  });
}
