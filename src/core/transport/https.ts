import { X509Certificate } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { request, type RequestOptions } from 'node:https';
import { isIP } from 'node:net';
import type { PeerCertificate } from 'node:tls';
import { fail } from '../errors.js';
import { parsePem } from '../pki/pem.js';
import { CancelledError, ConnectionLostError, TimeoutError, TlsUntrustedError, TransportError } from './errors.js';
import { bareHost, endpointOf, normalizeSha256, probeTls, tlsConnectError } from './tls-probe.js';
import type { ServedCert, TlsTrust } from './types.js';

export { normalizeSha256 } from './tls-probe.js';

/** Options of {@link httpsRequest}. */
export interface HttpsRequestParams {
  /** `https://host[:port]/path?query`; credentials in the URL are refused (send them in headers). */
  url: string;
  trust: TlsTrust;
  /** Default `GET`. */
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Time for the whole exchange (connect, handshake, request, response), default 30 000 ms. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** An HTTP response, body read whole (as UTF-8). */
export interface HttpsResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: string;
}

/** Largest response body read; a device API answering more is not answering what was asked. */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Sends one HTTPS request, trusting the server only through `trust`: a CA bundle (with the usual host
 * name check) or a pinned leaf fingerprint (checked on a probe before anything is sent, and again on the
 * connection that carries the request). Certificate verification is never turned off.
 * @throws InputError for a bad URL, CA file or pin; TlsUntrustedError, ConnectError, TimeoutError, ConnectionLostError, CancelledError
 */
export async function httpsRequest(p: HttpsRequestParams): Promise<HttpsResponse> {
  const url = parseUrl(p.url);
  const host = bareHost(url.hostname);
  const port = url.port === '' ? 443 : Number(url.port);
  const endpoint = endpointOf(host, port);
  const servername = isIP(host) === 0 ? host : undefined;
  const deadline = Date.now() + (p.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  if (p.signal?.aborted) throw new CancelledError(endpoint);

  let tls: RequestOptions;
  let pin = '';
  if (p.trust.kind === 'ca') {
    tls = { ca: caCertificates(p.trust.caPem, p.trust.file ?? '--ca') };
  } else {
    pin = normalizeSha256(p.trust.sha256, '--pin');
    // Nothing is sent before the service has shown the pinned certificate.
    const probe = await probeTls({ host, port, timeoutMs: Math.max(1, deadline - Date.now()),
      ...(p.signal === undefined ? {} : { signal: p.signal }) });
    const leaf = probe.chain[0]!;
    if (normalizeSha256(leaf.sha256) !== pin) throw pinMismatch(endpoint, leaf, pin);
    tls = {
      // The pinned leaf is the only trust anchor; allowPartialTrustChain lets a leaf that is not
      // self-signed be one. rejectUnauthorized stays on: OpenSSL still checks signature and dates.
      ca: [leaf.pem],
      allowPartialTrustChain: true,
      // The pin replaces the host name check, and is checked again on this connection so a certificate
      // swapped in between the probe and this request is refused before the request is sent.
      checkServerIdentity: (_host: string, cert: PeerCertificate) =>
        normalizeSha256(cert.fingerprint256) === pin ? undefined : new PinMismatch(cert),
    };
  }

  try {
    return await exchange(p, url, { host, port, endpoint, servername, deadline, tls });
  } catch (e) {
    if (e instanceof PinMismatch) throw pinMismatch(endpoint, e.presented, pin);
    if (e instanceof VerifyFailure && p.trust.kind === 'ca') throw await untrusted(e, endpoint, host, port, p.trust.file);
    if (e instanceof VerifyFailure && (e.code === 'CERT_HAS_EXPIRED' || e.code === 'CERT_NOT_YET_VALID')) {
      // OpenSSL checks the dates of a trust anchor too, and verification is never turned off.
      throw new TlsUntrustedError(endpoint, `the pinned certificate ${e.code === 'CERT_HAS_EXPIRED' ? 'has expired' : 'is not valid yet'}, and certbench does not send requests over a connection whose certificate fails its date check; nothing was sent`, pin);
    }
    if (e instanceof VerifyFailure) {
      // Pin mode: the certificate on this connection is not the one the probe saw and pinned.
      throw new TlsUntrustedError(endpoint, `the server presented another certificate than the pinned one on the request's connection (OpenSSL: ${e.message}); nothing was sent`);
    }
    throw e;
  }
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // The text is not repeated: it may hold a password.
    return fail('invalid-value', 'not a valid URL', 'url');
  }
  if (url.protocol !== 'https:') fail('invalid-value', `only https:// URLs are sent (got ${url.protocol}//)`, 'url');
  if (url.username !== '' || url.password !== '') fail('invalid-value', 'the URL holds credentials; send them in a header instead', 'url');
  return url;
}

// The certificates of a CA bundle, checked here so a wrong file is named as such and not reported as an untrusted server.
function caCertificates(pem: string, file: string): string[] {
  const certs = parsePem(pem, file).filter((b) => b.label === 'CERTIFICATE' || b.label === 'TRUSTED CERTIFICATE' || b.label === 'X509 CERTIFICATE');
  if (certs.length === 0) fail('wrong-kind', 'the CA file holds no PEM certificate', file);
  return certs.map((b, i) => {
    try {
      return new X509Certificate(b.der).toString();
    } catch {
      return fail('unknown-content', `certificate #${i + 1} of the CA file cannot be read`, file);
    }
  });
}

function colons(hex: string): string {
  return hex.toUpperCase().match(/../g)!.join(':');
}

// The certificate on the request's connection was not the pinned one (raised inside checkServerIdentity).
class PinMismatch extends Error {
  readonly presented: { sha256: string; subject: string };
  constructor(cert: PeerCertificate) {
    super('the certificate does not match the pin');
    this.presented = { sha256: cert.fingerprint256, subject: Object.entries(cert.subject ?? {}).map(([k, v]) => `${k}=${String(v)}`).join(', ') };
  }
}

function pinMismatch(endpoint: string, presented: Pick<ServedCert, 'sha256' | 'subject'>, pin: string): TlsUntrustedError {
  const hex = normalizeSha256(presented.sha256);
  return new TlsUntrustedError(endpoint,
    `the server presents the certificate SHA-256 ${colons(hex)} (${presented.subject}), not the pinned ${colons(pin)}; nothing was sent. ` +
    'If the certificate was replaced on purpose, check it and pin the new fingerprint with --pin.', hex);
}

// A certificate check that OpenSSL or Node's host name check failed, on the request's connection.
class VerifyFailure extends Error {
  readonly code: string;
  constructor(e: NodeJS.ErrnoException) {
    super(e.message, { cause: e });
    this.code = e.code ?? '';
  }
}

// The codes node:tls gives certificate verification failures: OpenSSL's X509_V_ERR_* names and the host name check.
const VERIFY_CODE = /^(UNABLE_TO_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|INVALID_CA|INVALID_PURPOSE|PATH_LENGTH_EXCEEDED|HOSTNAME_MISMATCH|KEY_USAGE|EE_KEY_TOO_SMALL|CA_KEY_TOO_SMALL|CA_MD_TOO_WEAK|ERR_TLS_CERT_ALTNAME_INVALID|CRL_|ERROR_IN_CERT_|X509_)/;

const VERIFY_WORDS: Record<string, string> = {
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'it is not issued by a CA in the CA file',
  UNABLE_TO_GET_ISSUER_CERT: 'it is not issued by a CA in the CA file',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'it is not issued by a CA in the CA file',
  SELF_SIGNED_CERT_IN_CHAIN: 'its chain ends at a root that is not in the CA file',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it is self-signed',
  CERT_HAS_EXPIRED: 'it has expired',
  CERT_NOT_YET_VALID: 'it is not valid yet',
  CERT_SIGNATURE_FAILURE: 'its signature does not verify',
  INVALID_CA: 'an issuer in its chain is not a CA certificate',
  INVALID_PURPOSE: 'it is not meant for TLS servers (key usage or extended key usage)',
  CA_MD_TOO_WEAK: 'it is signed with a digest too weak to trust (SHA-1 or MD5)',
  EE_KEY_TOO_SMALL: 'its key is too small to trust',
};

async function untrusted(e: VerifyFailure, endpoint: string, host: string, port: number, file: string | undefined): Promise<TlsUntrustedError> {
  const why = e.code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? `it is not issued for ${host} (${e.message})` : VERIFY_WORDS[e.code] ?? `OpenSSL: ${e.message}`;
  // node:tls drops the peer's certificate with a failed check; a probe (which sends nothing) reads it to name it.
  let seen: ServedCert | undefined;
  try {
    seen = (await probeTls({ host, port, timeoutMs: 5_000 })).chain[0];
  } catch {
    seen = undefined;
  }
  const hex = seen === undefined ? undefined : normalizeSha256(seen.sha256);
  const what = seen === undefined ? 'the certificate it presents' : `the certificate it presents (SHA-256 ${colons(hex!)}, ${seen.subject})`;
  return new TlsUntrustedError(endpoint,
    `${what} is not trusted by ${file === undefined ? 'the given CA' : `the CA file ${file}`}: ${why}. ` +
    `Pass the CA that issued it with --ca, or check the certificate and pin it with --pin${hex === undefined ? '' : ` ${colons(hex)}`}.`, hex);
}

interface Target {
  host: string;
  port: number;
  endpoint: string;
  servername: string | undefined;
  deadline: number;
  tls: RequestOptions;
}

function exchange(p: HttpsRequestParams, url: URL, t: Target): Promise<HttpsResponse> {
  const headers: Record<string, string> = { ...p.headers };
  if (p.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) {
    headers['content-length'] = String(Buffer.byteLength(p.body));
  }
  return new Promise<HttpsResponse>((resolve, reject) => {
    let settled = false;
    let tcpUp = false;
    let responding = false;
    const req = request({
      host: t.host,
      port: t.port,
      path: `${url.pathname}${url.search}`,
      method: p.method ?? 'GET',
      headers,
      // Its own connection every time: no pooled socket, no resumed session skips the checks.
      agent: false,
      ...(t.servername === undefined ? {} : { servername: t.servername }),
      ...t.tls,
      rejectUnauthorized: true,
    });
    const left = Math.max(1, t.deadline - Date.now());
    const timer = setTimeout(() => {
      finish(new TimeoutError(t.endpoint, responding ? `the response did not finish within ${left / 1000} s`
        : tcpUp ? `no response within ${left / 1000} s` : `no answer within ${left / 1000} s — is the host up and port ${t.port} reachable?`));
    }, left);
    const onAbort = (): void => finish(new CancelledError(t.endpoint));
    p.signal?.addEventListener('abort', onAbort, { once: true });

    function finish(result: HttpsResponse | Error): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      p.signal?.removeEventListener('abort', onAbort);
      if (result instanceof Error) {
        req.destroy();
        reject(result);
      } else {
        resolve(result);
      }
    }

    req.once('socket', (s) => s.once('connect', () => {
      tcpUp = true;
    }));
    // `on`, not `once`: destroying a request that has not been answered reports a second error (socket hang up).
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (e instanceof PinMismatch) finish(e);
      else if (VERIFY_CODE.test(e.code ?? '')) finish(new VerifyFailure(e));
      else if (responding) finish(new ConnectionLostError(t.endpoint, `the connection dropped while reading the response: ${e.message}`, { cause: e }));
      else if (e instanceof TransportError) finish(e);
      // Past the handshake, a dropped connection is the server hanging up on the request.
      else if ((req.socket as { authorized?: boolean } | null)?.authorized === true) {
        finish(new ConnectionLostError(t.endpoint, `the server closed the connection before it answered (${e.message})`, { cause: e }));
      } else finish(tlsConnectError(e, t.endpoint, t.port, tcpUp));
    });
    req.once('response', (res) => {
      responding = true;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) {
          finish(new ConnectionLostError(t.endpoint, `the response is over the ${MAX_RESPONSE_BYTES / 1024 / 1024} MiB limit; certbench stopped reading it`));
          return;
        }
        chunks.push(chunk);
      });
      res.once('end', () => finish({ status: res.statusCode ?? 0, headers: plainHeaders(res.headers), body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => finish(new ConnectionLostError(t.endpoint, `the connection dropped while reading the response: ${e.message}`, { cause: e })));
      res.once('aborted', () => finish(new ConnectionLostError(t.endpoint, 'the server closed the connection in the middle of the response')));
    });
    req.end(p.body);
  });
}

function plainHeaders(h: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = v;
  return out;
}
