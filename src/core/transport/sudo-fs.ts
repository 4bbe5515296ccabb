import { shellQuote } from './shell-quote.js';
import { RemoteCommandError, RemoteFileError } from './errors.js';
import type { RemoteFs, RemoteStat, SshSession } from './types.js';

/** The prefix every file command gets: never prompts (a prompt would hang a push). */
export const SUDO = 'sudo -n';

// Base64 of a file must fit the exec output cap (1 MiB); certificates and keys are a few kB.
const DEFAULT_READ_LIMIT = 512 * 1024;

/** Says why sudo refused, in words, when its stderr shows it; otherwise undefined. */
export function sudoRefusal(stderr: string): string | undefined {
  if (/a password is required|a terminal is required/i.test(stderr)) {
    return 'sudo -n needs a password for this user: allow the commands without one (NOPASSWD in sudoers), or log in as a user that can write the folder';
  }
  if (/not in the sudoers|not allowed to execute|may not run sudo/i.test(stderr)) return 'this user may not use sudo here';
  if (/sudo: (command )?not found|sudo: No such file/i.test(stderr)) return 'sudo is not installed on the device';
  return undefined;
}

/**
 * File operations through `sudo -n` commands over SSH, for devices where the login user may not write the
 * target folder itself (the Apstra server's /etc/aos/nginx.conf.d belongs to root; its admin uses sudo).
 * Files are created under `umask 077` and only then given their mode, so a key is never readable by others;
 * contents travel on stdin and come back as base64, so nothing is lost to encodings.
 */
export function sudoFs(s: SshSession): RemoteFs {
  const fail = (path: string, e: unknown): never => {
    if (e instanceof RemoteCommandError) {
      const why = sudoRefusal(e.stderr) ?? (/permission denied/i.test(e.stderr) ? 'permission denied, even through sudo' : e.stderr || `exit status ${e.exitCode}`);
      throw new RemoteFileError(s.endpoint, path, why, { cause: e });
    }
    throw e;
  };
  const run = async (path: string, command: string, stdin?: Uint8Array): Promise<string> => {
    try {
      return (await s.exec(`${SUDO} ${command}`, stdin === undefined ? {} : { stdin })).stdout;
    } catch (e) {
      return fail(path, e);
    }
  };

  return {
    async stat(path): Promise<RemoteStat | undefined> {
      const r = await s.exec(`${SUDO} stat -c '%f %s' -- ${shellQuote(path)}`, { allowFailure: true });
      if (r.code !== 0) {
        if (/no such file/i.test(r.stderr) && sudoRefusal(r.stderr) === undefined) return undefined;
        return fail(path, new RemoteCommandError(s.endpoint, `${SUDO} stat`, r.code, r.stderr));
      }
      const [rawMode, size] = r.stdout.trim().split(' ');
      const mode = Number.parseInt(rawMode ?? '', 16);
      if (!Number.isFinite(mode)) throw new RemoteFileError(s.endpoint, path, `stat printed ${JSON.stringify(r.stdout.trim().slice(0, 40))}, not a mode and size`);
      const type = mode & 0o170000;
      return { size: Number(size), mode: mode & 0o7777, isFile: type === 0o100000, isDirectory: type === 0o040000 };
    },
    async readFile(path, limit = DEFAULT_READ_LIMIT) {
      const st = await this.stat(path);
      if (!st) throw new RemoteFileError(s.endpoint, path, 'no such file or folder');
      if (st.size > Math.min(limit, DEFAULT_READ_LIMIT)) throw new RemoteFileError(s.endpoint, path, `the file is ${st.size} bytes, over the ${Math.min(limit, DEFAULT_READ_LIMIT)}-byte limit`);
      return Buffer.from((await run(path, `base64 -w0 -- ${shellQuote(path)}`)).trim(), 'base64');
    },
    async readdir(path) {
      return (await run(path, `ls -A1 -- ${shellQuote(path)}`)).split('\n').filter((n) => n.length > 0);
    },
    async writeFile(path, data, mode) {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      await run(path, `sh -c 'umask 077 && cat > "$1" && chmod "$2" "$1"' sh ${shellQuote(path)} ${(mode & 0o7777).toString(8)}`, bytes);
    },
    async rename(from, to) {
      await run(from, `mv -f -- ${shellQuote(from)} ${shellQuote(to)}`);
    },
    async unlink(path) {
      await run(path, `rm -f -- ${shellQuote(path)}`);
    },
  };
}
