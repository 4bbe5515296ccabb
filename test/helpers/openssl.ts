import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs openssl and returns stdout; throws with stderr when it exits non-zero. */
export function openssl(args: string[], input?: string | Uint8Array): string {
  const r = spawnSync('openssl', args, { input, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Runs openssl and returns its raw stdout bytes. */
export function opensslBytes(args: string[], input?: string | Uint8Array): Buffer {
  return execFileSync('openssl', args, { input, maxBuffer: 16 * 1024 * 1024 });
}

/** Runs openssl and returns exit status and both outputs, never throwing. */
export function opensslTry(args: string[], input?: string | Uint8Array): { status: number; stdout: string; stderr: string } {
  const r = spawnSync('openssl', args, { input, encoding: 'utf8' });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A temp directory removed by the returned cleanup function. */
export function tempDir(prefix = 'certbench-'): { dir: string; path: (name: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, path: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
