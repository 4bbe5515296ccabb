import { X509Certificate, createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { CertbenchError, InputError, fail } from '../errors.js';
import { formatFor } from '../targets/index.js';
import { AuthError, CancelledError, HttpApiError, TransportError } from '../transport/errors.js';
import { endpointOf, validateHost, validatePort } from '../transport/host.js';
import { httpsRequest, type HttpsRequestParams, type HttpsResponse } from '../transport/https.js';
import { bareHost, probeTls, waitForServed } from '../transport/tls-probe.js';
import type { ProbeParams, ProbeResult } from '../transport/types.js';
import { PushRun, formatterReasons, messageOf, validityReasons } from './common.js';
import type { PlanStep, PushListener, PushResult, PushStep, SpsPushParams, SpsRole } from './types.js';

/** The transports an SPS push uses; tests and the UI may swap them (conventions 6). */
export interface SpsPushDeps {
  request?: typeof httpsRequest;
  probe?: (p: ProbeParams) => Promise<ProbeResult>;
  waitServed?: typeof waitForServed;
}

/** The SPS REST endpoint that names the web (`server`), internal CA (`ca`) and timestamping (`tsa`) certificates. */
export const SPS_CERTIFICATES_PATH = '/api/configuration/management/certificates';
/** Where SPS keeps X.509 objects (certificate, private key and issuer chain); POST creates one. */
export const SPS_X509_PATH = '/api/configuration/x509';
/** Where an engineer checks the web certificate in the SPS web interface when a push needs attention. */
export const SPS_WEB_UI_CERT_PAGE = 'Basic Settings > Management > SSL certificate';

const AUTH_PATH = '/api/authentication';
const TX_PATH = '/api/transaction';
const PLAN_STEPS: PushStep[] = ['preflight', 'connect', 'inspect', 'upload', 'activate', 'verify'];
const ROLES: readonly SpsRole[] = ['server', 'ca', 'tsa'];
const ROLE_WORDS: Record<SpsRole, string> = {
  server: 'web and REST interface certificate (server)',
  ca: 'internal CA certificate (ca)',
  tsa: 'timestamping authority certificate (tsa)',
};
// An object key goes into request paths: SPS's keys are UUIDs, anything else is not taken as one.
const KEY_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const MAX_QUOTED = 400;

interface Checked {
  host: string;
  port: number;
  /** `https://host:port`, the prefix of every request URL. */
  base: string;
  role: SpsRole;
  verifyTimeoutMs: number;
}

// Options are checked before anything else happens: a bad value must not reach a socket.
function checkParams(p: SpsPushParams): Checked {
  let url: URL;
  try {
    url = new URL(p.url.trim());
  } catch {
    // The text is not repeated: it may hold a password.
    return fail('invalid-value', 'not a URL: give the SPS web interface as https://HOST[:PORT]', '--url');
  }
  if (url.protocol !== 'https:') fail('invalid-value', `only https:// is used to reach SPS (got ${url.protocol}//): the password and the private key never travel unencrypted`, '--url');
  if (url.username !== '' || url.password !== '') fail('invalid-value', 'the URL holds credentials; give the user with --user and the password with --password-env', '--url');
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    fail('invalid-value', `give the SPS web interface only, https://HOST[:PORT], without a path, query or fragment (got ${JSON.stringify(url.pathname + url.search + url.hash).slice(0, 80)})`, '--url');
  }
  const host = validateHost(bareHost(url.hostname), '--url');
  const port = validatePort(url.port === '' ? 443 : url.port, '--url');
  const base = `https://${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
  const role = p.role ?? 'server';
  if (!ROLES.includes(role)) fail('invalid-value', `${JSON.stringify(role)} is not an SPS certificate role (server, ca or tsa)`, '--role');
  if (p.user.length === 0 || /[:\x00-\x1f\x7f]/.test(p.user)) fail('invalid-value', 'give a user name without colons or control characters (HTTP basic authentication cannot carry them)', '--user');
  if (p.password.length === 0 || /[\x00-\x1f\x7f]/.test(p.password)) fail('invalid-value', 'the password is empty or holds control characters', '--password-env');
  const verifyTimeoutMs = p.verifyTimeoutMs ?? 60_000;
  if (!Number.isFinite(verifyTimeoutMs) || verifyTimeoutMs < 1000 || verifyTimeoutMs > 3_600_000) {
    fail('invalid-value', 'must be between 1 and 3600 seconds', '--verify-timeout');
  }
  return { host, port, base, role, verifyTimeoutMs };
}

function planFor(p: SpsPushParams, c: Checked, newSha256: string): PlanStep[] {
  const endpoint = endpointOf(c.host, c.port);
  const trust = p.trust.kind === 'ca' ? `certificate verified against ${p.trust.file ?? 'the given CA'}` : 'certificate checked against the pinned SHA-256';
  return [
    { step: 'preflight', description: 'check key (RSA, sent as an unencrypted PKCS#1 key as SPS requires), certificate and chain match, are in order and valid now' },
    { step: 'connect', description: `log in to ${c.base} as ${p.user} (GET ${AUTH_PATH}, HTTP basic authentication; ${trust}) and keep the session_id cookie` },
    { step: 'inspect', description: `read ${SPS_CERTIFICATES_PATH}: the current ${ROLE_WORDS[c.role]}${c.role === 'server' ? `; probe the certificate served on ${endpoint}` : ''}` },
    { step: 'upload', description: `open a transaction (POST ${TX_PATH}; it locks the SPS configuration), POST certificate, key and issuer chain to ${SPS_X509_PATH}, read the new object back and compare its fingerprint` },
    { step: 'activate', description: `PUT ${SPS_CERTIFICATES_PATH} with ${c.role} pointed at the new object, then commit (PUT ${TX_PATH} {"status": "commit"}); any failure before the commit discards the transaction (DELETE ${TX_PATH}). SPS offers no undo after the commit: it deletes the replaced certificate object` },
    c.role === 'server'
      ? { step: 'verify', description: `probe ${endpoint} until it serves SHA-256 ${newSha256}, for up to ${Math.round(c.verifyTimeoutMs / 1000)} s` }
      : { step: 'verify', description: `log in again and read ${SPS_CERTIFICATES_PATH} back: ${c.role} must name the new object` },
  ];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// A reference is `{key, meta}` when SPS sends it and a plain key when it is PUT back.
function refKey(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (isObject(v) && typeof v.key === 'string') return v.key;
  return undefined;
}

/** The x509 key the role names in a management/certificates body (`ca` sits under `x509_identity`). */
function roleKey(body: Record<string, unknown>, role: SpsRole): string | undefined {
  if (role === 'ca') return isObject(body.ca) ? refKey(body.ca.x509_identity) : refKey(body.ca);
  return refKey(body[role]);
}

// The vendor text: "use the value of the returned key ... and remove any child elements (including the key)".
function plainRefs(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plainRefs);
  if (!isObject(v)) return v;
  if (typeof v.key === 'string' && 'meta' in v) return v.key;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plainRefs(x)]));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

// What SPS says goes into messages and terminals: printable, and short.
function quoted(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]+/g, ' ').trim();
  return clean.length > MAX_QUOTED ? `${clean.slice(0, MAX_QUOTED)}…` : clean;
}

/** SPS's `{"error": {"type", "message"}}`, read without trusting its shape. */
function spsErrorOf(body: string): { type?: string; message?: string } {
  const json = parseJson(body);
  const err = isObject(json) ? json.error : undefined;
  if (!isObject(err)) return {};
  return {
    ...(typeof err.type === 'string' && err.type.length > 0 ? { type: quoted(err.type).slice(0, 60) } : {}),
    ...(typeof err.message === 'string' && err.message.length > 0 ? { message: quoted(err.message) } : {}),
  };
}

function colonHex(hex: string): string {
  return hex.toUpperCase().match(/../g)!.join(':');
}

class SpsPush extends PushRun {
  private readonly request: typeof httpsRequest;
  private readonly probe: (p: ProbeParams) => Promise<ProbeResult>;
  private readonly waitServed: typeof waitForServed;
  // The session token is a credential: it is only ever put in the Cookie header.
  private cookie?: string;
  private txOpen = false;
  private newKey?: string;

  constructor(private readonly p: SpsPushParams, private readonly c: Checked, listener: PushListener | undefined, deps: SpsPushDeps) {
    super('sps', endpointOf(c.host, c.port), planFor(p, c, new X509Certificate(p.bundle.cert).fingerprint256), PLAN_STEPS, p.bundle.cert, listener);
    this.request = deps.request ?? httpsRequest;
    this.probe = deps.probe ?? probeTls;
    this.waitServed = deps.waitServed ?? waitForServed;
  }

  private probeParams(signal: AbortSignal | undefined): ProbeParams {
    return { host: this.c.host, port: this.c.port, ...(isIP(this.c.host) === 0 ? { servername: this.c.host } : {}), ...(signal ? { signal } : {}) };
  }

  /** Local checks; returns the body of POST /api/configuration/x509 or throws InputError `refused` listing every reason. */
  preflight(now: Date): string {
    this.emit('preflight', 'start', 'checking key, certificate and chain');
    const b = this.p.bundle;
    const reasons: string[] = [];
    let body: string | undefined;
    try {
      const formatted = formatFor('sps', b, { now });
      body = formatted.files.find((f) => f.name === 'x509.json')?.content;
      this.warnings.push(...formatted.warnings.filter((w) => w.code !== 'expired' && w.code !== 'not-yet-valid'));
    } catch (e) {
      reasons.push(...formatterReasons(e));
    }
    reasons.push(...validityReasons(b, now));
    if (reasons.length > 0 || body === undefined) {
      const msg = `refused before connecting; nothing was sent: ${reasons.join('; ')}`;
      this.emit('preflight', 'fail', msg);
      throw new InputError('refused', `push sps: ${msg}`);
    }
    this.roleWarnings(new X509Certificate(b.cert));
    for (const w of this.warnings) this.emit('preflight', 'info', `${w.severity}: ${w.message}`);
    this.emit('preflight', 'ok', 'RSA key matches, chain in order, valid now; the key goes to SPS as unencrypted PKCS#1 over HTTPS only');
    return body;
  }

  // Not refusals: the URL may be an address while users browse by name, and SPS is the judge of its CA and TSA.
  private roleWarnings(leaf: X509Certificate): void {
    const host = this.c.host;
    if (this.c.role === 'server') {
      const named = isIP(host) !== 0 ? leaf.checkIP(host) : leaf.checkHost(host, { subject: 'never' });
      if (named === undefined) {
        this.warnings.push({ severity: 'warning', code: 'sps-host-not-in-san',
          message: `${host} (from --url) is not in the certificate's subject alternative names (${leaf.subjectAltName ?? 'none'}): browsers that reach SPS by this name will refuse its web interface` });
      }
    } else if (this.c.role === 'ca' && !leaf.ca) {
      this.warnings.push({ severity: 'warning', code: 'sps-ca-not-ca',
        message: 'the certificate is not a CA certificate (basicConstraints CA:TRUE is missing): SPS\'s internal CA signs certificates with it, which clients will not accept' });
    }
  }

  async run(now: Date): Promise<PushResult> {
    const body = this.preflight(now);

    // connect + inspect: read-only; a failure here leaves SPS as it was.
    try {
      await this.login('connect');
      await this.inspect();
    } catch (e) {
      this.emit(this.cookie === undefined ? 'connect' : 'inspect', 'fail', messageOf(e));
      if (e instanceof InputError) throw e;
      return this.result('unchanged', e);
    }
    if (this.p.dryRun) {
      this.emit('upload', 'skip', 'dry run: no transaction was opened, nothing changed on SPS');
      return this.result('planned');
    }

    // Until the commit, everything happens inside a transaction that DELETE throws away.
    let commit: 'done' | 'unknown';
    try {
      await this.upload(body);
      commit = await this.activate();
    } catch (e) {
      this.emit(this.log.lastStep === 'activate' ? 'activate' : 'upload', 'fail', messageOf(e));
      return this.discard(e);
    }
    return this.verify(commit);
  }

  /** One REST call; a 2xx answer's JSON (undefined when it is not JSON), any other status an error in words. */
  private async call(method: string, path: string, o: { body?: string; login?: boolean; cancellable?: boolean } = {}): Promise<unknown> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (o.login) headers.authorization = `Basic ${Buffer.from(`${this.p.user}:${this.p.password}`, 'utf8').toString('base64')}`;
    else if (this.cookie !== undefined) headers.cookie = `session_id=${this.cookie}`;
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    const signal = o.cancellable === false ? undefined : this.p.signal;
    const req: HttpsRequestParams = {
      url: `${this.c.base}${path}`,
      trust: this.p.trust,
      method,
      headers,
      ...(o.body === undefined ? {} : { body: o.body }),
      ...(signal === undefined ? {} : { signal }),
    };
    const res = await this.request(req);
    if (res.status >= 200 && res.status < 300) {
      if (o.login) this.cookie = sessionCookie(res);
      return parseJson(res.body);
    }
    throw this.apiError(method, path, res, o.login === true);
  }

  /** SPS's error codes in words (vendor tables: SyntacticError, Unauthenticated, AuthenticationFailure, NotFound, MethodNotAllowed). */
  private apiError(method: string, path: string, res: HttpsResponse, login: boolean): TransportError {
    const { type, message } = spsErrorOf(res.body);
    const said = message === undefined ? '' : ` (SPS: "${message}")`;
    if (res.status === 401 && login) {
      return new AuthError(this.endpoint, `SPS refused user ${this.p.user}: ${message ?? 'wrong user name or password'}${type ? ` (${type})` : ''}`);
    }
    let words: string;
    switch (res.status) {
      case 400:
        if (path === SPS_X509_PATH && /PKCS|private key|encrypted/i.test(message ?? '')) {
          words = `SPS could not read the key: it takes unencrypted PKCS#1 keys only${said}`;
        } else if (path === SPS_X509_PATH) {
          words = `SPS refused the certificate, key or issuer chain${said}`;
        } else {
          words = `SPS refused the request${said}`;
        }
        break;
      case 401:
        words = type === 'AuthenticationFailure'
          ? `SPS refused user ${this.p.user}${said}`
          : `SPS no longer accepts this session (it may have expired or been logged out)${said}`;
        break;
      case 403:
        words = `user ${this.p.user} may not do this: it needs the REST server privilege on SPS${said}`;
        break;
      case 404:
        words = `SPS has no such object${said}`;
        break;
      case 405:
        words = `SPS does not allow ${method} on this endpoint${said}`;
        break;
      default:
        words = `SPS answered HTTP ${res.status}${said}`;
    }
    return new HttpApiError(this.endpoint, method, path, res.status, words, type);
  }

  private async login(step: PushStep): Promise<void> {
    this.emit(step, 'start', `logging in to ${this.c.base} as ${this.p.user} (GET ${AUTH_PATH})`);
    this.cookie = undefined;
    await this.call('GET', AUTH_PATH, { login: true });
    const trust = this.p.trust.kind === 'ca' ? `certificate verified against ${this.p.trust.file ?? 'the given CA'}` : 'certificate matches the pin';
    this.emit(step, 'ok', `logged in as ${this.p.user}; ${trust}`);
  }

  private async certificates(): Promise<Record<string, unknown>> {
    const answer = await this.call('GET', SPS_CERTIFICATES_PATH);
    const body = isObject(answer) ? answer.body : undefined;
    if (!isObject(body)) throw new CertbenchError(`${this.endpoint}: SPS answered GET ${SPS_CERTIFICATES_PATH} without the certificate settings (no "body" object); is this SPS's REST API?`);
    return body;
  }

  private async inspect(): Promise<void> {
    const role = this.c.role;
    this.emit('inspect', 'start', `reading ${SPS_CERTIFICATES_PATH}`);
    const body = await this.certificates();
    const current = roleKey(body, role);
    if (current === undefined) {
      this.emit('inspect', 'info', `SPS names no ${ROLE_WORDS[role]} now`);
    } else {
      this.emit('inspect', 'info', `current ${ROLE_WORDS[role]}: x509 object ${quoted(current)}${await this.describeObject(current)}`);
    }
    if (role === 'server') {
      try {
        const served = await this.probe(this.probeParams(this.p.signal));
        this.previousSha256 = served.chain[0]?.sha256;
        this.emit('inspect', 'ok', `${this.endpoint} serves SHA-256 ${this.previousSha256 ?? '(no certificate)'}`);
      } catch (e) {
        if (e instanceof CancelledError || !(e instanceof TransportError)) throw e;
        this.emit('inspect', 'ok', `could not read the certificate served on ${this.endpoint} (${messageOf(e)}); the push goes on`);
      }
      if (this.previousSha256 === this.newSha256) this.emit('inspect', 'info', 'SPS already serves this certificate; it is uploaded again as a new object');
    } else {
      this.emit('inspect', 'ok', `read the ${role} setting`);
    }
  }

  // For the log only: what SPS says about an object; never a reason to stop.
  private async describeObject(key: string): Promise<string> {
    if (!KEY_RE.test(key)) return '';
    try {
      const answer = await this.call('GET', `${SPS_X509_PATH}/${key}`);
      const body = isObject(answer) && isObject(answer.body) ? answer.body : {};
      const fp = isObject(body.fingerprint) ? body.fingerprint : {};
      const subject = typeof body.subject === 'string' ? `, subject ${quoted(body.subject)}` : '';
      const digest = typeof fp.digest === 'string' && typeof fp.hash_algorithm === 'string' ? `, ${quoted(fp.hash_algorithm)} ${quoted(fp.digest)}` : '';
      return `${subject}${digest}`;
    } catch (e) {
      if (e instanceof CancelledError || !(e instanceof TransportError)) throw e;
      return ` (could not read it: ${messageOf(e)})`;
    }
  }

  private async upload(body: string): Promise<void> {
    this.emit('upload', 'start', `opening a transaction (POST ${TX_PATH})`);
    // SPS wants a body length on POST (411 otherwise), so an empty body is sent.
    await this.call('POST', TX_PATH, { body: '' });
    this.txOpen = true;
    this.emit('upload', 'info', `transaction open; the SPS configuration stays locked until it is committed or discarded. Uploading to ${SPS_X509_PATH}`);
    const created = await this.call('POST', SPS_X509_PATH, { body });
    const key = isObject(created) ? created.key : undefined;
    if (typeof key !== 'string' || !KEY_RE.test(key)) throw new CertbenchError(`${this.endpoint}: SPS answered POST ${SPS_X509_PATH} without a usable "key" for the new object`);
    this.newKey = key;
    const stored = await this.call('GET', `${SPS_X509_PATH}/${key}`);
    this.emit('upload', 'ok', `SPS stored it as x509 object ${key}; ${this.checkFingerprint(stored)}`);
  }

  // The fingerprint SPS computed of what it stored, compared with the certificate sent.
  private checkFingerprint(stored: unknown): string {
    const body = isObject(stored) && isObject(stored.body) ? stored.body : {};
    const fp = isObject(body.fingerprint) ? body.fingerprint : {};
    const alg = typeof fp.hash_algorithm === 'string' ? fp.hash_algorithm.toLowerCase() : undefined;
    const digest = typeof fp.digest === 'string' ? fp.digest : undefined;
    if (digest === undefined || (alg !== 'sha256' && alg !== 'sha1' && alg !== 'md5')) {
      return `SPS reports no fingerprint certbench can compare (hash_algorithm ${alg === undefined ? 'missing' : `"${quoted(alg)}"`}); going on`;
    }
    const want = createHash(alg).update(this.p.bundle.cert).digest('hex');
    const got = digest.replace(/[:\s]/g, '').toLowerCase();
    if (got !== want) {
      throw new CertbenchError(`${this.endpoint}: SPS stored a certificate with ${alg} fingerprint ${quoted(digest)}, not the one sent (${colonHex(want)})`);
    }
    return `SPS reports the expected ${alg} fingerprint`;
  }

  /** Points the role at the new object and commits; 'unknown' when the connection dropped while committing. */
  private async activate(): Promise<'done' | 'unknown'> {
    const role = this.c.role;
    const key = this.newKey!;
    this.emit('activate', 'start', `pointing ${role} at ${key} (PUT ${SPS_CERTIFICATES_PATH})`);
    const settings = plainRefs(await this.certificates()) as Record<string, unknown>;
    const old = roleKey(settings, role);
    if (role === 'ca') settings.ca = { selection: 'identity', x509_identity: key };
    else settings[role] = key;
    await this.call('PUT', SPS_CERTIFICATES_PATH, { body: JSON.stringify(settings) });
    this.emit('activate', 'info', `${role}: ${old === undefined ? '(none)' : quoted(old)} -> ${key}; committing (PUT ${TX_PATH}); SPS offers no undo after the commit`);
    // The last moment a cancel can still leave SPS as it was.
    if (this.p.signal?.aborted) throw new CancelledError(this.endpoint, 'cancelled before the commit');
    try {
      await this.call('PUT', TX_PATH, { body: JSON.stringify({ status: 'commit' }), cancellable: false });
    } catch (e) {
      // An error answer means SPS did not commit and the transaction is still open: the caller discards it.
      if (e instanceof HttpApiError || !(e instanceof TransportError)) throw e;
      this.txOpen = false;
      this.emit('activate', 'fail', `the commit request got no answer (${messageOf(e)}): certbench cannot tell whether SPS committed; checking`);
      return 'unknown';
    }
    this.txOpen = false;
    this.emit('activate', 'ok', `committed: SPS now uses ${key} as its ${ROLE_WORDS[role]} and deletes the replaced object`);
    return 'done';
  }

  private async discard(cause: unknown): Promise<PushResult> {
    if (!this.txOpen) return this.result('unchanged', cause);
    this.emit('rollback', 'start', `discarding the transaction (DELETE ${TX_PATH})`);
    try {
      // Not cancellable: a cancel is what brought us here, and the lock must be released.
      await this.call('DELETE', TX_PATH, { cancellable: false });
      this.txOpen = false;
      this.emit('rollback', 'ok', 'transaction discarded: nothing was committed, SPS keeps its previous certificate');
      return this.result('unchanged', cause);
    } catch (e) {
      const how = `the transaction stays open and locks the SPS configuration until the session expires: discard it in the SPS web interface or with DELETE ${TX_PATH}; nothing was committed`;
      this.emit('rollback', 'fail', `discarding the transaction failed (${messageOf(e)}): ${how}`);
      return this.result('needs-attention', new CertbenchError(`${messageOf(cause)}; discarding the transaction failed too (${messageOf(e)}): ${how}`));
    }
  }

  private async verify(commit: 'done' | 'unknown'): Promise<PushResult> {
    try {
      return this.c.role === 'server' ? await this.verifyServed(commit) : await this.verifySetting(commit);
    } catch (e) {
      // Past the commit nothing can be undone: a cancel or an error here only stops the checking.
      const how = `the change ${commit === 'done' ? 'is committed' : 'may be committed'}; check ${SPS_WEB_UI_CERT_PAGE} in the SPS web interface`;
      this.emit('verify', 'fail', `${messageOf(e)}; ${how}`);
      return this.result('needs-attention', new CertbenchError(`${messageOf(e)}; ${how}`));
    }
  }

  // After the commit SPS serves the new certificate, so a pinned trust of the old one no longer verifies:
  // the check is a fingerprint probe, never a request.
  private async verifyServed(commit: 'done' | 'unknown'): Promise<PushResult> {
    const seconds = Math.round(this.c.verifyTimeoutMs / 1000);
    this.emit('verify', 'start', `waiting up to ${seconds} s for ${this.endpoint} to serve SHA-256 ${this.newSha256}`);
    const r = await this.waitServed({ ...this.probeParams(this.p.signal), sha256: this.newSha256, timeoutMs: this.c.verifyTimeoutMs });
    const last = r.last?.chain[0]?.sha256;
    if (last) this.servedSha256 = last;
    if (r.served) {
      this.emit('verify', 'ok', `the new certificate is served: SHA-256 ${this.newSha256}${commit === 'unknown' ? ' (so the commit went through)' : ''}`);
      return this.result('pushed');
    }
    const seen = last ? `still serves SHA-256 ${last}` : `answers nothing (${r.lastError ? messageOf(r.lastError) : 'no answer'})`;
    const msg = commit === 'done'
      ? `the change is committed, but after ${seconds} s ${this.endpoint} ${seen} instead of the new certificate. SPS has deleted the old certificate object and offers no undo: check ${SPS_WEB_UI_CERT_PAGE} in the SPS web interface`
      : `the connection dropped during the commit and after ${seconds} s ${this.endpoint} ${seen}: certbench cannot tell whether SPS committed. In the SPS web interface check ${SPS_WEB_UI_CERT_PAGE}, and whether a transaction is still open (it locks the configuration)`;
    this.emit('verify', 'fail', msg);
    return this.result('needs-attention', new CertbenchError(msg));
  }

  // A fresh session reads only committed settings, never what an open transaction holds.
  private async verifySetting(commit: 'done' | 'unknown'): Promise<PushResult> {
    await this.login('verify');
    const now = roleKey(await this.certificates(), this.c.role);
    if (now === this.newKey) {
      this.emit('verify', 'ok', `SPS's committed settings name ${this.newKey} as its ${ROLE_WORDS[this.c.role]}`);
      return this.result('pushed');
    }
    const msg = commit === 'done'
      ? `the commit was accepted, but SPS's ${this.c.role} setting names ${now === undefined ? 'no object' : quoted(now)}, not ${this.newKey}: check ${SPS_WEB_UI_CERT_PAGE} in the SPS web interface`
      : `the connection dropped during the commit and SPS's ${this.c.role} setting still names ${now === undefined ? 'no object' : quoted(now)}: certbench cannot tell whether the transaction is still open (it locks the configuration); check in the SPS web interface`;
    this.emit('verify', 'fail', msg);
    return this.result('needs-attention', new CertbenchError(`${this.endpoint}: ${msg}`));
  }
}

// The session token from `Set-Cookie: session_id=...`; the value itself never reaches a message.
function sessionCookie(res: HttpsResponse): string {
  const raw = res.headers['set-cookie'];
  const lines = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  for (const line of lines) {
    const m = /^\s*session_id=([^;]*)/.exec(line);
    if (m && /^[\x21-\x7e]+$/.test(m[1]!) && !m[1]!.includes(',')) return m[1]!;
  }
  throw new CertbenchError('SPS accepted the login but sent no session_id cookie; is this SPS\'s REST API?');
}

/**
 * Replaces an SPS certificate (`server`: the web and REST interface's own; `ca`; `tsa`) over SPS's REST API in
 * one transaction: preflight -> log in -> read the settings (and the served certificate) -> open a transaction,
 * upload certificate, PKCS#1 key and chain to /api/configuration/x509 -> point the role at it and commit ->
 * verify (served fingerprint for `server`, the committed setting for `ca`/`tsa`). Any failure before the commit
 * discards the transaction (outcome `unchanged`). SPS offers no undo after the commit (it deletes the replaced
 * object), so a failed verification is `needs-attention`. Device-side failures come back in the result, never thrown.
 * @throws InputError for bad options or a bundle refused in preflight (nothing is sent then)
 */
export async function pushSps(p: SpsPushParams, onEvent?: PushListener, deps: SpsPushDeps = {}): Promise<PushResult> {
  const c = checkParams(p);
  return new SpsPush(p, c, onEvent, deps).run(p.now ?? new Date());
}
