import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { endpointOf } from './host.js';
import tls from 'node:tls';
import { CertbenchError, fail } from '../errors.js';
import { isSelfSigned } from '../pki/chain.js';
import { inspect } from '../pki/inspect.js';
import { toPem } from '../pki/pem.js';
import { CancelledError, ConnectError, TimeoutError, TransportError } from './errors.js';
import type { ProbeParams, ProbeResult, ServedCert } from './types.js';

const DEFAULT_TIMEOUT_MS = 10_000;
// A chain longer than this is not a certificate chain any client would walk; it bounds the loop.
const MAX_CHAIN = 32;

export { endpointOf };

/** The host without the brackets an IPv6 address has in URLs (`[::1]` -> `::1`). */
export function bareHost(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * Connects over TLS, reads the certificate chain the service presents (in the order sent) and closes at
 * once, sending no application data. The certificate is not required to be trusted: see below.
 * @throws ConnectError (refused, unreachable, TLS alert, not TLS), TimeoutError, CancelledError
 */
export function probeTls(p: ProbeParams): Promise<ProbeResult> {
  const host = bareHost(p.host);
  const endpoint = endpointOf(host, p.port);
  const servername = p.servername ?? (isIP(host) === 0 ? host : undefined);
  // RFC 6066 forbids an IP address as SNI name (and Node warns about it), so one is never sent.
  const sni = servername !== undefined && isIP(servername) === 0 ? servername : undefined;
  const timeoutMs = p.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (p.signal?.aborted) return Promise.reject(new CancelledError(endpoint));

  return new Promise<ProbeResult>((resolve, reject) => {
    let settled = false;
    let tcpUp = false;
    // Certificate verification is deliberately not enforced here, and only here: the probe exists to
    // read what a service presents whatever its trust (a self-signed factory certificate, a chain from
    // a CA we were not given). Nothing is sent over this connection, so an impostor learns nothing,
    // and push decides by comparing the served leaf's SHA-256 with the one it expects, which is a
    // stronger check than CA trust. `ca: []` keeps the system roots out, so Node never adds to the
    // chain a certificate the server did not send.
    const sock = tls.connect({
      host,
      port: p.port,
      ...(sni === undefined ? {} : { servername: sni }),
      rejectUnauthorized: false,
      ca: [],
    });
    const timer = setTimeout(() => {
      finish(new TimeoutError(endpoint, tcpUp
        ? `the TCP connection opened but the TLS handshake did not finish within ${seconds(timeoutMs)} — is TLS served on port ${p.port}?`
        : `no answer within ${seconds(timeoutMs)} — is the host up and port ${p.port} reachable (not filtered by a firewall)?`));
    }, timeoutMs);
    const onAbort = (): void => finish(new CancelledError(endpoint));
    p.signal?.addEventListener('abort', onAbort, { once: true });

    function finish(result: ProbeResult | Error): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      p.signal?.removeEventListener('abort', onAbort);
      sock.destroy();
      if (result instanceof Error) reject(result);
      else resolve(result);
    }

    sock.once('connect', () => {
      tcpUp = true;
    });
    sock.once('secureConnect', () => {
      try {
        const chain = servedChain(sock.getPeerX509Certificate());
        if (chain.length === 0) {
          finish(new ConnectError(endpoint, 'the TLS handshake finished but the server presented no certificate'));
          return;
        }
        const cipher = sock.getCipher();
        finish({
          endpoint,
          ...(sni === undefined ? {} : { servername: sni }),
          protocol: sock.getProtocol() ?? 'unknown',
          cipher: cipher.standardName ?? cipher.name,
          chain,
        });
      } catch (e) {
        finish(e instanceof Error ? e : new Error(String(e)));
      }
    });
    // `on`, not `once`: a socket being torn down can report a second error, which must not go unhandled.
    sock.on('error', (e: Error) => finish(tlsConnectError(e, endpoint, p.port, tcpUp)));
    sock.once('close', () => {
      finish(new ConnectError(endpoint, `the server closed the connection during the TLS handshake — is TLS served on port ${p.port}?`));
    });
  });
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

// Node links each certificate of the peer's chain to the next one sent through `issuerCertificate`
// (a plain list in the order sent, whether or not each really issued the one before).
function servedChain(leaf: X509Certificate | undefined): ServedCert[] {
  const out: ServedCert[] = [];
  const seen = new Set<X509Certificate>();
  for (let c = leaf; c !== undefined && !seen.has(c) && out.length < MAX_CHAIN; c = c.issuerCertificate) {
    seen.add(c);
    out.push(servedCert(c));
  }
  return out;
}

// Described the way `inspect` describes a file's certificate, so the two can be compared by eye.
function servedCert(c: X509Certificate): ServedCert {
  const der = new Uint8Array(c.raw);
  const base = { sha256: c.fingerprint256, selfSigned: isSelfSigned(c), pem: toPem('CERTIFICATE', der) };
  try {
    const [i] = inspect([{ kind: 'certificate', der, file: 'served', index: 0, container: 'der' }]);
    if (i) {
      return {
        subject: i.subject ?? '',
        issuer: i.issuer ?? '',
        sans: i.san ?? [],
        notBefore: i.notBefore ?? new Date(c.validFrom).toISOString(),
        notAfter: i.notAfter ?? new Date(c.validTo).toISOString(),
        serial: i.serial ?? c.serialNumber.toUpperCase(),
        ...base,
      };
    }
  } catch (e) {
    if (!(e instanceof CertbenchError)) throw e;
  }
  // A certificate inspect cannot describe (a key type certbench does not handle, a damaged extension)
  // is still what the service presents: node:crypto's reading of it is shown instead.
  return {
    subject: c.subject.replace(/\n/g, ', '),
    issuer: c.issuer.replace(/\n/g, ', '),
    sans: (c.subjectAltName ?? '').split(', ').filter((s) => s.length > 0).map((s) => s.replace(/^IP Address:/, 'IP:')),
    notBefore: new Date(c.validFrom).toISOString(),
    notAfter: new Date(c.validTo).toISOString(),
    serial: c.serialNumber.toUpperCase(),
    ...base,
  };
}

/**
 * A failure to open a TLS connection (socket error or TLS alert) as a ConnectError saying why in words.
 * `tcpUp` tells whether the TCP connection had opened.
 */
export function tlsConnectError(e: Error, endpoint: string, port: number, tcpUp: boolean): ConnectError {
  return new ConnectError(endpoint, describeTlsFailure(e, port, tcpUp), { cause: e });
}

// OpenSSL's own reason string is kept where it says more than our words.
function describeTlsFailure(e: NodeJS.ErrnoException & { reason?: string }, port: number, tcpUp: boolean): string {
  const code = e.code ?? '';
  switch (code) {
    case 'ECONNREFUSED':
      return `connection refused — is HTTPS served on port ${port}?`;
    case 'ENOTFOUND':
    case 'EAI_NONAME':
      return 'the host name does not resolve (DNS has no address for it)';
    case 'EAI_AGAIN':
      return 'the host name could not be resolved now (DNS did not answer)';
    case 'EHOSTUNREACH':
      return 'the host is unreachable (no route to it)';
    case 'ENETUNREACH':
      return 'the network is unreachable (no route to it)';
    case 'ETIMEDOUT':
      return `the TCP connection timed out — is the host up and port ${port} reachable?`;
    case 'ECONNRESET':
    case 'EPIPE':
      return tcpUp
        ? `the server closed the connection during the TLS handshake — is TLS served on port ${port}, and does it accept this SNI name?`
        : 'the connection was reset before it opened';
  }
  const reason = e.reason ?? e.message;
  if (/WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST|UNKNOWN_PROTOCOL|RECORD_LAYER_FAILURE|HTTPS_PROXY_REQUEST/.test(code)) {
    return `the service on port ${port} did not speak TLS (it answered with something else, e.g. plain HTTP; OpenSSL: ${reason})`;
  }
  if (/UNSUPPORTED_PROTOCOL|NO_PROTOCOLS_AVAILABLE|ALERT_PROTOCOL_VERSION/.test(code)) {
    return `no TLS version in common: the server offers only versions this client refuses (TLS 1.0/1.1?) (OpenSSL: ${reason})`;
  }
  const alert = /ALERT_/.test(code) ? reason.replace(/^(sslv3|tlsv1|tlsv13) alert /, '') : undefined;
  if (alert !== undefined) {
    const hint = alert === 'handshake failure' ? ' (no cipher or key type in common, or the server wants a client certificate)'
      : alert === 'certificate required' ? ' (the server requires a client certificate)'
        : alert === 'unrecognized name' ? ' (the server does not serve this SNI name; try --servername)' : '';
    return `the server refused the TLS handshake with the alert "${alert}"${hint}`;
  }
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) return `the TLS handshake failed: ${reason}`;
  return `could not connect: ${e.message}`;
}

/**
 * The 64 lowercase hex digits of a SHA-256 fingerprint written `AB:CD:...`, `abcd...`, `ab cd ...`, or as
 * `openssl x509 -fingerprint -sha256` prints it (`sha256 Fingerprint=AB:...`).
 * @throws InputError `invalid-value` naming `flag` for anything else (e.g. an SSH `SHA256:<base64>` fingerprint)
 */
export function normalizeSha256(s: string, flag = '--pin'): string {
  const text = s.trim().replace(/^sha-?256( fingerprint)?\s*[=:]\s*/i, '');
  const hex = text.replace(/[:\s]/g, '');
  const separated = /^[0-9a-f]{2}([:\s][0-9a-f]{2}){31}$/i.test(text);
  if ((separated || /^[0-9a-f]{64}$/i.test(text)) && hex.length === 64) return hex.toLowerCase();
  if (/^SHA256:[A-Za-z0-9+/]{43}=?$/.test(s.trim())) {
    fail('invalid-value', 'this is an SSH key fingerprint (SHA256:<base64>); give the certificate\'s SHA-256 as hex, e.g. from `openssl x509 -noout -fingerprint -sha256`', flag);
  }
  return fail('invalid-value', 'not a SHA-256 fingerprint: expected 64 hex digits, e.g. AB:CD:... as `openssl x509 -noout -fingerprint -sha256` prints it', flag);
}

/** Options of {@link waitForServed}. */
export interface WaitForServedParams extends ProbeParams {
  /** The expected leaf SHA-256 (any form {@link normalizeSha256} reads). */
  sha256: string;
  /** Total time to keep polling. */
  timeoutMs: number;
  /** A fixed pause between attempts; without it the pauses grow 250, 500, 1 000, then 2 000 ms. */
  intervalMs?: number;
  /** Told about every attempt: the probe result or the error it ended with. */
  onAttempt?: (r: ProbeResult | Error, attempt: number) => void;
  /** Waits between attempts (tests pass their own); the default honours `signal`. */
  sleep?: (ms: number) => Promise<void>;
  /** Time allowed for one probe, default 10 000 ms (never more than the time left). */
  probeTimeoutMs?: number;
}

/** What {@link waitForServed} saw. */
export interface WaitForServedResult {
  /** The service presented the expected leaf. */
  served: boolean;
  /** The last chain read, if any attempt got one. */
  last?: ProbeResult;
  /** The error of the last failed attempt (cleared by a later successful probe). */
  lastError?: Error;
  attempts: number;
}

// Without an explicit interval the waits grow: a service that is back within a second is seen at once,
// one that takes long is not hammered with handshakes.
const BACKOFF_MS = [250, 500, 1_000, 2_000];
// Below this a probe would time out before any handshake could finish.
const MIN_PROBE_MS = 1_000;

/**
 * Probes until the service presents the leaf with the expected SHA-256 or the time runs out; connect
 * failures while polling are reported, not thrown. With `intervalMs` it waits that long between attempts
 * (at most `timeoutMs / intervalMs + 1` of them); without, it waits 0.25, 0.5, 1, then 2 s each time.
 * @throws CancelledError when `signal` aborts, InputError when `sha256` is not a fingerprint
 */
export async function waitForServed(p: WaitForServedParams): Promise<WaitForServedResult> {
  const want = normalizeSha256(p.sha256, 'expected fingerprint');
  const fixed = p.intervalMs === undefined ? undefined : Math.max(0, p.intervalMs);
  const maxAttempts = fixed === undefined ? Infinity : Math.floor(p.timeoutMs / Math.max(1, fixed)) + 1;
  const deadline = Date.now() + p.timeoutMs;
  const endpoint = endpointOf(bareHost(p.host), p.port);
  const sleep = p.sleep ?? ((ms: number) => abortableSleep(ms, p.signal, endpoint));
  const probeParams: ProbeParams = { host: p.host, port: p.port, ...(p.servername === undefined ? {} : { servername: p.servername }),
    ...(p.signal === undefined ? {} : { signal: p.signal }) };

  let last: ProbeResult | undefined;
  let lastError: Error | undefined;
  let attempts = 0;
  for (;;) {
    if (p.signal?.aborted) throw new CancelledError(endpoint);
    attempts++;
    const left = deadline - Date.now();
    try {
      const r = await probeTls({ ...probeParams, timeoutMs: Math.max(MIN_PROBE_MS, Math.min(p.probeTimeoutMs ?? DEFAULT_TIMEOUT_MS, left)) });
      last = r;
      lastError = undefined;
      p.onAttempt?.(r, attempts);
      if (r.chain[0] !== undefined && normalizeSha256(r.chain[0].sha256) === want) {
        return { served: true, last: r, attempts };
      }
    } catch (e) {
      if (e instanceof CancelledError || !(e instanceof TransportError)) throw e;
      lastError = e;
      p.onAttempt?.(e, attempts);
    }
    if (p.signal?.aborted) throw new CancelledError(endpoint);
    const wait = fixed ?? BACKOFF_MS[Math.min(attempts - 1, BACKOFF_MS.length - 1)]!;
    if (attempts >= maxAttempts || Date.now() + wait > deadline) break;
    await sleep(wait);
  }
  return { served: false, attempts, ...(last === undefined ? {} : { last }), ...(lastError === undefined ? {} : { lastError }) };
}

function abortableSleep(ms: number, signal: AbortSignal | undefined, endpoint: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new CancelledError(endpoint));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(t);
      reject(new CancelledError(endpoint));
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
