import { X509Certificate, createPrivateKey, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { openssl, tempDir } from './openssl.js';

/*
 * A stand-in for the REST API of One Identity Safeguard for Privileged Sessions (SPS), written from the vendor
 * text in /work/shared/targets/sps-rest-certificates.txt: basic-auth login that sets a session_id cookie,
 * transactions (POST opens, PUT {"status": "commit"} commits, DELETE discards), x509 objects that can be
 * created and read but never listed, changed or deleted, and management/certificates naming the server, ca
 * and tsa objects. A commit makes the HTTPS server present the new `server` certificate, as SPS does.
 * Error bodies are `{"error": {"type", "message", "details"}, "meta": {...}}`. Where the text gives no
 * error name (no open transaction, a dangling reference) the names used here are this simulator's choice.
 * No vitest hooks: Playwright specs can import it too.
 */

/** A user SPS lets log in to the REST API. */
export interface SpsSimUser { name: string; password: string }

/** An x509 object as the simulator starts with it: PEM certificate, PEM key (any format), issuer chain. */
export interface SpsSimObject { certPem: string; keyPem: string; chainPems?: string[] }

/** An error answer SPS gives instead of doing what was asked. */
export interface SpsSimError { status: number; type: string; message: string }

/** Faults to inject; may be changed while the simulator runs. */
export interface SpsSimFaults {
  /** POST /api/configuration/x509 answers this error (nothing is stored). */
  failPostX509?: SpsSimError;
  /** PUT /api/transaction {"status": "commit"} answers this error; the transaction stays open. */
  failCommit?: SpsSimError;
  /** The commit is applied, then the connection is dropped without an answer. */
  dropAfterCommit?: boolean;
  /** A commit changes the settings but the HTTPS server keeps presenting the old certificate. */
  staleHttps?: boolean;
}

/** Options of {@link startSpsSim}. */
export interface SpsSimParams {
  users: SpsSimUser[];
  /** The web certificate SPS starts with (also what its HTTPS server presents). */
  server: SpsSimObject;
  /** The internal CA and TSA objects; throwaway self-signed RSA ones are made when not given. */
  ca?: SpsSimObject;
  tsa?: SpsSimObject;
  faults?: SpsSimFaults;
}

/** One request the simulator answered (status 0: the connection was dropped instead). */
export interface SpsSimRequest { method: string; path: string; status: number }

/** The certificate roles of management/certificates and the x509 keys they name. */
export interface SpsSimRoles { server: string; ca: string; tsa: string }

/** A running SPS simulator on 127.0.0.1. */
export interface SpsSim {
  /** `https://127.0.0.1:PORT`. */
  url: string;
  port: number;
  /** SHA-256 (`AB:CD:...`) of the certificate the HTTPS server presents now. */
  servedSha256(): string;
  /** The committed settings. */
  committed(): SpsSimRoles;
  /** Keys of the committed x509 objects. */
  x509Keys(): string[];
  /** Whether any session holds an open transaction. */
  transactionOpen(): boolean;
  /** How many commits went through. */
  readonly commits: number;
  /** Every request answered, in order. */
  readonly requests: SpsSimRequest[];
  /** The HTTPS server itself, for a benchmark that times its request handling; tests use the methods above. */
  readonly server: Server;
  faults: SpsSimFaults;
  close(): Promise<void>;
}

interface X509Obj {
  key: string;
  cert: X509Certificate;
  certPem: string;
  keyPem: string;
  chainPems: string[];
}

interface Session {
  user: string;
  tx?: { objects: Map<string, X509Obj>; roles?: SpsSimRoles };
}

class ApiError extends Error {
  constructor(readonly status: number, readonly type: string, message: string) {
    super(message);
  }
}

const ROLES = ['server', 'ca', 'tsa'] as const;
const CERTS_PATH = '/api/configuration/management/certificates';
const X509_PATH = '/api/configuration/x509';
const PKCS1_ONLY = 'Syntax error: Could not load PEM key: Unsupported private key format, only PKCS-1 is supported. Encrypted private keys are not supported.';
const MAX_BODY = 1024 * 1024;

// A throwaway self-signed RSA certificate for the roles a test does not care about.
function throwaway(cn: string, ca: boolean): SpsSimObject {
  const t = tempDir('certbench-sps-sim-');
  try {
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', t.path('k.pem'), '-out', t.path('c.pem'), '-subj', `/CN=${cn}`, '-days', '3650',
      '-addext', ca ? 'basicConstraints=critical,CA:TRUE' : 'basicConstraints=critical,CA:FALSE']);
    return { certPem: readFileSync(t.path('c.pem'), 'utf8'), keyPem: readFileSync(t.path('k.pem'), 'utf8') };
  } finally {
    t.cleanup();
  }
}

function objectOf(o: SpsSimObject): X509Obj {
  return { key: randomUUID(), cert: new X509Certificate(o.certPem), certPem: o.certPem, keyPem: o.keyPem, chainPems: o.chainPems ?? [] };
}

function colonHex(hex: string): string {
  return hex.toLowerCase().match(/../g)!.join(':');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Starts the simulator on 127.0.0.1, a free port, presenting `p.server`'s certificate. */
export async function startSpsSim(p: SpsSimParams): Promise<SpsSim> {
  const store = new Map<string, X509Obj>();
  const initial = {
    server: objectOf(p.server),
    ca: objectOf(p.ca ?? throwaway('SPS Sim Internal CA', true)),
    tsa: objectOf(p.tsa ?? throwaway('SPS Sim Timestamping Authority', false)),
  };
  for (const o of Object.values(initial)) store.set(o.key, o);
  let roles: SpsSimRoles = { server: initial.server.key, ca: initial.ca.key, tsa: initial.tsa.key };
  let served = initial.server.cert;
  let commits = 0;
  const sessions = new Map<string, Session>();
  const requests: SpsSimRequest[] = [];
  const faults: SpsSimFaults = { ...p.faults };

  const server = createServer({ cert: [p.server.certPem, ...(p.server.chainPems ?? [])].join('\n'), key: p.server.keyPem }, (req, res) => {
    void handle(req, res);
  });

  function lookup(s: Session, key: string): X509Obj | undefined {
    return s.tx?.objects.get(key) ?? store.get(key);
  }

  function refOf(key: string): { key: string; meta: { href: string } } {
    return { key, meta: { href: `${X509_PATH}/${key}` } };
  }

  function settingsView(r: SpsSimRoles): unknown {
    return {
      body: { ca: { selection: 'identity', x509_identity: refOf(r.ca) }, server: refOf(r.server), tsa: refOf(r.tsa) },
      key: 'certificates',
      meta: { first: '/api/configuration/management/certificates', href: CERTS_PATH, last: '/api/configuration/management/webinterface',
        next: '/api/configuration/management/disk_fillup_prevention', parent: '/api/configuration/management', previous: null, transaction: '/api/transaction' },
    };
  }

  function needTx(s: Session): NonNullable<Session['tx']> {
    if (!s.tx) throw new ApiError(400, 'NoTransaction', 'There is no open transaction: open one with POST /api/transaction before changing the configuration');
    return s.tx;
  }

  function parseBody(text: string): unknown {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ApiError(400, 'SyntacticError', 'Syntax error: the request body is not valid JSON');
    }
  }

  // The checks the vendor text describes for POST /api/configuration/x509.
  function newX509(text: string): X509Obj {
    const b = parseBody(text);
    if (!isObject(b) || typeof b.certificate !== 'string' || typeof b.private_key !== 'string'
      || !(b.issuer_chain === undefined || (Array.isArray(b.issuer_chain) && b.issuer_chain.every((c) => typeof c === 'string')))) {
      throw new ApiError(400, 'SyntacticError', 'Syntax error: certificate and private_key must be strings and issuer_chain a list of strings');
    }
    const keyPem = b.private_key;
    if (!keyPem.trimStart().startsWith('-----BEGIN RSA PRIVATE KEY-----') || /Proc-Type:\s*4,ENCRYPTED/i.test(keyPem)) {
      throw new ApiError(400, 'SyntacticError', PKCS1_ONLY);
    }
    let key: KeyObject;
    try {
      key = createPrivateKey({ key: keyPem, format: 'pem' });
    } catch {
      throw new ApiError(400, 'SyntacticError', PKCS1_ONLY);
    }
    const parse = (pem: string, what: string): X509Certificate => {
      try {
        return new X509Certificate(pem);
      } catch {
        throw new ApiError(400, 'SyntacticError', `Syntax error: Could not load PEM certificate (${what})`);
      }
    };
    const cert = parse(b.certificate, 'certificate');
    if (!cert.checkPrivateKey(key)) throw new ApiError(400, 'SyntacticError', 'Syntax error: The private key does not match the certificate');
    const chainPems = (b.issuer_chain ?? []) as string[];
    const chain = chainPems.map((c, i) => parse(c, `issuer_chain[${i}]`));
    let prev = cert;
    chain.forEach((issuer, i) => {
      if (!prev.checkIssued(issuer) || !prev.verify(issuer.publicKey)) {
        throw new ApiError(400, 'SyntacticError', `Syntax error: Invalid issuer chain: issuer_chain[${i}] did not sign ${i === 0 ? 'the certificate' : `issuer_chain[${i - 1}]`}`);
      }
      prev = issuer;
    });
    return { key: randomUUID(), cert, certPem: b.certificate, keyPem, chainPems };
  }

  function putRoles(s: Session, text: string): SpsSimRoles {
    const b = parseBody(text);
    const ca = isObject(b) && isObject(b.ca) ? b.ca : undefined;
    // References go back as plain keys (the vendor text: "remove any child elements (including the key)").
    if (!isObject(b) || typeof b.server !== 'string' || typeof b.tsa !== 'string' || !ca || ca.selection !== 'identity' || typeof ca.x509_identity !== 'string') {
      throw new ApiError(400, 'SyntacticError', 'Syntax error: expected {"ca": {"selection": "identity", "x509_identity": KEY}, "server": KEY, "tsa": KEY} with plain keys');
    }
    const next: SpsSimRoles = { server: b.server, ca: ca.x509_identity, tsa: b.tsa };
    for (const r of ROLES) {
      if (!lookup(s, next[r])) throw new ApiError(400, 'SemanticError', `Reference to a non-existent object: ${r} -> ${next[r]}`);
    }
    return next;
  }

  function commit(s: Session): void {
    const tx = needTx(s);
    for (const [k, o] of tx.objects) store.set(k, o);
    if (tx.roles) {
      const old = roles;
      roles = tx.roles;
      // SPS deletes the certificate objects the commit replaced.
      const inUse = new Set(Object.values(roles));
      for (const r of ROLES) if (!inUse.has(old[r])) store.delete(old[r]);
      if (old.server !== roles.server && !faults.staleHttps) {
        const o = store.get(roles.server)!;
        server.setSecureContext({ cert: [o.certPem, ...o.chainPems].join('\n'), key: o.keyPem });
        served = o.cert;
      }
    }
    s.tx = undefined;
    commits++;
  }

  function route(method: string, path: string, s: Session, body: string): { status: number; json: unknown } | 'drop' {
    const methodNotAllowed = (): never => {
      throw new ApiError(405, 'MethodNotAllowed', `The method ${method} is not allowed for this node.`);
    };
    if (path === '/api/transaction') {
      switch (method) {
        case 'GET':
          return { status: 200, json: { body: { status: s.tx ? 'open' : 'closed' }, key: 'transaction', meta: { href: '/api/transaction' } } };
        case 'POST':
          if (s.tx) throw new ApiError(400, 'TransactionAlreadyOpen', 'A transaction is already open in this session');
          s.tx = { objects: new Map() };
          return { status: 200, json: { status: 'open' } };
        case 'PUT': {
          const b = parseBody(body);
          if (!isObject(b) || b.status !== 'commit') throw new ApiError(400, 'SyntacticError', 'Syntax error: expected {"status": "commit"}');
          needTx(s);
          if (faults.failCommit) throw new ApiError(faults.failCommit.status, faults.failCommit.type, faults.failCommit.message);
          commit(s);
          if (faults.dropAfterCommit) return 'drop';
          return { status: 200, json: { status: 'committed' } };
        }
        case 'DELETE':
          s.tx = undefined;
          return { status: 200, json: { status: 'closed' } };
        default:
          return methodNotAllowed();
      }
    }
    if (path === X509_PATH) {
      if (method !== 'POST') methodNotAllowed();
      const tx = needTx(s);
      if (faults.failPostX509) throw new ApiError(faults.failPostX509.status, faults.failPostX509.type, faults.failPostX509.message);
      const o = newX509(body);
      tx.objects.set(o.key, o);
      return { status: 201, json: { key: o.key, meta: { href: `${X509_PATH}/${o.key}`, parent: X509_PATH, transaction: '/api/transaction' } } };
    }
    if (path.startsWith(`${X509_PATH}/`)) {
      const key = path.slice(X509_PATH.length + 1);
      if (method !== 'GET') methodNotAllowed();
      const o = lookup(s, key);
      if (!o) throw new ApiError(404, 'NotFound', `The requested object does not exist: ${path}`);
      return { status: 200, json: {
        body: { fingerprint: { digest: colonHex(o.cert.fingerprint256.replace(/:/g, '')), hash_algorithm: 'sha256' }, subject: o.cert.subject.split('\n').join('/') },
        key: o.key,
        meta: { href: `${X509_PATH}/${o.key}`, parent: X509_PATH, transaction: '/api/transaction' },
      } };
    }
    if (path === CERTS_PATH) {
      if (method === 'GET') return { status: 200, json: settingsView(s.tx?.roles ?? roles) };
      if (method !== 'PUT') methodNotAllowed();
      const tx = needTx(s);
      tx.roles = putRoles(s, body);
      return { status: 200, json: { key: 'certificates', meta: { href: CERTS_PATH, transaction: '/api/transaction' } } };
    }
    throw new ApiError(404, 'NotFound', `The requested object does not exist: ${path}`);
  }

  function login(req: IncomingMessage): { status: number; json: unknown; cookie?: string } {
    const m = /^Basic\s+([A-Za-z0-9+/=]+)$/.exec(req.headers.authorization ?? '');
    const pair = m ? Buffer.from(m[1]!, 'base64').toString('utf8') : '';
    const i = pair.indexOf(':');
    const user = p.users.find((u) => i > 0 && u.name === pair.slice(0, i) && u.password === pair.slice(i + 1));
    if (!user) throw new ApiError(401, 'AuthenticationFailure', 'Authenticating the user with the given credentials has failed.');
    const sid = randomBytes(20).toString('hex');
    sessions.set(sid, { user: user.name });
    return { status: 200, json: { authentication: 'ok' }, cookie: sid };
  }

  function sessionOf(req: IncomingMessage, path: string): Session {
    const sid = /(?:^|;\s*)session_id=([^;]*)/.exec(req.headers.cookie ?? '')?.[1];
    const s = sid === undefined ? undefined : sessions.get(sid);
    if (!s) throw new ApiError(401, 'Unauthenticated', `The requested resource cannot be retrieved because the client is not authenticated: ${path}`);
    return s;
  }

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY) throw new ApiError(413, 'RequestTooLarge', 'The request body is too large');
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0]!;
    const send = (status: number, json: unknown, headers: Record<string, string> = {}): void => {
      requests.push({ method, path, status });
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(json, null, 2));
    };
    try {
      const body = await readBody(req);
      if ((method === 'POST' || method === 'PUT') && req.headers['content-length'] === undefined) {
        throw new ApiError(411, 'LengthRequired', 'A Content-Length header is required');
      }
      if (path === '/api/authentication') {
        if (method !== 'GET') throw new ApiError(405, 'MethodNotAllowed', `The method ${method} is not allowed for this node.`);
        const r = login(req);
        send(r.status, r.json, { 'set-cookie': `session_id=${r.cookie!}; Path=/; Secure; HttpOnly` });
        return;
      }
      const s = sessionOf(req, path);
      const r = route(method, path, s, body);
      if (r === 'drop') {
        requests.push({ method, path, status: 0 });
        req.socket.destroy();
        return;
      }
      send(r.status, r.json);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      send(e.status, { error: { type: e.type, message: e.message, details: { path } }, meta: { href: path, parent: path.replace(/\/[^/]*$/, '') } },
        e.status === 401 && e.type === 'AuthenticationFailure' ? { 'www-authenticate': 'Basic realm="SPS REST API"' } : {});
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `https://127.0.0.1:${port}`,
    port,
    server,
    servedSha256: () => served.fingerprint256,
    committed: () => ({ ...roles }),
    x509Keys: () => [...store.keys()],
    transactionOpen: () => [...sessions.values()].some((s) => s.tx !== undefined),
    get commits() {
      return commits;
    },
    requests,
    faults,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

export { opensslServedSha256 } from './openssl.js';
