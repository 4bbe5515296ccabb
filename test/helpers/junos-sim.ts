import { X509Certificate, createHash, createPrivateKey, createPublicKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { posix } from 'node:path';
import tls from 'node:tls';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import ssh2, { type AuthContext, type Connection, type ParsedKey, type ServerChannel } from 'ssh2';
import { openssl, tempDir } from './openssl.js';

/*
 * An in-process Junos device for tests: NETCONF over the SSH subsystem `netconf` (base:1.0 `]]>]]>` framing, and
 * RFC 6242 chunks when both sides announce base:1.1), an SCP sink into a pretend /var/tmp, a PKI store, a committed
 * configuration with the shared candidate (`lock-configuration`/`unlock-configuration`) and private copies, `commit
 * confirmed` with its rollback timer, and the REST and J-Web HTTPS listeners serving whatever certificate the committed
 * configuration binds. As the Junos XML protocol guide says: commit confirmed is refused on a private copy; when a session
 * ends, its lock is released, its uncommitted changes are discarded and a commit confirmed it issued is rolled back at
 * once. It is the oracle of the Junos push, so it shares no code with the client: requests are parsed with fast-xml-parser, replies are worded as Junos words them
 * (the `No zombies` comments before the hello, an xnm:warning on `open-configuration private`, rpc-errors inside
 * <load-configuration-results> and <commit-results>).
 */

/** Accounts, capabilities and the starting state of a simulated Junos device. */
/** A device whose REST API and J-Web both serve local certificate `old-cert`: the starting state the push tests use. */
export const BOUND_TO_OLD_CERT: readonly string[] = [
  'set system host-name sim-router',
  'set system services netconf ssh',
  'set system services rest https server-certificate old-cert',
  'set system services web-management https pki-local-certificate old-cert',
];

export interface JunosSimParams {
  /** Accounts: a password and/or authorized OpenSSH public key lines (`ssh-ed25519 AAAA... comment`). */
  users: { name: string; password?: string; publicKeys?: string[] }[];
  /** Announce urn:ietf:params:netconf:base:1.1 in the hello (real Junos default: only 1.0). Default false. */
  base11?: boolean;
  /** Length of one minute of the commit-confirmed timer in ms (tests scale it). Default 60000. */
  minuteMs?: number;
  /** The committed configuration at start, as set lines. Default: host-name, netconf ssh, rest https on restPort, J-Web with the system-generated certificate. */
  config?: string[];
  /** Local certificates already in the PKI store (PEM). */
  localCerts?: { id: string; certPem: string; keyPem: string }[];
}

/** A running simulated Junos device (see {@link startJunosSim}). */
export interface JunosSim {
  /** SSH port on 127.0.0.1: subsystem `netconf`, and exec `scp -t /var/tmp/NAME` (nothing else: other exec commands fail with a message on stderr and status 1; no shell, no SFTP). */
  port: number;
  /** OpenSSH fingerprint of the sim's host key, `SHA256:<base64 no padding>` (as ssh-keygen -lf prints it). */
  hostKeyFingerprint: string;
  /** HTTPS listeners on 127.0.0.1: REST serves the certificate of committed `system services rest https server-certificate ID`; J-Web serves `system services web-management https pki-local-certificate ID`; either serves the system-generated self-signed certificate when unbound. */
  restPort: number;
  webPort: number;
  /** SHA-256 `AB:CD:...` (uppercase, colons) of the system-generated certificate. */
  systemCertSha256: string;
  /** Committed configuration as set lines. */
  committed(): string[];
  /** True while a commit confirmed waits for its confirming commit. */
  pendingConfirm(): boolean;
  /** User name of the session holding `lock-configuration`, or undefined when the candidate is not locked. */
  lockedBy(): string | undefined;
  /** True while the shared candidate has uncommitted changes (private copies do not count). */
  candidateModified(): boolean;
  /** The PKI store: local certificates (id, SHA-256 of the cert) and loaded CA certificates (profile, SHA-256). */
  localCerts(): { id: string; sha256: string }[];
  caCerts(): { profile: string; sha256: string }[];
  /** Files in /var/tmp with their mode and size. */
  tmpFiles(): { path: string; mode: number; size: number }[];
  /** What was asked, in order: RPC element names, and for <command> the CLI text (e.g. 'command: file delete /var/tmp/x.key'), and 'scp: /var/tmp/x'. */
  readonly rpcs: string[];
  /** Faults a test switches on. */
  faults: {
    /** Refuse `request security pki local-certificate load` with this error message. */
    rejectLocalLoad?: string;
    /** Drop every SSH connection right after sending the reply to a commit confirmed. The sessions end, so (as on Junos) the commit confirmed of a dropped session is rolled back at once. */
    dropAfterCommitConfirmed?: boolean;
    /**
     * A network partition right after sending the reply to a commit confirmed: every open SSH socket stops being read
     * (the sessions do not end: no session-end rollback, locks stay held) and `refuseConnections` is set. The pending
     * commit confirmed rolls back only by its timer. HTTPS keeps accepting connections despite `refuseConnections`.
     */
    partitionAfterCommitConfirmed?: boolean;
    /** Close new TCP connections at once (the device unreachable; after `partitionAfterCommitConfirmed`, SSH only). */
    refuseConnections?: boolean;
    /** HTTPS keeps serving what it served before, whatever is committed (a web server that does not reload). */
    staleHttps?: boolean;
  };
  /** Ends every connection, listener and timer. */
  close(): Promise<void>;
}

const NS_BASE = 'urn:ietf:params:xml:ns:netconf:base:1.0';
const BASE_10 = 'urn:ietf:params:netconf:base:1.0';
const BASE_11 = 'urn:ietf:params:netconf:base:1.1';
const EOM = ']]>]]>';
const JUNOS_NS = 'http://xml.juniper.net/junos/23.4R1/junos';
const XNM_NS = 'http://xml.juniper.net/xnm/1.1/xnm';
/** A NETCONF message larger than this without its end marker is treated as a broken peer. */
const MAX_MESSAGE = 16 * 1024 * 1024;

const REST_CERT = 'set system services rest https server-certificate ';
const WEB_CERT = 'set system services web-management https pki-local-certificate ';
const WEB_HTTPS = 'set system services web-management https ';
/** The certificate choice of `web-management https`: setting one member removes the others. */
const WEB_CERT_CHOICE = ['pki-local-certificate', 'system-generated-certificate', 'local-certificate'];
/** Leaves that hold one value: a new `set` replaces the old value instead of adding a line. */
const SINGLE_VALUE_LEAVES = new Set(['server-certificate', 'pki-local-certificate', 'local-certificate', 'ca-identity', 'port', 'host-name']);
const TOP_LEVEL = new Set(['system', 'security', 'interfaces', 'protocols', 'routing-options', 'policy-options', 'firewall', 'snmp',
  'chassis', 'services', 'groups', 'apply-groups', 'version', 'event-options', 'forwarding-options', 'class-of-service',
  'routing-instances', 'vlans', 'applications', 'access', 'poe', 'switch-options']);

interface StoredLocal { id: string; certPem: string; keyPem: string; cert: X509Certificate }
interface StoredCa { profile: string; certPem: string; cert: X509Certificate }
interface TmpFile { data: Buffer; mode: number }
/** One error or warning of a reply: an <rpc-error>, or with `xnm` Junos's own <xnm:error>/<xnm:warning>. */
interface RpcErr { type?: string; tag?: string; message: string; path?: string; bad?: string; severity?: 'error' | 'warning'; xnm?: boolean }
/** One NETCONF session: who opened it, its private copy of the configuration, and whether it has ended. */
interface NcSession { user: string; pid: number; priv: string[] | undefined; ended: boolean }

/** Thrown inside an RPC handler: becomes the reply's rpc-error(s). */
class RpcFailure extends Error {
  constructor(readonly errors: RpcErr[], readonly wrap?: string) {
    super(errors[0]?.message ?? 'error');
  }
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function rpcErrorXml(e: RpcErr): string {
  if (e.xnm) {
    const tag = `xnm:${e.severity ?? 'error'}`;
    return `<${tag} xmlns="${XNM_NS}" xmlns:xnm="${XNM_NS}">\n<message>\n${esc(e.message)}\n</message>\n</${tag}>`;
  }
  return ['<rpc-error>',
    `<error-type>${e.type ?? 'protocol'}</error-type>`,
    `<error-tag>${e.tag ?? 'operation-failed'}</error-tag>`,
    `<error-severity>${e.severity ?? 'error'}</error-severity>`,
    e.path === undefined ? '' : `<error-path>${esc(e.path)}</error-path>`,
    `<error-message>\n${esc(e.message)}\n</error-message>`,
    e.bad === undefined ? '' : `<error-info>\n<bad-element>${esc(e.bad)}</bad-element>\n</error-info>`,
    '</rpc-error>'].filter((l) => l !== '').join('\n');
}

function sameConfig(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((l, i) => l === b[i]);
}

/** `2025-01-01 00:00:00 UTC`, as Junos writes the time a lock was taken. */
function lockDate(d: Date): string {
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function sha256Of(cert: X509Certificate): string {
  return cert.fingerprint256.toUpperCase();
}

/** Splits a CLI or configuration line into words; double quotes group words and are removed. */
function words(line: string): string[] | undefined {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)) !== null) {
    if (m[2] !== undefined && m[2].includes('"')) return undefined;
    out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? ''));
  }
  return out;
}

function quoteWord(w: string): string {
  return /^[^\s"\\;{}#]+$/.test(w) ? w : `"${w.replace(/(["\\])/g, '\\$1')}"`;
}

/** A config edit: applies one normalised `set`/`delete` line to a list of set lines; false when a delete found nothing. */
function applyLine(config: string[], verb: 'set' | 'delete', path: string[]): boolean {
  const body = path.map(quoteWord).join(' ');
  if (verb === 'delete') {
    const prefix = `set ${body}`;
    let found = false;
    for (let i = config.length - 1; i >= 0; i--) {
      const l = config[i] ?? '';
      if (l === prefix || l.startsWith(`${prefix} `)) {
        config.splice(i, 1);
        found = true;
      }
    }
    return found;
  }
  const line = `set ${body}`;
  if (config.includes(line)) return true;
  const leaf = path[path.length - 2];
  if (path.length >= 3 && leaf !== undefined && SINGLE_VALUE_LEAVES.has(leaf)) {
    const prefix = `set ${path.slice(0, -1).map(quoteWord).join(' ')} `;
    for (let i = config.length - 1; i >= 0; i--) if ((config[i] ?? '').startsWith(prefix)) config.splice(i, 1);
  }
  if (line.startsWith(WEB_HTTPS)) {
    const member = line.slice(WEB_HTTPS.length).split(' ')[0] ?? '';
    if (WEB_CERT_CHOICE.includes(member)) {
      for (let i = config.length - 1; i >= 0; i--) {
        const other = (config[i] ?? '').slice(WEB_HTTPS.length).split(' ')[0] ?? '';
        if ((config[i] ?? '').startsWith(WEB_HTTPS) && other !== member && WEB_CERT_CHOICE.includes(other)) config.splice(i, 1);
      }
    }
  }
  config.push(line);
  return true;
}

function boundId(config: string[], prefix: string): string | undefined {
  const l = config.find((x) => x.startsWith(prefix));
  return l === undefined ? undefined : words(l.slice(prefix.length))?.[0];
}

/** Junos `show security pki` date style: `01- 1-2025 00:00 UTC`. */
function junosDate(d: Date): string {
  const p = (n: number, w = 2, c = '0'): string => String(n).padStart(w, c);
  return `${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate(), 2, ' ')}-${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())} UTC`;
}

function dnLine(dn: string): string {
  return dn.split('\n').join(', ').replace(/=/g, ' = ');
}

function certBlock(id: string, cert: X509Certificate): string {
  const key = cert.publicKey;
  const alg = key.asymmetricKeyType === 'rsa'
    ? `rsaEncryption(${key.asymmetricKeyDetails?.modulusLength ?? 0} bits)`
    : `ecdsaEncryption(${key.asymmetricKeyType === 'ec' ? ({ 'prime256v1': 256, 'secp384r1': 384, 'secp521r1': 521 }[key.asymmetricKeyDetails?.namedCurve ?? ''] ?? 0) : 0} bits)`;
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1] ?? dnLine(cert.subject);
  return [`Certificate identifier: ${id}`,
    `  Issued to: ${cn}, Issued by: ${dnLine(cert.issuer)}`,
    '  Validity:',
    `    Not before: ${junosDate(new Date(cert.validFrom))}`,
    `    Not after: ${junosDate(new Date(cert.validTo))}`,
    `  Public key algorithm: ${alg}`].join('\n');
}

function spki(k: KeyObject): Buffer {
  return k.export({ type: 'spki', format: 'der' });
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/;

function safeEqual(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y) && a === b;
}

/**
 * Starts a simulated Junos device on 127.0.0.1 (SSH with NETCONF and SCP, REST and J-Web HTTPS). Close it with
 * `close()` in an afterEach/afterAll.
 */
export async function startJunosSim(p: JunosSimParams): Promise<JunosSim> {
  const minuteMs = p.minuteMs ?? 60_000;
  const { ed25519Host, hostKeyFingerprint } = (() => {
    // ssh2's generateKeyPairSync drops a leading zero byte of the Ed25519 key (about 1 key in 200), making a key
    // that ssh2 itself cannot parse: generate again until it parses.
    for (let i = 0; ; i++) {
      const kp = ssh2.utils.generateKeyPairSync('ed25519', { comment: 'sim-router' });
      const parsed = ssh2.utils.parseKey(kp.public);
      if (parsed instanceof Error || ssh2.utils.parseKey(kp.private) instanceof Error) {
        if (i < 20) continue;
        throw parsed instanceof Error ? parsed : new Error('ssh2 made an unparsable host key');
      }
      const fp = `SHA256:${createHash('sha256').update(parsed.getPublicSSH()).digest('base64').replace(/=+$/, '')}`;
      return { ed25519Host: kp.private, hostKeyFingerprint: fp };
    }
  })();

  // The system-generated certificate: Junos makes a self-signed one on first boot.
  const system = (() => {
    const t = tempDir('certbench-junos-sim-');
    try {
      openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', t.path('sys.key'), '-out', t.path('sys.crt'),
        '-subj', '/CN=system generated/CN=sim-router', '-days', '3650']);
      const certPem = readFileSync(t.path('sys.crt'), 'utf8');
      return { certPem, keyPem: readFileSync(t.path('sys.key'), 'utf8'), sha256: sha256Of(new X509Certificate(certPem)) };
    } finally {
      t.cleanup();
    }
  })();

  const locals = new Map<string, StoredLocal>();
  for (const c of p.localCerts ?? []) {
    const cert = new X509Certificate(c.certPem);
    locals.set(c.id, { id: c.id, certPem: cert.toString(), keyPem: createPrivateKey(c.keyPem).export({ type: 'pkcs8', format: 'pem' }).toString(), cert });
  }
  const cas = new Map<string, StoredCa>();
  const tmp = new Map<string, TmpFile>();
  const rpcs: string[] = [];
  const faults: JunosSim['faults'] = {};
  const sockets = new Set<net.Socket>();
  const sshSockets = new Set<net.Socket>();
  const conns = new Set<Connection>();
  /** Set by partitionAfterCommitConfirmed: SSH sockets are no longer read and HTTPS ignores refuseConnections. */
  let partitioned = false;
  const servers: net.Server[] = [];
  let nextSessionId = 27_000 + Math.floor(Math.random() * 1000);

  const listen = async (srv: net.Server): Promise<number> => {
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => resolve());
    });
    servers.push(srv);
    return (srv.address() as AddressInfo).port;
  };
  const track = (socket: net.Socket, kind: 'ssh' | 'https'): boolean => {
    socket.on('error', () => undefined);
    if (faults.refuseConnections && !(kind === 'https' && partitioned)) {
      socket.destroy();
      return false;
    }
    sockets.add(socket);
    if (kind === 'ssh') sshSockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      sshSockets.delete(socket);
    });
    return true;
  };

  // ---- HTTPS listeners ------------------------------------------------------------------------------------------
  interface Https { kind: 'rest' | 'web'; tlsServer: tls.Server; served: string | undefined; port: number }
  const https: Https[] = [];
  let committedRef: string[] = [];
  const desired = (kind: 'rest' | 'web'): StoredLocal | undefined => {
    const id = boundId(committedRef, kind === 'rest' ? REST_CERT : WEB_CERT);
    return id === undefined ? undefined : locals.get(id);
  };
  const refreshHttps = (): void => {
    if (faults.staleHttps) return;
    for (const h of https) {
      const want = desired(h.kind);
      const id = want?.id;
      if (id === h.served) continue;
      h.tlsServer.setSecureContext(want ? { key: want.keyPem, cert: want.certPem } : { key: system.keyPem, cert: system.certPem });
      h.served = id;
    }
  };
  for (const kind of ['rest', 'web'] as const) {
    const tlsServer = tls.createServer({ key: system.keyPem, cert: system.certPem });
    tlsServer.on('tlsClientError', () => undefined);
    tlsServer.on('secureConnection', (s) => {
      s.on('error', () => undefined);
      // Enough HTTP for a probe that sends a request: the device wants credentials.
      s.once('data', () => s.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'));
    });
    const h: Https = { kind, tlsServer, served: undefined, port: 0 };
    const front = net.createServer((socket) => {
      if (!track(socket, 'https')) return;
      refreshHttps();
      tlsServer.emit('connection', socket);
    });
    h.port = await listen(front);
    https.push(h);
  }
  const restPort = https[0]?.port ?? 0;
  const webPort = https[1]?.port ?? 0;

  // ---- configuration ------------------------------------------------------------------------------------------------
  const initial = p.config ?? ['set system host-name sim-router', 'set system services netconf ssh', `set system services rest https port ${restPort}`,
    'set system services web-management https system-generated-certificate'];
  /** history[0] is the committed configuration, history[1] the one before (`rollback 1`), ... */
  const history: string[][] = [[...initial]];
  committedRef = history[0] ?? [];
  let pending: { previous: string[]; timer: NodeJS.Timeout; by: NcSession } | undefined;
  /** The shared candidate once a load changed it; undefined while it is the committed configuration. */
  let shared: string[] | undefined;
  /** Sessions that changed the shared candidate since it was last committed or discarded. */
  const sharedEditors = new Set<NcSession>();
  let lock: { session: NcSession; since: Date } | undefined;
  const candidateModified = (): boolean => shared !== undefined && !sameConfig(shared, committedRef);
  const discardShared = (): void => {
    shared = undefined;
    sharedEditors.clear();
  };
  /** Junos's refusal while another session holds the lock (`configure exclusive` on the CLI shows the same). */
  const lockedFailure = (wrap?: string): RpcFailure => {
    const l = lock;
    const holder = l ? `${l.session.user} terminal (pid ${l.session.pid}) on since ${lockDate(l.since)}` : 'unknown';
    return new RpcFailure([{ xnm: true, message: `configuration database locked by:\n  ${holder}\n      exclusive [edit]` }], wrap);
  };

  const setCommitted = (c: string[]): void => {
    history.unshift([...c]);
    if (history.length > 50) history.pop();
    committedRef = history[0] ?? [];
    refreshHttps();
  };
  const validate = (c: string[]): RpcErr[] => {
    const errs: RpcErr[] = [];
    for (const [prefix, path, leaf] of [[REST_CERT, '[edit system services rest https]', 'server-certificate'],
      [WEB_CERT, '[edit system services web-management https]', 'pki-local-certificate']] as const) {
      const id = boundId(c, prefix);
      if (id !== undefined && !locals.has(id)) {
        errs.push({ path, bad: leaf, message: `${leaf}: certificate-id ${id} not found` });
      }
    }
    if (errs.length > 0) errs.push({ message: 'configuration check-out failed' });
    return errs;
  };
  refreshHttps();

  // ---- PKI and file commands ----------------------------------------------------------------------------------------
  const readTmp = (f: string, what: string): Buffer => {
    const file = tmp.get(posix.normalize(f));
    if (!file) throw new RpcFailure([{ message: `error: Failed to open ${what} file ${f}: No such file or directory` }]);
    return file.data;
  };
  const parseCert = (data: Buffer, f: string): X509Certificate => {
    const pem = PEM_CERT.exec(data.toString('latin1'))?.[0];
    try {
      if (pem === undefined) throw new Error('no PEM');
      return new X509Certificate(pem);
    } catch {
      throw new RpcFailure([{ message: `error: Failed to load certificate from file ${f}: unable to decode PEM certificate` }]);
    }
  };
  const kv = (args: string[], allowed: string[], cmd: string): Map<string, string> => {
    const m = new Map<string, string>();
    for (let i = 0; i < args.length; i += 2) {
      const k = args[i] ?? '';
      const v = args[i + 1];
      if (!allowed.includes(k) || v === undefined || m.has(k)) throw new RpcFailure([{ tag: 'operation-failed', message: `syntax error, expecting <command>: ${cmd}`, bad: k }]);
      m.set(k, v);
    }
    return m;
  };
  const runCommand = (text: string): string => {
    const w = words(text.trim());
    const cmd = (w ?? []).join(' ');
    const syntax = (): RpcFailure => new RpcFailure([{ message: `syntax error, expecting <command>: ${text.trim()}`, bad: text.trim() }]);
    if (!w) throw syntax();
    if (cmd === 'show configuration | display set') return committedRef.join('\n');
    if (cmd === 'show security pki local-certificate') return [...locals.values()].map((c) => certBlock(c.id, c.cert)).join('\n\n');
    if (cmd === 'show security pki ca-certificate') return [...cas.values()].map((c) => certBlock(c.profile, c.cert)).join('\n\n');
    if (cmd.startsWith('request security pki local-certificate load ')) {
      const a = kv(w.slice(5), ['certificate-id', 'filename', 'key'], cmd);
      const id = a.get('certificate-id');
      const f = a.get('filename');
      if (id === undefined || f === undefined) throw syntax();
      if (faults.rejectLocalLoad !== undefined) throw new RpcFailure([{ message: faults.rejectLocalLoad }]);
      if (locals.has(id)) throw new RpcFailure([{ message: `error: Certificate-id ${id} already exists; clear it before loading a new certificate` }]);
      const cert = parseCert(readTmp(f, 'certificate'), f);
      const k = a.get('key');
      if (k === undefined) throw new RpcFailure([{ message: `error: Key pair for certificate-id ${id} not found; load the certificate with its key` }]);
      const keyData = readTmp(k, 'key');
      let key: KeyObject;
      try {
        key = createPrivateKey(keyData);
      } catch {
        throw new RpcFailure([{ message: `error: Failed to load private key from file ${k}: unable to decode PEM private key` }]);
      }
      if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'ec' && key.asymmetricKeyType !== 'dsa') {
        throw new RpcFailure([{ message: `error: Failed to load private key from file ${k}: unsupported key type ${key.asymmetricKeyType ?? 'unknown'}` }]);
      }
      if (!spki(createPublicKey(key)).equals(spki(cert.publicKey))) {
        throw new RpcFailure([{ message: `error: Failed to load local certificate ${id}: key pair does not match the public key in certificate ${f}` }]);
      }
      locals.set(id, { id, cert, certPem: cert.toString(), keyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString() });
      return 'Local certificate loaded successfully';
    }
    if (cmd.startsWith('request security pki ca-certificate load ')) {
      const a = kv(w.slice(5), ['ca-profile', 'filename'], cmd);
      const prof = a.get('ca-profile');
      const f = a.get('filename');
      if (prof === undefined || f === undefined) throw syntax();
      if (!committedRef.some((l) => l.startsWith(`set security pki ca-profile ${quoteWord(prof)} ca-identity `))) {
        throw new RpcFailure([{ message: `error: CA profile ${prof} is not configured (set security pki ca-profile ${prof} ca-identity ... and commit first)` }]);
      }
      if (cas.has(prof)) throw new RpcFailure([{ message: `error: CA certificate for profile ${prof} already exists; clear it before loading a new one` }]);
      const cert = parseCert(readTmp(f, 'certificate'), f);
      cas.set(prof, { profile: prof, cert, certPem: cert.toString() });
      return `CA certificate for profile ${prof} loaded successfully`;
    }
    let m = /^clear security pki local-certificate certificate-id (\S+)$/.exec(cmd);
    if (m) {
      const id = m[1] ?? '';
      if (!locals.has(id)) throw new RpcFailure([{ message: `error: Certificate-id ${id} does not exist` }]);
      const user = [REST_CERT, WEB_CERT].find((prefix) => boundId(committedRef, prefix) === id);
      if (user !== undefined) throw new RpcFailure([{ message: `error: Certificate-id ${id} is in use by [${user.slice(4).trim()}]; remove the reference and commit first` }]);
      locals.delete(id);
      return `Local certificate ${id} cleared`;
    }
    m = /^clear security pki ca-certificate ca-profile (\S+)$/.exec(cmd);
    if (m) {
      const prof = m[1] ?? '';
      if (!cas.delete(prof)) throw new RpcFailure([{ message: `error: No CA certificate loaded for profile ${prof}` }]);
      return `CA certificate for profile ${prof} cleared`;
    }
    m = /^file delete (\S+)$/.exec(cmd);
    if (m) {
      const f = posix.normalize(m[1] ?? '');
      if (posix.dirname(f) !== '/var/tmp') throw new RpcFailure([{ message: `error: could not delete ${m[1] ?? ''}: Permission denied` }]);
      if (!tmp.delete(f)) throw new RpcFailure([{ message: `error: could not delete ${m[1] ?? ''}: No such file or directory` }]);
      return '';
    }
    throw syntax();
  };

  // ---- NETCONF ------------------------------------------------------------------------------------------------------
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', removeNSPrefix: true, parseTagValue: false,
    parseAttributeValue: false, trimValues: false, ignoreDeclaration: true, ignorePiTags: true });
  const elements = (o: unknown): [string, unknown][] =>
    o !== null && typeof o === 'object' ? Object.entries(o).filter(([k]) => !k.startsWith('@_') && k !== '#text') : [];
  const attr = (o: unknown, name: string): string | undefined =>
    o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[`@_${name}`] as string | undefined : undefined;
  const text = (o: unknown): string => typeof o === 'string' ? o : o !== null && typeof o === 'object' ? String((o as Record<string, unknown>)['#text'] ?? '') : '';

  const dropAll = (): void => {
    for (const c of conns) c.end();
  };
  const partition = (): void => {
    partitioned = true;
    faults.refuseConnections = true;
    for (const s of sshSockets) s.pause();
  };

  /**
   * Junos XML protocol guide: "When a session is terminated, the server rolls back all uncommitted changes made during
   * the session. If a confirmed commit is pending ..., the Junos XML protocol server restores the configuration to its
   * state before the confirmed commit instruction was issued."
   */
  const endSession = (me: NcSession): void => {
    if (me.ended) return;
    me.ended = true;
    me.priv = undefined;
    if (lock?.session === me) {
      lock = undefined;
      discardShared();
    } else if (sharedEditors.has(me)) {
      discardShared();
    }
    if (pending?.by === me) {
      clearTimeout(pending.timer);
      const previous = pending.previous;
      pending = undefined;
      setCommitted(previous);
    }
  };

  const netconf = (ch: ServerChannel, user: string): void => {
    let buf = Buffer.alloc(0);
    let framing: 'hello' | '1.0' | '1.1' = 'hello';
    let afterHello = false;
    let open = true;
    const sessionId = String(nextSessionId++);
    const me: NcSession = { user, pid: 40_000 + Number(sessionId) % 10_000, priv: undefined, ended: false };
    const send = (xml: string): void => {
      if (!open) return;
      ch.write(framing === '1.1' ? `\n#${Buffer.byteLength(xml)}\n${xml}\n##\n` : `${xml}\n${EOM}\n`);
    };
    const kill = (status?: number): void => {
      if (!open) return;
      open = false;
      endSession(me);
      if (status === undefined) {
        ch.close();
      } else {
        ch.exit(status);
        ch.end();
      }
    };
    ch.on('close', () => {
      open = false;
      endSession(me);
    });
    ch.on('error', () => undefined);

    const caps = [BASE_10, ...(p.base11 ? [BASE_11] : []), 'urn:ietf:params:netconf:capability:candidate:1.0',
      'urn:ietf:params:netconf:capability:confirmed-commit:1.0', 'urn:ietf:params:netconf:capability:validate:1.0',
      'urn:ietf:params:netconf:capability:url:1.0?scheme=http,ftp,file', 'urn:ietf:params:xml:ns:netconf:base:1.0',
      'urn:ietf:params:xml:ns:netconf:capability:candidate:1.0', 'urn:ietf:params:xml:ns:netconf:capability:confirmed-commit:1.0',
      'http://xml.juniper.net/netconf/junos/1.0', 'http://xml.juniper.net/dmi/system/1.0'];
    // Junos writes these comments before its hello; a client must skip them.
    ch.write(['<!-- No zombies were killed during the creation of this user interface -->', `<!-- user ${user}, class super-user -->`,
      `<hello xmlns="${NS_BASE}">`, '  <capabilities>', ...caps.map((c) => `    <capability>${esc(c)}</capability>`), '  </capabilities>',
      `  <session-id>${sessionId}</session-id>`, '</hello>', EOM].join('\n'));

    const reply = (messageId: string | undefined, body: string): void => {
      const id = messageId === undefined ? '' : ` message-id="${esc(messageId)}"`;
      send(`<rpc-reply xmlns="${NS_BASE}" xmlns:junos="${JUNOS_NS}"${id}>\n${body}\n</rpc-reply>`);
    };

    const lockedByOther = (): boolean => lock !== undefined && lock.session !== me;
    /** The configuration a load edits: the private copy if open, else the shared candidate (refused while another session holds the lock). */
    const editable = (): string[] => {
      if (me.priv) return me.priv;
      if (lockedByOther()) throw lockedFailure('load-configuration-results');
      shared ??= [...committedRef];
      sharedEditors.add(me);
      return shared;
    };
    const afterEdit = (): void => {
      if (!me.priv && shared !== undefined && sameConfig(shared, committedRef)) discardShared();
    };

    const handleRpc = (op: string, node: unknown): { body: string; after?: () => void } => {
      switch (op) {
        case 'command': {
          const cli = text(node).trim();
          rpcs.push(`command: ${cli}`);
          const out = esc(runCommand(cli));
          // As Junos does: configuration text comes in <configuration-information>, other commands' text in <output>.
          return { body: cli.startsWith('show configuration') ? `<configuration-information><configuration-output>\n${out}\n</configuration-output></configuration-information>` : `<output>\n${out}\n</output>` };
        }
        case 'open-configuration': {
          rpcs.push(op);
          const kids = elements(node).map(([k]) => k);
          if (kids.length !== 1 || kids[0] !== 'private') {
            throw new RpcFailure([{ tag: 'operation-not-supported', message: `open-configuration ${kids.join(' ') || '(no database)'} is not supported; use <private/>` }]);
          }
          if (me.priv) throw new RpcFailure([{ message: 'error: configuration database already open' }]);
          if (candidateModified()) throw new RpcFailure([{ message: 'error: shared configuration database modified', tag: 'in-use' }]);
          me.priv = [...committedRef];
          return { body: `<xnm:warning xmlns="${XNM_NS}" xmlns:xnm="${XNM_NS}">\n<message>\nuncommitted changes will be discarded on exit\n</message>\n</xnm:warning>` };
        }
        case 'close-configuration':
          rpcs.push(op);
          me.priv = undefined;
          return { body: '<ok/>' };
        case 'lock-configuration':
          rpcs.push(op);
          if (lockedByOther()) throw lockedFailure();
          if (lock?.session !== me) {
            if (candidateModified()) throw new RpcFailure([{ tag: 'lock-denied', message: 'configuration database modified' }]);
            lock = { session: me, since: new Date() };
          }
          // The Junos XML protocol guide: success is an <rpc-reply> with nothing in it.
          return { body: '' };
        case 'unlock-configuration':
          rpcs.push(op);
          if (lock?.session !== me) throw new RpcFailure([{ xnm: true, message: 'configuration database not locked by this session' }]);
          // Unlocking before a commit discards the changes made to the candidate.
          lock = undefined;
          discardShared();
          return { body: '' };
        case 'load-configuration': {
          rpcs.push(op);
          const rb = attr(node, 'rollback');
          if (rb !== undefined) {
            const n = Number(rb);
            const old = /^\d+$/.test(rb) ? history[n] : undefined;
            if (!old) throw new RpcFailure([{ message: `error: rollback ${rb} does not exist`, bad: rb }], 'load-configuration-results');
            const c = editable();
            c.splice(0, c.length, ...old);
            afterEdit();
            return { body: '<load-configuration-results>\n<ok/>\n</load-configuration-results>' };
          }
          const set = elements(node).find(([k]) => k === 'configuration-set');
          if (attr(node, 'action') !== 'set' || !set) {
            throw new RpcFailure([{ tag: 'operation-not-supported', message: 'only action="set" with <configuration-set> is supported' }]);
          }
          const notes: RpcErr[] = [];
          const c = editable();
          for (const raw of text(set[1]).split('\n')) {
            const line = raw.trim();
            if (line === '' || line.startsWith('#')) continue;
            const w = words(line);
            const verb = w?.[0];
            const top = w?.[1];
            if (!w || (verb !== 'set' && verb !== 'delete') || top === undefined || !TOP_LEVEL.has(top)) {
              notes.push({ path: line, bad: w?.[verb === 'set' || verb === 'delete' ? 1 : 0] ?? line, message: 'syntax error' });
              continue;
            }
            // Deleting what is not there is a warning on Junos; the rest of the load applies.
            if (!applyLine(c, verb, w.slice(1))) {
              notes.push({ severity: 'warning', path: `[edit ${w.slice(1, -1).join(' ')}]`.replace(' ]', ']'), bad: w[w.length - 1] ?? '', message: 'statement not found' });
            }
          }
          afterEdit();
          if (notes.some((e) => e.severity !== 'warning')) throw new RpcFailure(notes, 'load-configuration-results');
          return { body: `<load-configuration-results>\n${notes.map((e) => `${rpcErrorXml(e)}\n`).join('')}<ok/>\n</load-configuration-results>` };
        }
        case 'commit-configuration': {
          rpcs.push(op);
          const kids = new Map(elements(node));
          const confirmed = kids.has('confirmed');
          if (confirmed && me.priv) {
            throw new RpcFailure([{ tag: 'operation-not-supported', message: 'commit confirmed is not supported on a private copy of the configuration', bad: 'confirmed' }], 'commit-results');
          }
          if (lockedByOther()) throw lockedFailure('commit-results');
          if (me.priv && candidateModified()) {
            throw new RpcFailure([{ message: 'error: shared configuration database modified; the changes in the shared database must be committed first', tag: 'in-use' }], 'commit-results');
          }
          const c = [...(me.priv ?? shared ?? committedRef)];
          const errs = validate(c);
          if (errs.length > 0) throw new RpcFailure(errs, 'commit-results');
          if (confirmed) {
            const raw = kids.has('confirm-timeout') ? text(kids.get('confirm-timeout')).trim() : '10';
            const minutes = Number(raw);
            if (!/^\d+$/.test(raw) || minutes < 1 || minutes > 65_535) {
              throw new RpcFailure([{ type: 'application', tag: 'invalid-value', message: `confirm-timeout ${raw} is not between 1 and 65535`, bad: raw }], 'commit-results');
            }
            const previous = pending?.previous ?? [...committedRef];
            if (pending) clearTimeout(pending.timer);
            const timer = setTimeout(() => {
              pending = undefined;
              // Junos: "commit confirmed rollback complete" — the configuration before the commit confirmed returns.
              setCommitted(previous);
            }, minutes * minuteMs);
            pending = { previous, timer, by: me };
          } else if (pending) {
            // A plain commit from any session confirms.
            clearTimeout(pending.timer);
            pending = undefined;
          }
          setCommitted(c);
          if (me.priv) me.priv = [...committedRef];
          else discardShared();
          const after = confirmed && faults.partitionAfterCommitConfirmed ? partition : confirmed && faults.dropAfterCommitConfirmed ? dropAll : undefined;
          return {
            body: '<commit-results>\n<routing-engine junos:style="normal">\n<name>re0</name>\n<commit-success/>\n</routing-engine>\n</commit-results>',
            ...(after ? { after: () => setImmediate(after) } : {}),
          };
        }
        case 'close-session':
          rpcs.push(op);
          return { body: '<ok/>', after: () => setImmediate(() => kill(0)) };
        default:
          rpcs.push(op);
          throw new RpcFailure([{ type: 'protocol', tag: 'operation-not-supported', message: `syntax error, unsupported RPC <${op}>`, bad: op }]);
      }
    };

    const onMessage = (xml: string): void => {
      if (XMLValidator.validate(xml) !== true) return kill();
      let doc: unknown;
      try {
        doc = parser.parse(xml);
      } catch {
        return kill();
      }
      const roots = elements(doc);
      const [rootName, root] = roots[0] ?? ['', undefined];
      if (framing === 'hello') {
        if (rootName !== 'hello' || roots.length !== 1) return kill();
        const capsNode = elements(root).find(([k]) => k === 'capabilities')?.[1];
        const capNode = elements(capsNode).find(([k]) => k === 'capability')?.[1];
        const theirs = (Array.isArray(capNode) ? capNode : [capNode]).map((x) => text(x).trim());
        if (!theirs.includes(BASE_10) && !theirs.includes(BASE_11)) return kill();
        framing = p.base11 && theirs.includes(BASE_11) ? '1.1' : '1.0';
        afterHello = true;
        return;
      }
      if (rootName !== 'rpc' || roots.length !== 1) return kill();
      const messageId = attr(root, 'message-id');
      const ops = elements(root);
      const first = ops[0];
      if (messageId === undefined) {
        reply(undefined, rpcErrorXml({ type: 'rpc', tag: 'missing-attribute', message: 'missing message-id attribute', bad: 'rpc' }));
        return;
      }
      if (!first || ops.length !== 1) {
        reply(messageId, rpcErrorXml({ type: 'rpc', tag: 'operation-not-supported', message: 'an <rpc> holds exactly one operation' }));
        return;
      }
      try {
        const r = handleRpc(first[0], Array.isArray(first[1]) ? first[1][0] : first[1]);
        reply(messageId, r.body);
        r.after?.();
      } catch (e) {
        // A bug in the simulator answers as a device-side failure rather than crashing the test process.
        const failure = e instanceof RpcFailure ? e : new RpcFailure([{ message: `error: internal simulator error: ${String(e)}` }]);
        const errs = failure.errors.map(rpcErrorXml).join('\n');
        reply(messageId, failure.wrap ? `<${failure.wrap}>\n${errs}\n</${failure.wrap}>` : errs);
      }
    };

    ch.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (open) {
        if (framing !== '1.1') {
          const i = buf.indexOf(EOM);
          if (i < 0) {
            if (buf.length > MAX_MESSAGE) kill();
            return;
          }
          const msg = buf.subarray(0, i).toString('utf8');
          buf = buf.subarray(i + EOM.length);
          onMessage(msg);
          continue;
        }
        // RFC 6242 chunked framing: (\n#<len>\n<data>)+ \n##\n. A line end a client leaves after its
        // hello's ]]>]]> is skipped; anything else out of frame closes the session.
        if (afterHello) {
          while (buf.length >= 2 && (buf[0] === 0x0a || buf[0] === 0x0d || buf[0] === 0x20) && buf[1] !== 0x23) buf = buf.subarray(1);
          if (buf.length < 2) return;
          afterHello = false;
        }
        let pos = 0;
        const parts: Buffer[] = [];
        let done = false;
        for (;;) {
          if (buf.length < pos + 4) break;
          if (buf[pos] !== 0x0a || buf[pos + 1] !== 0x23) return kill();
          if (buf[pos + 2] === 0x23) {
            if (buf[pos + 3] !== 0x0a) return kill();
            pos += 4;
            done = true;
            break;
          }
          const nl = buf.indexOf(0x0a, pos + 2);
          if (nl < 0) {
            if (buf.length - pos > 12) return kill();
            break;
          }
          const lenText = buf.subarray(pos + 2, nl).toString('latin1');
          if (!/^[1-9]\d{0,9}$/.test(lenText) || Number(lenText) > 4_294_967_295) return kill();
          const len = Number(lenText);
          if (buf.length < nl + 1 + len) {
            if (nl + 1 + len > MAX_MESSAGE) return kill();
            break;
          }
          parts.push(buf.subarray(nl + 1, nl + 1 + len));
          pos = nl + 1 + len;
        }
        if (!done) return;
        buf = buf.subarray(pos);
        onMessage(Buffer.concat(parts).toString('utf8'));
      }
    });
  };

  // ---- SCP sink -----------------------------------------------------------------------------------------------------
  const scpSink = (ch: ServerChannel, target: string): void => {
    let buf = Buffer.alloc(0);
    let state: 'header' | 'data' | 'ack' | 'done' = 'header';
    let cur: { path: string; mode: number; size: number; parts: Buffer[]; got: number } | undefined;
    const fail = (msg: string, fatal = 1): void => {
      state = 'done';
      ch.write(Buffer.concat([Buffer.from([fatal]), Buffer.from(`scp: ${msg}\n`)]));
      ch.exit(1);
      ch.end();
    };
    const resolveTarget = (name: string): string | undefined => {
      const t = posix.normalize(target);
      const path = t === '/var/tmp' || t === '/var/tmp/' ? `/var/tmp/${name}` : t;
      return posix.dirname(path) === '/var/tmp' && posix.basename(path) !== '' && !name.includes('/') ? path : undefined;
    };
    ch.on('error', () => undefined);
    ch.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length > 0 && state !== 'done') {
        if (state === 'header') {
          const nl = buf.indexOf(0x0a);
          if (nl < 0) {
            if (buf.length > 4096) fail('protocol error: header too long', 2);
            return;
          }
          const line = buf.subarray(0, nl).toString('utf8');
          buf = buf.subarray(nl + 1);
          if (line.startsWith('T') || line === 'E') {
            ch.write('\0');
            continue;
          }
          const m = /^C([0-7]{4}) (\d+) (.+)$/.exec(line);
          if (!m) return fail(line.startsWith('D') ? `${target}: directories are not accepted here` : `protocol error: unexpected ${JSON.stringify(line.slice(0, 40))}`, line.startsWith('D') ? 1 : 2);
          const path = resolveTarget(m[3] ?? '');
          if (path === undefined) return fail(`${target}: Permission denied`);
          cur = { path, mode: parseInt(m[1] ?? '0644', 8), size: Number(m[2]), parts: [], got: 0 };
          ch.write('\0');
          state = cur.size === 0 ? 'ack' : 'data';
        } else if (state === 'data' && cur) {
          const take = Math.min(cur.size - cur.got, buf.length);
          cur.parts.push(buf.subarray(0, take));
          cur.got += take;
          buf = buf.subarray(take);
          if (cur.got === cur.size) state = 'ack';
        } else if (state === 'ack' && cur) {
          const b = buf[0];
          buf = buf.subarray(1);
          if (b !== 0) return fail(`${cur.path}: transfer aborted by the sender`);
          tmp.set(cur.path, { data: Buffer.concat(cur.parts), mode: cur.mode });
          cur = undefined;
          ch.write('\0');
          state = 'header';
        }
      }
    });
    ch.on('end', () => {
      if (state === 'done') return;
      const ok = state === 'header';
      state = 'done';
      ch.exit(ok ? 0 : 1);
      ch.end();
    });
    ch.write('\0');
  };

  // ---- SSH ----------------------------------------------------------------------------------------------------------
  const authenticate = (ctx: AuthContext): void => {
    const user = p.users.find((u) => u.name === ctx.username);
    switch (ctx.method) {
      case 'password':
        return user?.password !== undefined && safeEqual(ctx.password, user.password) ? ctx.accept() : ctx.reject();
      case 'keyboard-interactive': {
        const pw = user?.password;
        if (pw === undefined) return ctx.reject();
        ctx.prompt([{ prompt: 'Password:', echo: false }], (answers) => (answers.length === 1 && safeEqual(answers[0] ?? '', pw) ? ctx.accept() : ctx.reject()));
        return;
      }
      case 'publickey': {
        const key = (user?.publicKeys ?? []).map((l) => ssh2.utils.parseKey(l)).find((k): k is ParsedKey => !(k instanceof Error) && k.getPublicSSH().equals(ctx.key.data));
        if (!key) return ctx.reject();
        if (!ctx.signature || !ctx.blob) return ctx.accept();
        return key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true ? ctx.accept() : ctx.reject();
      }
      default:
        return ctx.reject(['publickey', 'password', 'keyboard-interactive']);
    }
  };

  const sshServer = new ssh2.Server({ hostKeys: [ed25519Host], ident: 'OpenSSH_7.5' }, (conn) => {
    conns.add(conn);
    let user = '';
    conn.on('error', () => undefined);
    conn.on('close', () => conns.delete(conn));
    conn.on('authentication', (ctx) => {
      user = ctx.username;
      authenticate(ctx);
    });
    conn.on('ready', () => {
      conn.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('pty', (accept) => accept?.());
        session.on('env', (accept) => accept?.());
        session.on('shell', (_accept, reject) => reject?.());
        session.on('sftp', (_accept, reject) => reject?.());
        session.on('subsystem', (accept, reject, info) => {
          if (info.name !== 'netconf') return reject?.();
          netconf(accept(), user);
        });
        session.on('exec', (accept, _reject, info) => {
          const ch = accept();
          const w = info.command.trim().split(/\s+/);
          const args = w.slice(1);
          const paths = args.filter((a) => !a.startsWith('-'));
          const flagsOk = args.filter((a) => a.startsWith('-')).every((f) => ['-t', '-p', '-q', '-v'].includes(f));
          if (w[0] === 'scp' && args.includes('-t') && flagsOk && paths.length === 1) {
            rpcs.push(`scp: ${paths[0] ?? ''}`);
            scpSink(ch, paths[0] ?? '');
            return;
          }
          rpcs.push(`exec: ${info.command}`);
          ch.on('error', () => undefined);
          ch.stderr.write(`error: unknown command: ${w[0] ?? ''}\n`);
          ch.exit(1);
          ch.end();
        });
      });
    });
  });
  sshServer.on('error', () => undefined);
  const sshFront = net.createServer((socket) => {
    if (track(socket, 'ssh')) sshServer.injectSocket(socket);
  });
  const port = await listen(sshFront);

  return {
    port,
    hostKeyFingerprint,
    restPort,
    webPort,
    systemCertSha256: system.sha256,
    committed: () => [...committedRef],
    pendingConfirm: () => pending !== undefined,
    lockedBy: () => lock?.session.user,
    candidateModified,
    localCerts: () => [...locals.values()].map((c) => ({ id: c.id, sha256: sha256Of(c.cert) })),
    caCerts: () => [...cas.values()].map((c) => ({ profile: c.profile, sha256: sha256Of(c.cert) })),
    tmpFiles: () => [...tmp.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([path, f]) => ({ path, mode: f.mode, size: f.data.length })),
    rpcs,
    faults,
    close: async () => {
      if (pending) clearTimeout(pending.timer);
      pending = undefined;
      for (const c of conns) {
        try {
          c.end();
        } catch {
          // Already closing.
        }
      }
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
