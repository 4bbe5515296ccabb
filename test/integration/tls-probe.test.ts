import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createSecureContext, createServer as createTlsServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError, ConnectError, TimeoutError } from '../../src/core/transport/errors.js';
import { normalizeSha256, probeTls, waitForServed } from '../../src/core/transport/tls-probe.js';
import { opensslFingerprint, usePki } from '../helpers/fixtures.js';
import { freePort, startLabNginx, type NginxServer } from '../helpers/nginx.js';
import { openssl, tempDir } from '../helpers/openssl.js';

const LAB = new URL('../fixtures/pki/', import.meta.url).pathname;
const lab = (name: string): string => readFileSync(LAB + name, 'utf8');
const pki = usePki();

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

// Ends a server and every connection it still holds.
async function close(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

function tracked<S extends Server>(server: S): { server: S; sockets: Set<Socket> } {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return { server, sockets };
}

const opensslSerial = (path: string): string => openssl(['x509', '-in', path, '-noout', '-serial']).trim().split('=')[1]!;

describe('probeTls against real nginx', () => {
  const t = tempDir('certbench-probe-');
  let nginx: NginxServer;
  beforeAll(async () => {
    nginx = await startLabNginx(t.dir);
  });
  afterAll(async () => {
    await nginx?.stop();
    t.cleanup();
  });

  it('reads the chain as served: leaf then intermediate, fingerprints as openssl prints them', async () => {
    const r = await probeTls({ host: '127.0.0.1', port: nginx.port });
    expect(r.endpoint).toBe(`127.0.0.1:${nginx.port}`);
    // No SNI is sent to an IP address.
    expect(r.servername).toBeUndefined();
    expect(r.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(r.cipher).not.toBe('');
    expect(r.chain.map((c) => c.sha256)).toEqual([opensslFingerprint(LAB + 'ec.crt', 'sha256'), opensslFingerprint(LAB + 'int.crt', 'sha256')]);
    const [leaf, int] = r.chain;
    expect(leaf).toMatchObject({
      subject: 'C=US, O=Certbench Lab, CN=apstra.example.net',
      issuer: 'O=Certbench Lab, CN=Certbench Lab Issuing CA',
      sans: ['DNS:apstra.example.net', 'IP:192.0.2.2'],
      notBefore: '2025-01-01T00:00:00.000Z',
      notAfter: '2125-01-01T00:00:00.000Z',
      serial: opensslSerial(LAB + 'ec.crt'),
      selfSigned: false,
    });
    expect(int).toMatchObject({ subject: 'O=Certbench Lab, CN=Certbench Lab Issuing CA', sans: [], selfSigned: false, serial: opensslSerial(LAB + 'int.crt') });
    // The PEM is the served certificate byte for byte: openssl reads the same fingerprint from it.
    const pemFile = t.path('served-leaf.pem');
    writeFileSync(pemFile, leaf!.pem);
    expect(opensslFingerprint(pemFile, 'sha256')).toBe(leaf!.sha256);
  });

  it('waitForServed sees the new certificate after a swap and a restart through restartScript', async () => {
    const want = opensslFingerprint(LAB + 'rsa.crt', 'sha256');
    const seen: string[] = [];
    let restarted: { status: number | null; stderr: string } | undefined;
    const r = await waitForServed({
      host: '127.0.0.1', port: nginx.port, sha256: want.replace(/:/g, '').toLowerCase(), timeoutMs: 20_000, intervalMs: 100,
      onAttempt: (a) => {
        seen.push(a instanceof Error ? a.message : a.chain[0]!.sha256);
        if (restarted === undefined) {
          // The first attempt sees the old certificate; only then is it swapped.
          writeFileSync(t.path('nginx.crt'), lab('rsa.crt') + lab('int.crt'));
          writeFileSync(t.path('nginx.key'), lab('rsa.key'), { mode: 0o600 });
          restarted = spawnSync(nginx.restartScript, { encoding: 'utf8' });
        }
      },
    });
    expect(restarted).toMatchObject({ status: 0, stderr: '' });
    expect(seen[0]).toBe(opensslFingerprint(LAB + 'ec.crt', 'sha256'));
    expect(r.served).toBe(true);
    expect(r.attempts).toBeGreaterThan(1);
    expect(r.last?.chain[0]?.sha256).toBe(want);
    expect(r.last?.chain[0]?.subject).toContain('CN=router1.example.net');
  });

  it('waitForServed gives up with served false after several attempts when the certificate never comes', async () => {
    const served = (await probeTls({ host: '127.0.0.1', port: nginx.port })).chain[0]!.sha256;
    const attempts: number[] = [];
    const r = await waitForServed({
      host: '127.0.0.1', port: nginx.port, sha256: opensslFingerprint(LAB + 'root.crt', 'sha256'), timeoutMs: 600, intervalMs: 100,
      onAttempt: (_a, n) => attempts.push(n),
    });
    expect(r.served).toBe(false);
    expect(r.attempts).toBeGreaterThan(1);
    expect(attempts).toEqual(Array.from({ length: r.attempts }, (_, i) => i + 1));
    expect(r.last?.chain[0]?.sha256).toBe(served);
    expect(r.lastError).toBeUndefined();
  });

  it('restartScript fails with nginx\'s error when nginx refuses the certificate, and starts it again once fixed', async () => {
    // A key of the same type that does not match: nginx will not start (the one it replaced is stopped).
    writeFileSync(t.path('nginx.crt'), lab('rsa.crt') + lab('int.crt'));
    writeFileSync(t.path('nginx.key'), lab('other.key'), { mode: 0o600 });
    const bad = spawnSync(nginx.restartScript, { encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/\[emerg\] SSL_CTX_use_PrivateKey\(.*\) failed .*key values mismatch/);
    await expect(probeTls({ host: '127.0.0.1', port: nginx.port })).rejects.toThrow('connection refused');
    writeFileSync(t.path('nginx.key'), lab('rsa.key'), { mode: 0o600 });
    const good = spawnSync(nginx.restartScript, { encoding: 'utf8' });
    expect(good).toMatchObject({ status: 0, stderr: '' });
    expect((await probeTls({ host: '127.0.0.1', port: nginx.port })).chain[0]!.sha256).toBe(opensslFingerprint(LAB + 'rsa.crt', 'sha256'));
  });
});

describe('probeTls against node tls servers', () => {
  it('sends the SNI name (explicit, or the host name) and never an IP address', async () => {
    const names: string[] = [];
    const context = createSecureContext({ key: lab('ec.key'), cert: lab('ec.crt') + lab('int.crt') });
    // Recorded during the handshake: the probe may be gone before the server's secureConnection event.
    const { server, sockets } = tracked(createTlsServer({
      key: lab('ec.key'), cert: lab('ec.crt') + lab('int.crt'),
      SNICallback: (name, cb) => {
        names.push(name);
        cb(null, context);
      },
    }, (s) => s.end()));
    const port = await listen(server);
    try {
      // SNICallback runs only when the client sends a name, before the server sends its certificate.
      const cases: { name: string; input: { host: string; servername?: string }; want: string | undefined }[] = [
        { name: 'explicit name', input: { host: '127.0.0.1', servername: 'apstra.example.net' }, want: 'apstra.example.net' },
        { name: 'host name', input: { host: 'localhost' }, want: 'localhost' },
        { name: 'IP address host', input: { host: '127.0.0.1' }, want: undefined },
        { name: 'IP address as servername', input: { host: '127.0.0.1', servername: '192.0.2.2' }, want: undefined },
      ];
      for (const c of cases) {
        const before = names.length;
        const r = await probeTls({ ...c.input, port });
        expect(names.slice(before), c.name).toEqual(c.want === undefined ? [] : [c.want]);
        expect(r.servername, c.name).toBe(c.want);
        expect(r.chain[0]!.sha256, c.name).toBe(opensslFingerprint(LAB + 'ec.crt', 'sha256'));
      }
      expect(names).toEqual(['apstra.example.net', 'localhost']);
    } finally {
      await close(server, sockets);
    }
  });

  it('keeps the order the server sent, even a wrong one, and marks the self-signed root', async () => {
    const { server, sockets } = tracked(createTlsServer({ key: lab('ec.key'), cert: lab('ec.crt') + lab('root.crt') + lab('int.crt') }, (s) => s.end()));
    const port = await listen(server);
    try {
      const r = await probeTls({ host: '127.0.0.1', port });
      expect(r.chain.map((c) => c.sha256)).toEqual(['ec.crt', 'root.crt', 'int.crt'].map((f) => opensslFingerprint(LAB + f, 'sha256')));
      expect(r.chain.map((c) => c.selfSigned)).toEqual([false, true, false]);
    } finally {
      await close(server, sockets);
    }
  });

  it('reads a lone self-signed certificate once', async () => {
    const { server, sockets } = tracked(createTlsServer({ key: lab('rsa.key'), cert: lab('selfsigned.crt') }, (s) => s.end()));
    const port = await listen(server);
    try {
      const r = await probeTls({ host: '127.0.0.1', port });
      expect(r.chain).toHaveLength(1);
      expect(r.chain[0]).toMatchObject({ selfSigned: true, sha256: opensslFingerprint(LAB + 'selfsigned.crt', 'sha256') });
    } finally {
      await close(server, sockets);
    }
  });

  it('reads an expired certificate from an untrusted CA (the probe judges nothing)', async () => {
    const { server, sockets } = tracked(createTlsServer({ key: pki().text('ec.sec1.pem'), cert: pki().text('expired.crt') }, (s) => s.end()));
    const port = await listen(server);
    try {
      const r = await probeTls({ host: '127.0.0.1', port });
      expect(r.chain[0]!.sha256).toBe(opensslFingerprint(pki().path('expired.crt'), 'sha256'));
      expect(r.chain[0]!.notAfter).toBe('2021-01-01T00:00:00.000Z');
    } finally {
      await close(server, sockets);
    }
  });

  it('refused port -> ConnectError naming the port', async () => {
    const port = await freePort();
    const err = await probeTls({ host: '127.0.0.1', port }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect(err).not.toBeInstanceOf(TimeoutError);
    expect((err as ConnectError).code).toBe('connect-failed');
    expect((err as Error).message).toBe(`127.0.0.1:${port}: connection refused — is HTTPS served on port ${port}?`);
  });

  it('a TCP server that never speaks -> TimeoutError about the handshake', async () => {
    const { server, sockets } = tracked(createTcpServer(() => undefined));
    const port = await listen(server);
    try {
      const err = await probeTls({ host: '127.0.0.1', port, timeoutMs: 300 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TimeoutError);
      expect((err as TimeoutError).code).toBe('timeout');
      expect((err as Error).message).toContain('TLS handshake did not finish');
    } finally {
      await close(server, sockets);
    }
  });

  it('a plain HTTP server -> ConnectError saying it did not speak TLS', async () => {
    const { server, sockets } = tracked(createHttpServer((_req, res) => res.end('hello')));
    const port = await listen(server);
    try {
      const err = await probeTls({ host: '127.0.0.1', port }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectError);
      expect(err).not.toBeInstanceOf(TimeoutError);
      expect((err as Error).message).toContain(`the service on port ${port} did not speak TLS`);
    } finally {
      await close(server, sockets);
    }
  });

  it('a TLS alert -> ConnectError with the alert in words', async () => {
    // A server that requires a client certificate the probe never sends; TLS 1.2, because with 1.3 the
    // client finishes its side of the handshake before the server's alert arrives.
    const { server, sockets } = tracked(createTlsServer({ key: lab('ec.key'), cert: lab('ec.crt'), requestCert: true, rejectUnauthorized: true, ca: lab('root.crt'), maxVersion: 'TLSv1.2' }, (s) => s.end()));
    server.on('tlsClientError', () => undefined);
    const port = await listen(server);
    try {
      const err = await probeTls({ host: '127.0.0.1', port }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectError);
      expect((err as Error).message).toMatch(/the server refused the TLS handshake with the alert "handshake failure"/);
    } finally {
      await close(server, sockets);
    }
  });

  it('abort -> CancelledError, before and during the connection', async () => {
    const pre = new AbortController();
    pre.abort();
    await expect(probeTls({ host: '127.0.0.1', port: 9, signal: pre.signal })).rejects.toBeInstanceOf(CancelledError);

    const ac = new AbortController();
    // The server aborts the probe once the connection is in: the handshake never finishes.
    const { server, sockets } = tracked(createTcpServer(() => ac.abort()));
    const port = await listen(server);
    try {
      const err = await probeTls({ host: '127.0.0.1', port, timeoutMs: 30_000, signal: ac.signal }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CancelledError);
      expect((err as CancelledError).code).toBe('cancelled');
    } finally {
      await close(server, sockets);
    }
  });
});

describe('waitForServed', () => {
  it('never throws for connect errors: served false, the last error kept, attempts bounded by timeout/interval', async () => {
    const port = await freePort();
    const sleeps: number[] = [];
    const r = await waitForServed({
      host: '127.0.0.1', port, sha256: opensslFingerprint(LAB + 'ec.crt', 'sha256'), timeoutMs: 1_000, intervalMs: 250,
      sleep: async (ms) => void sleeps.push(ms),
    });
    expect(r.served).toBe(false);
    expect(r.last).toBeUndefined();
    expect(r.lastError).toBeInstanceOf(ConnectError);
    // With a sleep that returns at once, only the attempt bound ends the loop: 1000 / 250 + 1.
    expect(r.attempts).toBe(5);
    expect(sleeps).toEqual([250, 250, 250, 250]);
  });

  it('without a fixed interval the pauses grow (0.25, 0.5, 1, 2, 2 s) so a quick restart is seen at once', async () => {
    const port = await freePort();
    const ac = new AbortController();
    const sleeps: number[] = [];
    const p = waitForServed({
      host: '127.0.0.1', port, sha256: opensslFingerprint(LAB + 'ec.crt', 'sha256'), timeoutMs: 60_000, signal: ac.signal,
      sleep: async (ms) => {
        sleeps.push(ms);
        if (sleeps.length === 5) ac.abort();
      },
    });
    await expect(p).rejects.toBeInstanceOf(CancelledError);
    expect(sleeps).toEqual([250, 500, 1_000, 2_000, 2_000]);
  });

  it('abort while waiting -> CancelledError', async () => {
    const port = await freePort();
    const ac = new AbortController();
    const p = waitForServed({
      host: '127.0.0.1', port, sha256: opensslFingerprint(LAB + 'ec.crt', 'sha256'), timeoutMs: 60_000, intervalMs: 30_000,
      signal: ac.signal, onAttempt: () => ac.abort(),
    });
    await expect(p).rejects.toBeInstanceOf(CancelledError);
  });

  it('refuses an expected fingerprint that is not one', async () => {
    await expect(waitForServed({ host: '127.0.0.1', port: 9, sha256: 'abc', timeoutMs: 10 })).rejects.toMatchObject({ name: 'InputError', code: 'invalid-value' });
  });
});

describe('normalizeSha256', () => {
  const hex = 'a5de8af17a9b05d7fd4fa374cc78d72d9d502138c20ae065974d2dda1d3009b1';
  const colon = hex.toUpperCase().match(/../g)!.join(':');
  const cases: { name: string; input: string; want: string | Error }[] = [
    { name: 'openssl style', input: colon, want: hex },
    { name: 'plain lowercase hex', input: hex, want: hex },
    { name: 'plain uppercase hex', input: hex.toUpperCase(), want: hex },
    { name: 'openssl -fingerprint output', input: `sha256 Fingerprint=${colon}\n`, want: hex },
    { name: 'space separated', input: hex.match(/../g)!.join(' '), want: hex },
    { name: 'too short', input: hex.slice(2), want: new Error('--pin: not a SHA-256 fingerprint') },
    { name: 'not hex', input: `${hex.slice(1)}g`, want: new Error('--pin: not a SHA-256 fingerprint') },
    { name: 'SHA-1', input: 'AB:'.repeat(19) + 'AB', want: new Error('--pin: not a SHA-256 fingerprint') },
    { name: 'SSH fingerprint', input: 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s', want: new Error('--pin: this is an SSH key fingerprint') },
    { name: 'misplaced colons', input: `${hex.slice(0, 3)}:${hex.slice(3)}`, want: new Error('--pin: not a SHA-256 fingerprint') },
  ];
  for (const c of cases) {
    it(c.name, () => {
      if (c.want instanceof Error) {
        expect(() => normalizeSha256(c.input)).toThrow(c.want.message);
        expect(() => normalizeSha256(c.input)).toThrow(expect.objectContaining({ name: 'InputError', code: 'invalid-value' }) as Error);
      } else {
        expect(normalizeSha256(c.input)).toBe(c.want);
      }
    });
  }
});
