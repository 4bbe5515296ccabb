import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteFileError } from '../../src/core/transport/errors.js';
import { connectSsh } from '../../src/core/transport/ssh.js';
import { sudoFs, sudoRefusal } from '../../src/core/transport/sudo-fs.js';
import type { RemoteFs, SshSession } from '../../src/core/transport/types.js';
import { tempDir } from '../helpers/openssl.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';

// File operations through `sudo -n` over a real SSH session (Debian's sshd and sudo; .ci/run installs both).
// The folder is local, so every result is checked on the disk itself.
// As root, `sudo -n` changes nothing about who owns what, so the test can read back and nginx can load what
// sudo wrote. As another user, sudo would make root-owned 0600 files that neither can read: skipped there.
const asRoot = process.getuid?.() === 0;
const t = tempDir('certbench-sudofs-');
let sshd: Sshd;
let session: SshSession;
let fs: RemoteFs;
const dir = t.path('nginx.conf.d');

beforeAll(async () => {
  mkdirSync(dir);
  sshd = await startSshd();
  session = await connectSsh({
    host: '127.0.0.1', port: sshd.port, username: sshd.user,
    auth: { kind: 'key', privateKey: sshd.clientKey.pkcs8Pem }, hostKey: { kind: 'pin', fingerprints: [sshd.hostKeyFingerprint] },
  });
  fs = sudoFs(session);
}, 60_000);

afterAll(async () => {
  await session?.close();
  await sshd?.stop();
  t.cleanup();
});

describe.skipIf(!asRoot)('sudoFs against a real sshd and sudo', () => {
  it('writes a key owner-only and a certificate 0644, byte for byte, binary included', async () => {
    const key = Buffer.concat([Buffer.from('-----BEGIN PRIVATE KEY-----\n'), Buffer.from([0, 1, 2, 0xff, 0xfe, 10, 13]), Buffer.from("$(touch pwned) `id` 'q'\n")]);
    await fs.writeFile(`${dir}/nginx.key`, key, 0o600);
    await fs.writeFile(`${dir}/nginx.crt`, 'certificate text\n', 0o644);
    expect(readFileSync(`${dir}/nginx.key`).equals(key)).toBe(true);
    expect(statSync(`${dir}/nginx.key`).mode & 0o777).toBe(0o600);
    expect(statSync(`${dir}/nginx.crt`).mode & 0o777).toBe(0o644);
    expect((await fs.readFile(`${dir}/nginx.key`)).equals(key)).toBe(true);
    expect(readdirSync(dir).filter((n) => n.includes('pwned'))).toEqual([]);
  });

  it('narrows an existing world-readable file to 0600 when it is rewritten', async () => {
    writeFileSync(`${dir}/wide.key`, 'old', { mode: 0o644 });
    await fs.writeFile(`${dir}/wide.key`, 'new secret', 0o600);
    expect(statSync(`${dir}/wide.key`).mode & 0o777).toBe(0o600);
    expect(readFileSync(`${dir}/wide.key`, 'utf8')).toBe('new secret');
  });

  it('stat tells files, folders and missing paths apart; readdir lists hidden names', async () => {
    writeFileSync(`${dir}/.hidden.tmp`, 'x');
    expect(await fs.stat(`${dir}/nginx.crt`)).toEqual({ size: 17, mode: 0o644, isFile: true, isDirectory: false });
    expect(await fs.stat(dir)).toMatchObject({ isFile: false, isDirectory: true });
    expect(await fs.stat(`${dir}/missing`)).toBeUndefined();
    expect((await fs.readdir(dir)).sort()).toEqual(readdirSync(dir).sort());
    expect(await fs.readdir(dir)).toContain('.hidden.tmp');
  });

  it('rename replaces the target; unlink removes and is quiet when the file is gone', async () => {
    writeFileSync(`${dir}/a`, 'A');
    writeFileSync(`${dir}/b`, 'B');
    await fs.rename(`${dir}/a`, `${dir}/b`);
    expect(readFileSync(`${dir}/b`, 'utf8')).toBe('A');
    await fs.unlink(`${dir}/b`);
    await fs.unlink(`${dir}/b`);
    expect(readdirSync(dir)).not.toContain('b');
  });

  it('a file that is not there is a RemoteFileError naming it', async () => {
    await expect(fs.readFile(`${dir}/nope.crt`)).rejects.toThrow(RemoteFileError);
    await expect(fs.readFile(`${dir}/nope.crt`)).rejects.toThrow(/nope\.crt: no such file/);
    await expect(fs.readdir(`${dir}/nope`)).rejects.toThrow(/nope: /);
  });
});

describe('sudoRefusal', () => {
  const rows: { name: string; stderr: string; want: RegExp | undefined }[] = [
    { name: 'password needed', stderr: 'sudo: a password is required', want: /needs a password .*NOPASSWD/ },
    { name: 'terminal needed', stderr: 'sudo: a terminal is required to read the password', want: /needs a password/ },
    { name: 'not in sudoers', stderr: 'admin is not in the sudoers file.  This incident will be reported.', want: /may not use sudo/ },
    { name: 'no sudo', stderr: 'bash: line 1: sudo: command not found', want: /not installed/ },
    { name: 'anything else is not a refusal', stderr: 'stat: cannot statx: No such file or directory', want: undefined },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const got = sudoRefusal(r.stderr);
      if (r.want === undefined) expect(got).toBeUndefined();
      else expect(got).toMatch(r.want);
    });
  }
});
