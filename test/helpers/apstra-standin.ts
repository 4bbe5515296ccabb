import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { startNginx, type NginxServer } from './nginx.js';
import { openssl, opensslTry, tempDir } from './openssl.js';
import { startSshd, type Sshd } from './sshd.js';

/*
 * An Apstra server stood in for by real programs: Debian's sshd on 127.0.0.1 for its SSH, a temp folder for
 * /etc/aos/nginx.conf.d holding nginx.crt and nginx.key, and Debian's nginx (restarted by its script) for the
 * aos_nginx_1 container. What is served is read by `openssl s_client`, the oracle, never by certbench.
 * The plain functions carry no test hooks, so Playwright specs can import them too.
 */

/** The certificate an Apstra server makes for itself on first boot, as PEM text and its SHA-256 fingerprint. */
export interface FactoryCert {
  crt: string;
  key: string;
  /** `openssl x509 -fingerprint -sha256`: colon-separated uppercase hex. */
  sha256: string;
}

/** The SHA-256 fingerprint of a PEM certificate as `openssl x509 -fingerprint` prints it, without the label. */
export function fingerprintOf(pem: string): string {
  return openssl(['x509', '-noout', '-fingerprint', '-sha256'], pem).trim().replace(/^[^=]*=/, '').toUpperCase();
}

/** The fingerprint of the certificate served on 127.0.0.1:port, read by `openssl s_client` (the oracle). */
export function servedFingerprint(port: number, serverName = 'apstra.example.net'): string {
  const r = opensslTry(['s_client', '-connect', `127.0.0.1:${port}`, '-servername', serverName], '');
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(r.stdout)?.[0];
  if (!pem) throw new Error(`openssl s_client read no certificate: ${r.stderr}`);
  return fingerprintOf(pem);
}

/** Makes the self-signed "factory" certificate (EC P-256, apstra.example.net) as old.crt/old.key in `dir`. */
export function makeFactoryCert(dir: string): FactoryCert {
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'old.key'), '-out', join(dir, 'old.crt'),
    '-subj', '/CN=apstra.example.net', '-addext', 'subjectAltName=DNS:apstra.example.net', '-days', '30']);
  const crt = readFileSync(join(dir, 'old.crt'), 'utf8');
  return { crt, key: readFileSync(join(dir, 'old.key'), 'utf8'), sha256: fingerprintOf(crt) };
}

/** Writes the factory certificate as `dir`/nginx.crt (0644) and nginx.key (0600) and starts nginx serving them. */
export async function serveFactoryCert(dir: string, factory: FactoryCert): Promise<NginxServer> {
  writeFileSync(join(dir, 'nginx.crt'), factory.crt, { mode: 0o644 });
  writeFileSync(join(dir, 'nginx.key'), factory.key, { mode: 0o600 });
  return startNginx({ certPath: join(dir, 'nginx.crt'), keyPath: join(dir, 'nginx.key') });
}

/** The stand-in as one test sees it: sshd for the whole file, nginx and the folder fresh for each test. */
export interface ApstraStandIn {
  sshd: Sshd;
  /** This test's nginx, serving the factory certificate from `dir` when the test starts. */
  nginx: NginxServer;
  /** The stand-in for /etc/aos/nginx.conf.d. */
  dir: string;
  oldCrt: string;
  oldKey: string;
  /** The factory certificate's SHA-256 fingerprint (as {@link fingerprintOf}). */
  oldSha256: string;
  /** What this test's nginx serves now, read by `openssl s_client`. */
  servedFingerprint(): string;
  /** The folder's state: file names and content hashes. */
  folderState(): Record<string, string>;
}

/**
 * Registers the vitest hooks of an Apstra stand-in for the calling test file: the factory certificate and sshd
 * once (beforeAll), and before each test the folder reset to the factory files and a fresh nginx checked to serve
 * them; nginx is stopped after each test, sshd and the temp dir after all. Call the result inside tests.
 */
export function useApstraStandIn(): () => ApstraStandIn {
  const t = tempDir('certbench-apstra-standin-');
  const dir = t.path('aos/nginx.conf.d');
  let factory: FactoryCert | undefined;
  let sshd: Sshd | undefined;
  let nginx: NginxServer | undefined;

  beforeAll(async () => {
    factory = makeFactoryCert(t.dir);
    mkdirSync(dir, { recursive: true });
    sshd = await startSshd();
  }, 60_000);

  // Each test starts from the factory state with a freshly started nginx.
  beforeEach(async () => {
    for (const n of readdirSync(dir)) rmSync(join(dir, n));
    nginx = await serveFactoryCert(dir, factory!);
    expect(servedFingerprint(nginx.port)).toBe(factory!.sha256);
  }, 30_000);

  afterEach(async () => {
    await nginx?.stop();
  });

  afterAll(async () => {
    await sshd?.stop();
    t.cleanup();
  });

  return () => {
    if (!factory || !sshd || !nginx) throw new Error('useApstraStandIn(): the stand-in starts in beforeAll/beforeEach; call the getter inside a test');
    const server = nginx;
    return {
      sshd,
      nginx: server,
      dir,
      oldCrt: factory.crt,
      oldKey: factory.key,
      oldSha256: factory.sha256,
      servedFingerprint: () => servedFingerprint(server.port),
      folderState: () => Object.fromEntries(readdirSync(dir).sort().map((n) => [n, createHash('sha256').update(readFileSync(join(dir, n))).digest('hex')])),
    };
  };
}
