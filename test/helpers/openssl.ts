import { execFileSync, spawn, spawnSync } from 'node:child_process';
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

/**
 * SHA-256 (`AB:CD:...`) of the leaf a fresh `openssl s_client` sees on 127.0.0.1:port, without blocking this
 * process: for services (simulators) that run in the test's own process and must keep answering.
 */
export function opensslServedSha256(port: number, servername?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, ...(servername ? ['-servername', servername] : [])], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString('utf8');
    });
    child.stdin.end();
    child.once('error', reject);
    child.once('close', () => {
      const pem = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(out)?.[0];
      if (!pem) reject(new Error(`openssl s_client read no certificate: ${err}`));
      else resolve(openssl(['x509', '-noout', '-fingerprint', '-sha256'], pem).trim().replace(/^[^=]*=/, '').toUpperCase());
    });
  });
}
