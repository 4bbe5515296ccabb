import { readFileSync, statSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { ConnectionLostError, RemoteCommandError, RemoteFileError } from '../../src/core/transport/errors.js';
import { scpUpload } from '../../src/core/transport/scp.js';
import { connectSsh } from '../../src/core/transport/ssh.js';
import type { SshSession } from '../../src/core/transport/types.js';
import { tempDir } from '../helpers/openssl.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';

const t = tempDir('certbench-scptest-');
let sshd: Sshd;
let session: SshSession;

beforeAll(async () => {
  sshd = await startSshd();
  session = await connectSsh({
    host: sshd.host,
    port: sshd.port,
    username: sshd.user,
    auth: { kind: 'key', privateKey: sshd.clientKey.pkcs8Pem },
    hostKey: { kind: 'pin', fingerprints: [sshd.hostKeyFingerprint] },
  });
}, 60_000);

afterAll(async () => {
  await session?.close();
  await sshd?.stop();
  t.cleanup();
});

/** Every byte value, NULs and the 0x01/0x02 the protocol uses for errors included. */
const ALL_BYTES = Uint8Array.from({ length: 1024 }, (_, i) => (i * 7) % 256);

describe('scpUpload against OpenSSH', () => {
  const cases: { name: string; file: string; data: Uint8Array | string; mode: number }[] = [
    { name: 'binary, mode 0600', file: 'key.pem', data: ALL_BYTES, mode: 0o600 },
    { name: 'text, mode 0644', file: 'cert.pem', data: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', mode: 0o644 },
    { name: 'a subarray of a bigger buffer', file: 'part.bin', data: ALL_BYTES.subarray(100, 300), mode: 0o640 },
    { name: 'empty', file: 'empty', data: new Uint8Array(0), mode: 0o600 },
    { name: 'larger than one channel window (3 MiB)', file: 'big.bin', data: new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251), mode: 0o600 },
  ];
  for (const c of cases) {
    it(`writes exactly the bytes and the mode: ${c.name}`, async () => {
      const path = t.path(c.file);
      await scpUpload(session, path, c.data, c.mode);
      const want = typeof c.data === 'string' ? Buffer.from(c.data) : Buffer.from(c.data);
      expect(readFileSync(path).equals(want)).toBe(true);
      // A new file's mode goes through the sink's umask, as with any scp.
      expect(statSync(path).mode & 0o777).toBe(c.mode & ~process.umask());
    }, 60_000);
  }

  it('a second upload replaces the file (shorter content, no leftover bytes)', async () => {
    const path = t.path('replaced.pem');
    await scpUpload(session, path, 'first version, rather long\n'.repeat(10), 0o600);
    await scpUpload(session, path, 'second\n', 0o600);
    expect(readFileSync(path, 'utf8')).toBe('second\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('a missing folder gives RemoteFileError naming the path and the device\'s reason', async () => {
    const path = t.path('no-such-folder/file.pem');
    let err: unknown;
    try {
      await scpUpload(session, path, 'x', 0o600);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RemoteFileError);
    const e = err as RemoteFileError;
    expect(e.path).toBe(path);
    expect(e.endpoint).toBe(`127.0.0.1:${sshd.port}`);
    expect(e.message).toContain(path);
    expect(e.message).toMatch(/No such file or directory/);
  });

  const badInputs: { name: string; path: string; mode: number; message: RegExp }[] = [
    { name: 'a relative path', path: 'var/tmp/x.pem', mode: 0o600, message: /not a usable remote file path/ },
    { name: 'a space', path: '/var/tmp/a b.pem', mode: 0o600, message: /not a usable remote file path/ },
    { name: 'shell syntax', path: '/var/tmp/$(id).pem', mode: 0o600, message: /not a usable remote file path/ },
    { name: 'a semicolon', path: '/var/tmp/x;reboot', mode: 0o600, message: /not a usable remote file path/ },
    { name: 'a quote', path: "/var/tmp/x'", mode: 0o600, message: /not a usable remote file path/ },
    { name: 'a newline', path: '/var/tmp/x\n', mode: 0o600, message: /not a usable remote file path/ },
    { name: '..', path: '/var/tmp/../etc/passwd', mode: 0o600, message: /without "\.\."/ },
    { name: 'a folder path', path: '/var/tmp/', mode: 0o600, message: /not a usable remote file path/ },
    { name: 'an empty path', path: '', mode: 0o600, message: /not a usable remote file path/ },
    { name: 'a mode over 0o777', path: '/var/tmp/x.pem', mode: 0o4755, message: /not a file mode/ },
    { name: 'a negative mode', path: '/var/tmp/x.pem', mode: -1, message: /not a file mode/ },
    { name: 'a fractional mode', path: '/var/tmp/x.pem', mode: 1.5, message: /not a file mode/ },
  ];
  for (const c of badInputs) {
    it(`refuses ${c.name} before anything is sent`, async () => {
      const commands: string[] = [];
      const spy: SshSession = {
        endpoint: session.endpoint,
        hostKey: session.hostKey,
        closed: session.closed,
        exec: (cmd, o) => {
          commands.push(cmd);
          return session.exec(cmd, o);
        },
        subsystem: (n) => session.subsystem(n),
        files: () => session.files(),
        close: () => session.close(),
      };
      let err: unknown;
      try {
        await scpUpload(spy, c.path, 'x', c.mode);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).code).toBe('invalid-value');
      expect((err as Error).message).toMatch(c.message);
      expect(commands).toEqual([]);
    });
  }
});

describe('SshSession.subsystem against OpenSSH', () => {
  function read(stream: Duplex, n: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      let got = Buffer.alloc(0);
      const onData = (b: Buffer): void => {
        got = Buffer.concat([got, b]);
        if (got.length >= n) {
          stream.off('data', onData);
          resolve(got);
        }
      };
      stream.on('data', onData);
      stream.once('close', () => reject(new Error(`the channel closed after ${got.length} bytes`)));
    });
  }

  it('opens a configured subsystem as a byte stream (sftp: the version exchange), ending it closes the channel', async () => {
    const stream = await session.subsystem('sftp');
    // SSH_FXP_INIT, version 3 (draft-ietf-secsh-filexfer-02).
    stream.write(Buffer.from([0, 0, 0, 5, 1, 0, 0, 0, 3]));
    const reply = await read(stream, 9);
    // SSH_FXP_VERSION (2) and version 3.
    expect(reply[4]).toBe(2);
    expect(reply.readUInt32BE(5)).toBe(3);
    const closed = new Promise<void>((resolve) => stream.once('close', () => resolve()));
    stream.end();
    await closed;
    // The session itself stays usable.
    expect((await session.exec('echo still here')).stdout).toBe('still here\n');
  });

  it('a subsystem the server does not offer is refused, naming it and the endpoint', async () => {
    let err: unknown;
    try {
      await session.subsystem('netconf');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RemoteCommandError);
    const e = err as RemoteCommandError;
    expect(e.code).toBe('remote-command-failed');
    expect(e.message).toMatch(new RegExp(`^127\\.0\\.0\\.1:${sshd.port}: the SSH server refused to start the "netconf" subsystem`));
    expect((await session.exec('echo after')).stdout).toBe('after\n');
  });

  it('after the connection is closed, gives ConnectionLostError', async () => {
    const other = await connectSsh({
      host: sshd.host,
      port: sshd.port,
      username: sshd.user,
      auth: { kind: 'key', privateKey: sshd.clientKey.pkcs8Pem },
      hostKey: { kind: 'pin', fingerprints: [sshd.hostKeyFingerprint] },
    });
    await other.close();
    let err: unknown;
    try {
      await other.subsystem('sftp');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConnectionLostError);
  });
});
