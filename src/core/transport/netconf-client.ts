// NETCONF over SSH (RFC 6241, RFC 6242) as Junos speaks it: hello exchange, `]]>]]>` or chunked framing,
// message-id matching and rpc-error / xnm:error parsing. The interface is in netconf.ts.
import type { Duplex } from 'node:stream';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { fail, InputError } from '../errors.js';
import { CancelledError, ConnectError, ConnectionLostError, NetconfRpcError, TimeoutError, type TransportError } from './errors.js';
import { NETCONF_BASE_10, NETCONF_BASE_11, type NetconfParams, type NetconfSession, type RpcErrorInfo, type RpcParams, type RpcReply } from './netconf.js';
import type { SshSession } from './types.js';

const EOM = Buffer.from(']]>]]>');
const EMPTY = Buffer.alloc(0);
/** A whole message from the device may not exceed this (a full Junos configuration is far smaller). */
const MAX_MESSAGE = 64 * 1024 * 1024;
/** RFC 6242: chunk-size is at most 4294967295. */
const MAX_CHUNK = 4294967295;
const DEFAULT_HELLO_TIMEOUT_MS = 30_000;
const DEFAULT_RPC_TIMEOUT_MS = 120_000;
const CLOSE_SESSION_TIMEOUT_MS = 5_000;
const CHANNEL_END_GRACE_MS = 2_000;
const NS_BASE = 'urn:ietf:params:xml:ns:netconf:base:1.0';

/**
 * Escapes text for an XML element or attribute value (`&`, `<`, `>`, `"`, `'`).
 * @throws InputError (invalid-value) for control characters XML 1.0 cannot carry
 */
export function xmlEscape(text: string): string {
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(text)) {
    fail('invalid-value', 'the text to send to the device holds a control character that XML cannot carry');
  }
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

/**
 * Opens the `netconf` subsystem on `session`, exchanges hellos and picks the framing (chunked when both sides
 * announce base:1.1, else `]]>]]>`).
 * @throws TimeoutError (no hello in time), ConnectionLostError (channel closed before the hello), ConnectError (the
 *   subsystem does not speak NETCONF), RemoteCommandError (subsystem refused), CancelledError
 */
export async function openNetconf(session: SshSession, p: NetconfParams = {}): Promise<NetconfSession> {
  const endpoint = session.endpoint;
  if (p.signal?.aborted) throw new CancelledError(endpoint);
  const stream = await session.subsystem('netconf');
  if (p.signal?.aborted) {
    stream.destroy();
    throw new CancelledError(endpoint);
  }
  const client = new NetconfClient(endpoint, stream, p);
  await client.hello(p.helloTimeoutMs ?? DEFAULT_HELLO_TIMEOUT_MS);
  return client;
}

class FramingError extends Error {}

/** Splits the device's byte stream into messages; `mode` may change between two messages (after the hello). */
class Deframer {
  mode: '1.0' | '1.1' = '1.0';
  private parts: Buffer[] = [];
  private size = 0;
  /** 1.0: the last bytes of the message so far, where a delimiter split across reads begins. */
  private tail = EMPTY;
  /** 1.1: bytes of the chunk header read so far. */
  private header = '';
  /** 1.1: bytes still to come of the current chunk. */
  private chunkLeft = 0;

  constructor(private readonly onMessage: (m: Buffer) => void) {}

  /** @throws FramingError */
  push(data: Buffer): void {
    let rest = data;
    while (rest.length > 0) rest = this.mode === '1.0' ? this.feed10(rest) : this.feed11(rest);
  }

  private take(): Buffer {
    const m = Buffer.concat(this.parts);
    this.parts = [];
    this.size = 0;
    this.tail = EMPTY;
    return m;
  }

  private feed10(data: Buffer): Buffer {
    const probe = this.tail.length > 0 ? Buffer.concat([this.tail, data]) : data;
    const i = probe.indexOf(EOM);
    if (i < 0) {
      this.parts.push(data);
      this.size += data.length;
      if (this.size > MAX_MESSAGE) throw new FramingError(`a message is over ${MAX_MESSAGE} bytes without an end-of-message marker`);
      this.tail = Buffer.from(probe.subarray(Math.max(0, probe.length - (EOM.length - 1))));
      return EMPTY;
    }
    // probe[0] is byte (size - tail.length) of the message.
    const end = this.size - this.tail.length + i;
    const restAt = end + EOM.length - this.size;
    this.parts.push(data);
    const all = this.take();
    this.onMessage(all.subarray(0, end));
    return data.subarray(restAt);
  }

  private feed11(data: Buffer): Buffer {
    if (this.chunkLeft > 0) {
      const n = Math.min(this.chunkLeft, data.length);
      this.parts.push(data.subarray(0, n));
      this.chunkLeft -= n;
      return data.subarray(n);
    }
    for (let i = 0; i < data.length; i++) {
      const c = String.fromCharCode(data[i] ?? 0);
      // Whitespace between two messages (some servers end a message with a newline) is not a header.
      if (this.parts.length === 0 && ((this.header === '' && /[ \t\r]/.test(c)) || (this.header === '\n' && /[\n \t\r]/.test(c)))) {
        this.header = c === '\n' ? '\n' : '';
        continue;
      }
      this.header += c;
      const h = this.header;
      if (h[0] !== '\n' || (h.length > 1 && h[1] !== '#')) throw new FramingError(`malformed chunk header ${JSON.stringify(h)}`);
      if (h.length < 3) continue;
      if (h[2] === '#') {
        if (h.length < 4) continue;
        if (h[3] !== '\n') throw new FramingError(`malformed end-of-chunks marker ${JSON.stringify(h)}`);
        if (this.parts.length === 0) throw new FramingError('an end-of-chunks marker without any chunk');
        this.header = '';
        this.onMessage(this.take());
        return data.subarray(i + 1);
      }
      const digits = h.slice(2);
      if (!/^[1-9][0-9]*\n?$/.test(digits)) throw new FramingError(`malformed chunk header ${JSON.stringify(h.slice(0, 16))}`);
      if (!digits.endsWith('\n')) {
        if (digits.length > 10) throw new FramingError('a chunk size over 4 GiB');
        continue;
      }
      const len = Number(digits.slice(0, -1));
      if (len > MAX_CHUNK) throw new FramingError('a chunk size over 4 GiB');
      if (this.size + len > MAX_MESSAGE) throw new FramingError(`a message over ${MAX_MESSAGE} bytes`);
      this.size += len;
      this.chunkLeft = len;
      this.header = '';
      return data.subarray(i + 1);
    }
    return EMPTY;
  }
}

// --- reply parsing (fast-xml-parser, ordered form: [{ tag: [children], ':@': {attrs} }, { '#text': '...' }]) ---

type XNode = Record<string, unknown>;

let parserInstance: XMLParser | undefined;
function parser(): XMLParser {
  parserInstance ??= new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    // Junos prefixes some elements (xnm:error, junos:comment); the local name is what counts.
    removeNSPrefix: true,
    trimValues: false,
    parseTagValue: false,
    parseAttributeValue: false,
    processEntities: true,
    // Numeric character references (&#10;) as well as the five XML entities.
    htmlEntities: true,
  });
  return parserInstance;
}

/** Parses one message, or returns undefined when it is not well-formed XML. */
function parseXml(text: string): XNode[] | undefined {
  const t = text.trim();
  if (t === '' || XMLValidator.validate(t) !== true) return undefined;
  return parser().parse(t) as XNode[];
}

function tagOf(n: XNode): string | undefined {
  for (const k of Object.keys(n)) if (k !== ':@') return k;
  return undefined;
}

function kidsOf(n: XNode): XNode[] {
  const t = tagOf(n);
  const v = t === undefined ? undefined : n[t];
  return Array.isArray(v) ? (v as XNode[]) : [];
}

function attrOf(n: XNode, name: string): string | undefined {
  const a = n[':@'] as Record<string, unknown> | undefined;
  const v = a?.[name];
  return v === undefined ? undefined : String(v);
}

function textOf(nodes: XNode[]): string {
  let s = '';
  for (const n of nodes) {
    const t = tagOf(n);
    if (t === '#text') s += String(n['#text']);
    else if (t !== undefined) s += textOf(kidsOf(n));
  }
  return s;
}

/** The first element (depth first) whose tag is in `names`. */
function find(nodes: XNode[], names: string[]): XNode | undefined {
  for (const n of nodes) {
    const t = tagOf(n);
    if (t === undefined || t === '#text') continue;
    if (names.includes(t)) return n;
    const hit = find(kidsOf(n), names);
    if (hit) return hit;
  }
  return undefined;
}

function childText(nodes: XNode[], name: string): string | undefined {
  const n = nodes.find((k) => tagOf(k) === name);
  if (!n) return undefined;
  const s = textOf(kidsOf(n)).trim();
  return s === '' ? undefined : s;
}

function rpcErrorOf(kids: XNode[]): RpcErrorInfo {
  const severity = childText(kids, 'error-severity') === 'warning' ? 'warning' : 'error';
  const type = childText(kids, 'error-type');
  const tag = childText(kids, 'error-tag');
  const info = kids.find((k) => tagOf(k) === 'error-info');
  const path = childText(kids, 'error-path') ?? (info ? childText(kidsOf(info), 'bad-element') : undefined);
  const e: RpcErrorInfo = { severity, message: childText(kids, 'error-message') ?? tag ?? 'the device gave no error message' };
  if (type !== undefined) e.type = type;
  if (tag !== undefined) e.tag = tag;
  if (path !== undefined) e.path = path;
  return e;
}

function xnmErrorOf(tag: string, kids: XNode[]): RpcErrorInfo {
  const where = [childText(kids, 'edit-path'), childText(kids, 'statement')].filter((x) => x !== undefined).join(' ');
  const e: RpcErrorInfo = { severity: tag === 'warning' ? 'warning' : 'error', message: childText(kids, 'message') ?? 'the device gave no error message' };
  if (where !== '') e.path = where;
  return e;
}

function collectErrors(nodes: XNode[], out: RpcErrorInfo[]): void {
  for (const n of nodes) {
    const t = tagOf(n);
    if (t === undefined || t === '#text') continue;
    const kids = kidsOf(n);
    if (t === 'rpc-error') out.push(rpcErrorOf(kids));
    // Junos's <xnm:error>/<xnm:warning> (prefix removed), recognised by their <message>.
    else if ((t === 'error' || t === 'warning') && kids.some((k) => tagOf(k) === 'message')) out.push(xnmErrorOf(t, kids));
    else collectErrors(kids, out);
  }
}

function replyOf(messageId: string, xml: string, kids: XNode[]): RpcReply {
  const all: RpcErrorInfo[] = [];
  collectErrors(kids, all);
  const errors = all.filter((e) => e.severity === 'error');
  const reply: RpcReply = {
    messageId,
    xml,
    ok: errors.length === 0 && find(kids, ['ok']) !== undefined,
    errors,
    warnings: all.filter((e) => e.severity === 'warning'),
  };
  // Junos answers `show configuration ...` as <command> inside <configuration-information><configuration-output>.
  const out = find(kids, ['output', 'configuration-output', 'configuration-text', 'configuration-set']);
  if (out) reply.output = textOf(kidsOf(out));
  return reply;
}

function decodeEntities(s: string): string {
  return s.replace(/&(lt|gt|quot|apos|amp|#x[0-9a-fA-F]+|#[0-9]+);/g, (_m, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    return ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' } as Record<string, string>)[e] ?? '';
  });
}

/** What an RPC asks for, in words for errors: the body's first element, or the CLI text of a `<command>`. */
function operationOf(body: string): string {
  const name = /^\s*<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)/.exec(body)?.[1] ?? 'rpc';
  if (name !== 'command') return name;
  const text = /<(?:[\w.-]+:)?command\b[^>]*>([\s\S]*?)<\/(?:[\w.-]+:)?command\s*>/.exec(body)?.[1];
  const cli = text === undefined ? '' : decodeEntities(text).replace(/\s+/g, ' ').trim();
  return cli === '' ? 'command' : cli;
}

/** Device bytes quoted in an error: printable, short. */
function excerpt(b: Buffer): string {
  const s = b.subarray(0, 60).toString('utf8').replace(/[^\x20-\x7e]/g, '.');
  return JSON.stringify(s);
}

interface Pending {
  operation: string;
  allowErrors: boolean;
  timer: NodeJS.Timeout;
  resolve: (r: RpcReply) => void;
  reject: (e: Error) => void;
}

class NetconfClient implements NetconfSession {
  readonly endpoint: string;
  capabilities: string[] = [];
  sessionId = '';
  framing: '1.0' | '1.1' = '1.0';
  readonly closed: Promise<void>;
  private state: 'hello' | 'open' | 'gone' = 'hello';
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  private readonly deframer: Deframer;
  private helloWait: { resolve: () => void; reject: (e: Error) => void } | undefined;
  private offer11: boolean;
  private sawFirstByte = false;
  private cancelled = false;
  private closeStarted: Promise<void> | undefined;
  /** Why the session ended, for RPCs asked afterwards. */
  private goneReason: (() => TransportError) | undefined;
  private markClosed!: () => void;
  private readonly onAbort = (): void => {
    this.cancelled = true;
    this.gone(() => new CancelledError(this.endpoint));
  };

  constructor(endpoint: string, private readonly stream: Duplex, private readonly p: NetconfParams) {
    this.endpoint = endpoint;
    this.offer11 = p.offer11 !== false;
    this.closed = new Promise((resolve) => {
      this.markClosed = resolve;
    });
    this.deframer = new Deframer((m) => this.onMessage(m));
    p.signal?.addEventListener('abort', this.onAbort, { once: true });
    stream.on('data', (b: Buffer) => this.onData(b));
    stream.on('end', () => this.gone(undefined, undefined, true));
    stream.on('close', () => {
      this.gone();
      this.markClosed();
    });
    stream.on('error', (e: Error) => this.gone(undefined, e));
  }

  hello(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.gone(() => new TimeoutError(this.endpoint, `the device sent no NETCONF hello within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (): void => clearTimeout(timer);
      this.helloWait = {
        resolve: () => {
          done();
          resolve();
        },
        reject: (e) => {
          done();
          reject(e);
        },
      };
      // The abort or the channel's end may have come while the subsystem was opening.
      if (this.state === 'gone') this.helloWait.reject(this.goneReason?.() ?? new ConnectionLostError(this.endpoint, 'the NETCONF channel closed before the hello'));
    });
  }

  private onData(b: Buffer): void {
    if (this.state === 'gone') return;
    if (this.state === 'hello' && !this.sawFirstByte) {
      // A shell banner or a password prompt would otherwise only end in the hello timeout.
      const first = b.findIndex((x) => x !== 0x20 && x !== 0x09 && x !== 0x0a && x !== 0x0d);
      if (first >= 0) {
        this.sawFirstByte = true;
        if (b[first] !== 0x3c) {
          this.gone(() => new ConnectError(this.endpoint, `the netconf subsystem answered with something that is not XML (${excerpt(b.subarray(first))}), not a NETCONF hello`));
          return;
        }
      }
    }
    try {
      this.deframer.push(b);
    } catch (e) {
      if (!(e instanceof FramingError)) throw e;
      const why = e.message;
      this.gone(this.state === 'hello'
        ? () => new ConnectError(this.endpoint, `the netconf subsystem did not send a NETCONF hello (${why})`)
        : () => new ConnectionLostError(this.endpoint, `the device broke NETCONF framing (${why}); the session was closed`));
    }
  }

  private onMessage(m: Buffer): void {
    if (this.state === 'hello') this.onHello(m);
    else if (this.state === 'open') this.onReply(m);
  }

  private onHello(m: Buffer): void {
    const notHello = (why: string): void => {
      this.gone(() => new ConnectError(this.endpoint, `the netconf subsystem did not send a NETCONF hello (${why})`));
    };
    const doc = parseXml(m.toString('utf8'));
    if (!doc) return notHello(`not well-formed XML: ${excerpt(m)}`);
    const hello = doc.find((n) => tagOf(n) === 'hello');
    if (!hello) return notHello(`the first message is <${doc.map(tagOf).find((t) => t !== undefined && !t.startsWith('?') && t !== '#text') ?? '?'}>`);
    const kids = kidsOf(hello);
    const capsNode = kids.find((k) => tagOf(k) === 'capabilities');
    const caps = (capsNode ? kidsOf(capsNode) : []).filter((k) => tagOf(k) === 'capability').map((k) => textOf(kidsOf(k)).trim()).filter((c) => c !== '');
    const has10 = caps.includes(NETCONF_BASE_10);
    const has11 = caps.includes(NETCONF_BASE_11);
    if (!has10 && !has11) return notHello('its hello announces neither base:1.0 nor base:1.1');
    if (!has10 && !this.offer11) return notHello('the device speaks only base:1.1, which was not offered');
    this.capabilities = caps;
    this.sessionId = childText(kids, 'session-id') ?? '';
    const ours = [NETCONF_BASE_10, ...(this.offer11 ? [NETCONF_BASE_11] : [])].map((c) => `<capability>${c}</capability>`).join('');
    this.stream.write(Buffer.concat([Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><hello xmlns="${NS_BASE}"><capabilities>${ours}</capabilities></hello>`), EOM]));
    this.framing = this.offer11 && has11 ? '1.1' : '1.0';
    // Set before the deframer goes on: the next byte already belongs to the new framing.
    this.deframer.mode = this.framing;
    this.state = 'open';
    this.helloWait?.resolve();
    this.helloWait = undefined;
  }

  private onReply(m: Buffer): void {
    const xml = m.toString('utf8');
    const doc = parseXml(xml);
    if (!doc) {
      this.gone(() => new ConnectionLostError(this.endpoint, `the device sent a message that is not well-formed XML (${excerpt(m)}); the session was closed`));
      return;
    }
    const root = doc.find((n) => tagOf(n) === 'rpc-reply');
    // Notifications and anything else unasked are not answers.
    if (!root) return;
    const id = attrOf(root, 'message-id');
    // A reply without message-id (a device refusing a malformed rpc) can only be matched when one request waits;
    // with more, giving it to the oldest could resolve the wrong one (a late answer to a timed-out request).
    const key = id ?? (this.pending.size === 1 ? this.pending.keys().next().value : undefined);
    if (key === undefined) return;
    const p = this.pending.get(key);
    // A reply to a request that already timed out.
    if (!p) return;
    this.pending.delete(key);
    clearTimeout(p.timer);
    const reply = replyOf(key, xml, kidsOf(root));
    if (reply.errors.length > 0 && !p.allowErrors) p.reject(new NetconfRpcError(this.endpoint, p.operation, reply.errors));
    else p.resolve(reply);
  }

  rpc(body: string, rp: RpcParams = {}): Promise<RpcReply> {
    const operation = operationOf(body);
    if (this.state !== 'open') {
      return Promise.reject(this.goneReason?.() ?? new ConnectionLostError(this.endpoint, `the NETCONF session is not open; ${operation} was not sent`));
    }
    if (this.framing === '1.0' && body.includes(']]>]]>')) {
      return Promise.reject(new InputError('invalid-value', `the ${operation} request holds the NETCONF end-of-message marker "]]>]]>" (text not escaped with xmlEscape?); it was not sent`));
    }
    const timeoutMs = rp.timeoutMs ?? DEFAULT_RPC_TIMEOUT_MS;
    const id = String(this.nextId++);
    return new Promise<RpcReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new TimeoutError(this.endpoint, `the device did not answer ${operation} within ${timeoutMs} ms (it may still be working on it)`));
      }, timeoutMs);
      this.pending.set(id, { operation, allowErrors: rp.allowErrors === true, timer, resolve, reject });
      const xml = Buffer.from(`<rpc message-id="${id}" xmlns="${NS_BASE}">${body}</rpc>`, 'utf8');
      this.stream.write(this.framing === '1.1'
        ? Buffer.concat([Buffer.from(`\n#${xml.length}\n`), xml, Buffer.from('\n##\n')])
        : Buffer.concat([xml, EOM]));
    });
  }

  close(): Promise<void> {
    this.closeStarted ??= (async () => {
      if (this.state === 'open') {
        try {
          await this.rpc('<close-session/>', { timeoutMs: CLOSE_SESSION_TIMEOUT_MS, allowErrors: true });
        } catch {
          // Best effort: the channel is closed below either way.
        }
      }
      this.gone(() => new ConnectionLostError(this.endpoint, 'the NETCONF session was closed'), undefined, true);
    })();
    return this.closeStarted.then(() => this.closed);
  }

  /** Ends the session once: fails the hello wait and every pending RPC, and ends (`graceful`) or destroys the channel. */
  private gone(reason?: () => TransportError, err?: Error, graceful = false): void {
    if (this.state === 'gone') return;
    const wasHello = this.state === 'hello';
    this.state = 'gone';
    this.p.signal?.removeEventListener('abort', this.onAbort);
    const why = err ? ` (${err.message})` : '';
    this.goneReason = reason ?? (this.cancelled ? () => new CancelledError(this.endpoint)
      : () => new ConnectionLostError(this.endpoint, `the NETCONF channel closed${why}; the session is over`));
    if (wasHello) {
      const e = reason?.() ?? new ConnectionLostError(this.endpoint,
        `the device closed the NETCONF channel before sending its hello${why} — is NETCONF over SSH enabled (Junos: set system services netconf ssh)?`);
      this.helloWait?.reject(e);
      this.helloWait = undefined;
    }
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) {
      clearTimeout(p.timer);
      p.reject(reason?.() ?? new ConnectionLostError(this.endpoint,
        `the NETCONF channel closed${why} before the device answered ${p.operation}; it may or may not have completed on the device`));
    }
    if (this.stream.destroyed) return;
    if (!graceful) {
      this.stream.destroy();
      return;
    }
    this.stream.end();
    // A peer that never closes its side must not keep the channel open.
    const t = setTimeout(() => this.stream.destroy(), CHANNEL_END_GRACE_MS);
    t.unref();
    void this.closed.then(() => clearTimeout(t));
  }
}
