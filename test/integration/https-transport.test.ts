import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError, ConnectionLostError, TimeoutError, TlsUntrustedError } from '../../src/core/transport/errors.js';
import { httpsRequest, MAX_RESPONSE_BYTES } from '../../src/core/transport/https.js';
import type { TlsTrust } from '../../src/core/transport/types.js';
import { opensslFingerprint, usePki } from '../helpers/fixtures.js';
import { openssl, tempDir } from '../helpers/openssl.js';

const LAB = new URL('../fixtures/pki/', import.meta.url).pathname;
const lab = (name: string): string => readFileSync(LAB + name, 'utf8');
const hex = (path: string): string => opensslFingerprint(path, 'sha256').replace(/:/g, '').toLowerCase();
const other = usePki();

// What a test server saw: TCP connections and HTTP requests (method, path, body).
interface Seen { connections: number; requests: { method: string; url: string; body: string; header?: string }[] }

interface TestServer { port: number; seen: Seen; server: Server; close(): Promise<void> }

type Handler = (body: string, res: import('node:http').ServerResponse) => void;

async function serve(tls: { key: string; cert: string }, handler?: Handler): Promise<TestServer> {
  const seen: Seen = { connections: 0, requests: [] };
  const sockets = new Set<Socket>();
  const server = createServer(tls, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const header = req.headers['x-certbench'];
      seen.requests.push({ method: req.method ?? '', url: req.url ?? '', body, ...(typeof header === 'string' ? { header } : {}) });
      if (handler) handler(body, res);
      else res.writeHead(201, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] }).end(JSON.stringify({ ok: true, body }));
    });
  });
  server.on('connection', (s: Socket) => {
    seen.connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // The probe hangs up right after the handshake; that is not worth a log line.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    server,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('httpsRequest', () => {
  const t = tempDir('certbench-https-');
  const ca: TlsTrust = { kind: 'ca', caPem: lab('root.crt'), file: 'root.crt' };
  let local: { key: string; cert: string };
  beforeAll(() => {
    // A lab leaf for 127.0.0.1 (none of the committed ones names it), issued by the lab intermediate.
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', t.path('local.key')]);
    openssl(['req', '-new', '-config', LAB + 'req.cnf', '-key', t.path('local.key'), '-subj', '/CN=localhost', '-out', t.path('local.csr')]);
    writeFileSync(t.path('local.ext'), '[v3]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n');
    openssl(['x509', '-req', '-in', t.path('local.csr'), '-CA', LAB + 'int.crt', '-CAkey', LAB + 'int.key', '-set_serial', '77',
      '-days', '30', '-sha256', '-extfile', t.path('local.ext'), '-extensions', 'v3', '-out', t.path('local.crt')]);
    local = { key: readFileSync(t.path('local.key'), 'utf8'), cert: readFileSync(t.path('local.crt'), 'utf8') + lab('int.crt') };
  });
  afterAll(() => t.cleanup());

  it('CA mode: sends method, path, headers and body, returns status, headers and body', async () => {
    const s = await serve(local);
    try {
      const r = await httpsRequest({ url: `https://127.0.0.1:${s.port}/api/x?y=1`, trust: ca, method: 'POST', headers: { 'x-certbench': 'yes', 'content-type': 'application/json' }, body: '{"a":"é"}' });
      expect(r.status).toBe(201);
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['set-cookie']).toEqual(['a=1', 'b=2']);
      expect(JSON.parse(r.body)).toEqual({ ok: true, body: '{"a":"é"}' });
      expect(s.seen.requests).toEqual([{ method: 'POST', url: '/api/x?y=1', body: '{"a":"é"}', header: 'yes' }]);
    } finally {
      await s.close();
    }
  });

  it('CA mode with a CA that did not issue the certificate -> TlsUntrustedError naming its fingerprint, no request sent', async () => {
    const s = await serve(local);
    try {
      const err = await httpsRequest({ url: `https://127.0.0.1:${s.port}/`, trust: { kind: 'ca', caPem: other().text('root.crt'), file: 'other-root.crt' } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TlsUntrustedError);
      const e = err as TlsUntrustedError;
      expect(e.code).toBe('tls-untrusted');
      expect(e.presentedSha256).toBe(hex(t.path('local.crt')));
      expect(e.message).toContain(opensslFingerprint(t.path('local.crt'), 'sha256'));
      expect(e.message).toContain('the CA file other-root.crt: it is not issued by a CA in the CA file');
      expect(e.message).toMatch(/--ca.*--pin/);
      expect(s.seen.requests).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('CA mode with a certificate for another host -> TlsUntrustedError', async () => {
    const s = await serve({ key: lab('ec.key'), cert: lab('ec.crt') + lab('int.crt') });
    try {
      const err = await httpsRequest({ url: `https://127.0.0.1:${s.port}/`, trust: ca }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TlsUntrustedError);
      expect((err as Error).message).toContain('it is not issued for 127.0.0.1');
      expect(s.seen.requests).toEqual([]);
    } finally {
      await s.close();
    }
  });

  const pinCases = [
    { name: 'self-signed certificate, pin as openssl prints it', key: 'rsa.key', certs: ['selfsigned.crt'], pin: () => opensslFingerprint(LAB + 'selfsigned.crt', 'sha256') },
    // 127.0.0.1 is not in this certificate's SAN: the pin stands in for the host name check.
    { name: 'leaf issued by the intermediate, pin as plain hex', key: 'ec.key', certs: ['ec.crt', 'int.crt'], pin: () => hex(LAB + 'ec.crt') },
  ];
  for (const c of pinCases) {
    it(`pin mode: ${c.name}`, async () => {
      const s = await serve({ key: lab(c.key), cert: c.certs.map(lab).join('') });
      try {
        const r = await httpsRequest({ url: `https://127.0.0.1:${s.port}/pinned`, trust: { kind: 'pin', sha256: c.pin() } });
        expect(r.status).toBe(201);
        expect(s.seen.requests.map((q) => q.url)).toEqual(['/pinned']);
        // One connection for the probe, one for the request.
        expect(s.seen.connections).toBe(2);
      } finally {
        await s.close();
      }
    });
  }

  it('pin mode with a wrong pin -> TlsUntrustedError with both fingerprints; the server saw no request', async () => {
    const s = await serve({ key: lab('ec.key'), cert: lab('ec.crt') + lab('int.crt') });
    try {
      const pin = opensslFingerprint(LAB + 'rsa.crt', 'sha256');
      const err = await httpsRequest({ url: `https://127.0.0.1:${s.port}/`, trust: { kind: 'pin', sha256: pin }, method: 'POST', body: 'secret' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TlsUntrustedError);
      const e = err as TlsUntrustedError;
      expect(e.presentedSha256).toBe(hex(LAB + 'ec.crt'));
      expect(e.message).toContain(opensslFingerprint(LAB + 'ec.crt', 'sha256'));
      expect(e.message).toContain(`not the pinned ${pin}`);
      expect(s.seen.connections).toBe(1);
      expect(s.seen.requests).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('pin mode: a certificate swapped in between the probe and the request is refused before the request', async () => {
    const s = await serve({ key: lab('ec.key'), cert: lab('ec.crt') + lab('int.crt') });
    // Node gives a connection the server's credentials when it accepts it; this listener runs after that,
    // so the probe's connection keeps the pinned certificate and every later one gets the other.
    s.server.once('connection', () => s.server.setSecureContext({ key: lab('rsa.key'), cert: lab('rsa.crt') + lab('int.crt') }));
    try {
      const err = await httpsRequest({ url: `https://127.0.0.1:${s.port}/`, trust: { kind: 'pin', sha256: hex(LAB + 'ec.crt') }, method: 'POST', body: 'secret' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TlsUntrustedError);
      expect((err as Error).message).toContain('another certificate than the pinned one');
      expect(s.seen.connections).toBe(2);
      expect(s.seen.requests).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('pin mode with an expired pinned certificate -> TlsUntrustedError (dates are still checked), no request', async () => {
    const s = await serve({ key: other().text('ec.sec1.pem'), cert: other().text('expired.crt') });
    try {
      const err = await httpsRequest({ url: `https://127.0.0.1:${s.port}/`, trust: { kind: 'pin', sha256: opensslFingerprint(other().path('expired.crt'), 'sha256') } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TlsUntrustedError);
      expect((err as Error).message).toContain('the pinned certificate has expired');
      expect(s.seen.requests).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('refuses bad input before connecting', async () => {
    const s = await serve(local);
    try {
      const url = `https://127.0.0.1:${s.port}/`;
      const cases: { name: string; input: Parameters<typeof httpsRequest>[0]; want: { code: string; message: string } }[] = [
        { name: 'pin not a fingerprint', input: { url, trust: { kind: 'pin', sha256: 'deadbeef' } }, want: { code: 'invalid-value', message: '--pin: not a SHA-256 fingerprint' } },
        { name: 'CA file without a certificate', input: { url, trust: { kind: 'ca', caPem: lab('ec.key'), file: 'ec.key' } }, want: { code: 'wrong-kind', message: 'ec.key: the CA file holds no PEM certificate' } },
        { name: 'http URL', input: { url: url.replace('https', 'http'), trust: ca }, want: { code: 'invalid-value', message: 'url: only https:// URLs' } },
        { name: 'not a URL', input: { url: 'https//admin:pw@host', trust: ca }, want: { code: 'invalid-value', message: 'url: not a valid URL' } },
        { name: 'credentials in the URL', input: { url: url.replace('//', '//admin:pw@'), trust: ca }, want: { code: 'invalid-value', message: 'url: the URL holds credentials' } },
      ];
      for (const c of cases) {
        const err = await httpsRequest(c.input).catch((e: unknown) => e);
        expect(err, c.name).toMatchObject({ name: 'InputError', code: c.want.code });
        expect((err as Error).message, c.name).toContain(c.want.message);
        expect((err as Error).message, c.name).not.toContain('pw');
      }
      expect(s.seen.connections).toBe(0);
    } finally {
      await s.close();
    }
  });

  it('a response over 4 MiB -> ConnectionLostError', async () => {
    const s = await serve(local, (_b, res) => res.end(Buffer.alloc(MAX_RESPONSE_BYTES + 1, 0x61)));
    try {
      const err = await httpsRequest({ url: `https://127.0.0.1:${s.port}/`, trust: ca }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectionLostError);
      expect((err as Error).message).toContain('over the 4 MiB limit');
    } finally {
      await s.close();
    }
  });

  it('a response of exactly 4 MiB is read whole', async () => {
    const s = await serve(local, (_b, res) => res.end(Buffer.alloc(MAX_RESPONSE_BYTES, 0x61)));
    try {
      const r = await httpsRequest({ url: `https://127.0.0.1:${s.port}/`, trust: ca });
      expect(r.body.length).toBe(MAX_RESPONSE_BYTES);
    } finally {
      await s.close();
    }
  });

  it('no answer -> TimeoutError; abort -> CancelledError', async () => {
    const ac = new AbortController();
    // The server never answers; the abort test aborts once the request has arrived.
    const s = await serve(local, () => {
      if (s.seen.requests.length === 2) ac.abort();
    });
    try {
      const slow = await httpsRequest({ url: `https://127.0.0.1:${s.port}/`, trust: ca, timeoutMs: 500 }).catch((e: unknown) => e);
      expect(slow).toBeInstanceOf(TimeoutError);
      expect((slow as Error).message).toContain('no response within');
      const aborted = await httpsRequest({ url: `https://127.0.0.1:${s.port}/`, trust: ca, signal: ac.signal }).catch((e: unknown) => e);
      expect(aborted).toBeInstanceOf(CancelledError);
      expect(s.seen.requests).toHaveLength(2);
    } finally {
      await s.close();
    }
  });
});
