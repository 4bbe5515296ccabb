// SCP upload (the sink side of the old rcp protocol) over an exec channel: Junos gives every login class SCP,
// while SFTP may be off. The remote path goes on the device's command line unquoted, so it is restricted.
import { fail } from '../errors.js';
import { RemoteFileError } from './errors.js';
import type { SshSession } from './types.js';

const PLAIN_PATH = /^\/[A-Za-z0-9._/-]+$/;

function checkPath(remotePath: string): string {
  if (!PLAIN_PATH.test(remotePath) || remotePath.includes('..') || remotePath.endsWith('/')) {
    fail('invalid-value', `"${remotePath}" is not a usable remote file path: give an absolute path of letters, digits, ".", "_", "-" and "/" only, without ".." (it is passed to the device's scp unquoted)`);
  }
  return remotePath.slice(remotePath.lastIndexOf('/') + 1);
}

/**
 * Uploads `data` to `remotePath` on the device with permission bits `mode` (applied to a new file; through the
 * device's umask), using `scp -t` on an exec channel.
 * @throws InputError (invalid-value) for a path with other than plain characters or a mode outside 0..0o777, before
 *   anything is sent; RemoteFileError when the device's scp refuses (its message and the path named);
 *   TimeoutError, ConnectionLostError, CancelledError
 */
export async function scpUpload(session: SshSession, remotePath: string, data: Uint8Array | string, mode: number, p: { timeoutMs?: number } = {}): Promise<void> {
  const name = checkPath(remotePath);
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o777) fail('invalid-value', `${mode} is not a file mode (0 to 0o777)`);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  // The sink reads the header after its first ack and the data after the second; all of it can be queued at once.
  const stdin = Buffer.concat([Buffer.from(`C${mode.toString(8).padStart(4, '0')} ${bytes.length} ${name}\n`), bytes, Buffer.from([0])]);
  const r = await session.exec(`scp -t ${remotePath}`, { stdin, allowFailure: true, ...(p.timeoutMs === undefined ? {} : { timeoutMs: p.timeoutMs }) });
  // The sink answers \0 when ready, after the header and after the data; \x01 (warning) or \x02 (fatal) + message on error.
  let acks = 0;
  for (let i = 0; i < r.stdout.length && acks < 3; ) {
    const c = r.stdout[i];
    if (c === '\0') {
      acks++;
      i++;
      continue;
    }
    if (c === '\x01' || c === '\x02') {
      const nl = r.stdout.indexOf('\n', i);
      const msg = r.stdout.slice(i + 1, nl < 0 ? undefined : nl).trim();
      throw new RemoteFileError(session.endpoint, remotePath, `the device's scp refused the upload: ${msg || 'no message'}`);
    }
    throw new RemoteFileError(session.endpoint, remotePath, `the device's scp answered something unexpected (${JSON.stringify(r.stdout.slice(i, i + 60))}) — is scp available to this user?`);
  }
  if (acks < 3 || r.code !== 0) {
    const why = r.stderr.trim().split('\n').slice(-3).join(' ') || (r.code === null ? 'scp was killed' : `scp exited with status ${r.code}`);
    throw new RemoteFileError(session.endpoint, remotePath, `the upload did not complete (${acks} of 3 acknowledgements): ${why}`);
  }
}
