import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import {
  CancelledError,
  ConnectError,
  ConnectionLostError,
  NetconfRpcError,
  RemoteCommandError,
  TimeoutError,
} from '../../src/core/transport/errors.js';
import { NETCONF_BASE_10 as B10, NETCONF_BASE_11 as B11, openNetconf, xmlEscape, type NetconfParams, type NetconfSession, type RpcErrorInfo, type RpcReply } from '../../src/core/transport/netconf.js';
import type { SshSession } from '../../src/core/transport/types.js';

const ENDPOINT = 'router1.example.net:830';
const JUNOS_CAPS = ['urn:ietf:params:netconf:capability:candidate:1.0', 'http://xml.juniper.net/netconf/junos/1.0'];

/** Two connected in-memory streams: what one side writes, the other reads; ending or destroying one ends the other's input. */
function duplexPair(): [Duplex, Duplex] {
  const sides: Duplex[] = [];
  const ended = [false, false];
  const endInputOf = (j: number): void => {
    if (ended[j]) return;
    ended[j] = true;
    sides[j]?.push(null);
  };
  for (const i of [0, 1]) {
    sides.push(new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        if (!ended[1 - i]) sides[1 - i]?.push(chunk);
        cb();
      },
      final(cb) {
        endInputOf(1 - i);
        cb();
      },
      destroy(err, cb) {
        endInputOf(1 - i);
        cb(err);
      },
    }));
  }
  return [sides[0] as Duplex, sides[1] as Duplex];
}

function fakeSsh(stream: Duplex, opened: string[] = []): SshSession {
  return {
    endpoint: ENDPOINT,
    hostKey: { type: 'ssh-ed25519', fingerprint: 'SHA256:test', recorded: false },
    exec: () => Promise.reject(new Error('exec is not used by NETCONF')),
    subsystem: async (name) => {
      opened.push(name);
      return stream;
    },
    files: () => Promise.reject(new Error('files is not used by NETCONF')),
    closed: new Promise<void>(() => undefined),
    close: async () => undefined,
  };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function helloXml(caps: string[], sessionId = '4711'): string {
  return `<!-- No zombies were killed during the creation of this user interface -->\n<!-- user admin, class super-user -->\n`
    + `<hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities>${caps.map((c) => `<capability>${c}</capability>`).join('\n')}</capabilities>`
    + `<session-id>${sessionId}</session-id></hello>`;
}

/** Frames `xml` for the client: `]]>]]>`, or chunks of the given sizes (the last one takes the rest). */
function frame(framing: '1.0' | '1.1', xml: string, chunkSizes: number[] = []): Buffer {
  const b = Buffer.from(xml);
  if (framing === '1.0') return Buffer.concat([b, Buffer.from(']]>]]>')]);
  const parts: Buffer[] = [];
  let off = 0;
  for (const n of [...chunkSizes, b.length]) {
    const len = Math.min(n, b.length - off);
    if (len <= 0) break;
    parts.push(Buffer.from(`\n#${len}\n`), b.subarray(off, off + len));
    off += len;
  }
  parts.push(Buffer.from('\n##\n'));
  return Buffer.concat(parts);
}

/** The test plays the device: it reads the client's messages in the current framing and writes raw bytes. */
class Device {
  framing: '1.0' | '1.1' = '1.0';
  /** Everything the client wrote, as received. */
  raw = Buffer.alloc(0);
  private buf = Buffer.alloc(0);
  private wake: (() => void) | undefined;
  ended = false;

  constructor(readonly s: Duplex) {
    s.on('data', (b: Buffer) => {
      this.raw = Buffer.concat([this.raw, b]);
      this.buf = Buffer.concat([this.buf, b]);
      this.wake?.();
    });
    s.on('end', () => {
      this.ended = true;
      this.wake?.();
    });
  }

  send(b: string | Buffer): void {
    this.s.write(b);
  }

  reply(xml: string): void {
    this.send(frame(this.framing, xml));
  }

  /** The next message from the client; throws when the bytes are not framed as expected. */
  async next(): Promise<string> {
    for (;;) {
      const m = this.take();
      if (m !== undefined) return m;
      if (this.ended) throw new Error('the client closed the channel');
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  private take(): string | undefined {
    if (this.framing === '1.0') {
      const i = this.buf.indexOf(']]>]]>');
      if (i < 0) return undefined;
      const m = this.buf.subarray(0, i).toString();
      this.buf = this.buf.subarray(i + 6);
      return m;
    }
    const parts: Buffer[] = [];
    let pos = 0;
    for (;;) {
      const head = this.buf.subarray(pos, pos + 14).toString('latin1');
      if (head.startsWith('\n##\n') && parts.length > 0) {
        this.buf = this.buf.subarray(pos + 4);
        return Buffer.concat(parts).toString();
      }
      const h = /^\n#([1-9][0-9]*)\n/.exec(head);
      if (!h) {
        if (this.buf.length - pos < 14 && /^(\n(#[0-9]*)?)?$|^\n##?$/.test(head)) return undefined;
        throw new Error(`the client's framing is not chunked: ${JSON.stringify(head)}`);
      }
      const len = Number(h[1]);
      const start = pos + h[0].length;
      if (this.buf.length < start + len) return undefined;
      parts.push(this.buf.subarray(start, start + len));
      pos = start + len;
    }
  }
}

function messageIdOf(rpc: string): string {
  const id = /<rpc message-id="(\d+)"/.exec(rpc)?.[1];
  if (id === undefined) throw new Error(`not an rpc: ${rpc}`);
  return id;
}

const okReply = (id: string, inner = '<ok/>'): string =>
  `<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" xmlns:junos="http://xml.juniper.net/junos/23.4R0/junos" message-id="${id}">\n${inner}\n</rpc-reply>\n`;

interface Opened {
  nc: NetconfSession;
  device: Device;
  /** The client's hello as the device received it. */
  clientHello: string;
  opened: string[];
}

/** Opens a session with the device announcing `caps` (base:1.0 and 1.1 by default). */
async function open(caps: string[] = [B10, B11, ...JUNOS_CAPS], p: NetconfParams = {}): Promise<Opened> {
  const [client, dev] = duplexPair();
  const device = new Device(dev);
  const opened: string[] = [];
  device.send(`${helloXml(caps)}]]>]]>\n`);
  const nc = await openNetconf(fakeSsh(client, opened), p);
  const clientHello = await device.next();
  device.framing = nc.framing;
  return { nc, device, clientHello, opened };
}

async function errorOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('hello exchange', () => {
  const cases: { name: string; caps: string[]; offer11?: boolean; want: { framing: '1.0' | '1.1'; clientCaps: string[] } }[] = [
    { name: 'device base:1.0 only (Junos default)', caps: [B10, ...JUNOS_CAPS], want: { framing: '1.0', clientCaps: [B10, B11] } },
    { name: 'both announce base:1.1', caps: [B10, B11, ...JUNOS_CAPS], want: { framing: '1.1', clientCaps: [B10, B11] } },
    { name: 'device base:1.1, client offer11 false', caps: [B10, B11], offer11: false, want: { framing: '1.0', clientCaps: [B10] } },
    { name: 'device base:1.1 only', caps: [B11], want: { framing: '1.1', clientCaps: [B10, B11] } },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const { nc, device, clientHello, opened } = await open(c.caps, c.offer11 === undefined ? {} : { offer11: c.offer11 });
      expect(opened).toEqual(['netconf']);
      expect(nc.framing).toBe(c.want.framing);
      expect(nc.capabilities).toEqual(c.caps);
      expect(nc.sessionId).toBe('4711');
      expect(nc.endpoint).toBe(ENDPOINT);
      expect([...clientHello.matchAll(/<capability>([^<]*)<\/capability>/g)].map((m) => m[1])).toEqual(c.want.clientCaps);
      expect(clientHello).toMatch(/<hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">/);
      // The first RPC travels in the agreed framing.
      const helloBytes = device.raw.length;
      const pending = nc.rpc('<get-software-information/>');
      const rpc = await device.next();
      const rawRpc = device.raw.subarray(helloBytes).toString();
      if (c.want.framing === '1.1') expect(rawRpc).toMatch(/^\n#\d+\n<rpc [\s\S]*\n##\n$/);
      else expect(rawRpc).toMatch(/^<rpc [\s\S]*<\/rpc>\]\]>\]\]>$/);
      expect(rpc).toBe(`<rpc message-id="1" xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><get-software-information/></rpc>`);
      device.reply(okReply('1'));
      expect((await pending).ok).toBe(true);
    });
  }

  const failures: { name: string; device: (d: Device) => void; p?: NetconfParams; want: new (...a: never[]) => Error; code: string; message: RegExp }[] = [
    { name: 'a password prompt instead of a hello', device: (d) => d.send('Password: '), want: ConnectError, code: 'connect-failed', message: /not XML.*Password/ },
    { name: 'XML that is not well-formed', device: (d) => d.send('<hello><capabilities>]]>]]>'), want: ConnectError, code: 'connect-failed', message: /not well-formed XML/ },
    { name: 'a first message that is not a hello', device: (d) => d.send(`${okReply('1')}]]>]]>`), want: ConnectError, code: 'connect-failed', message: /first message is <rpc-reply>/ },
    { name: 'a hello without a base capability', device: (d) => d.send(`${helloXml(JUNOS_CAPS)}]]>]]>`), want: ConnectError, code: 'connect-failed', message: /neither base:1.0 nor base:1.1/ },
    { name: 'a base:1.1-only device when 1.1 is not offered', device: (d) => d.send(`${helloXml([B11])}]]>]]>`), p: { offer11: false }, want: ConnectError, code: 'connect-failed', message: /only base:1.1/ },
    { name: 'the channel closed before the hello', device: (d) => d.s.end(), want: ConnectionLostError, code: 'connection-lost', message: /before sending its hello.*set system services netconf ssh/ },
    { name: 'no hello in time', device: () => undefined, p: { helloTimeoutMs: 30 }, want: TimeoutError, code: 'timeout', message: /no NETCONF hello within 30 ms/ },
  ];
  for (const f of failures) {
    it(`refuses ${f.name}`, async () => {
      const [client, dev] = duplexPair();
      const device = new Device(dev);
      f.device(device);
      const e = await errorOf(openNetconf(fakeSsh(client), f.p));
      expect(e).toBeInstanceOf(f.want);
      expect((e as ConnectError).code).toBe(f.code);
      expect(e.message).toContain(ENDPOINT);
      expect(e.message).toMatch(f.message);
      // The channel is not left open.
      await tick();
      expect(device.ended).toBe(true);
    });
  }

  it('is cancelled by an aborted signal before the subsystem opens', async () => {
    const [client] = duplexPair();
    const opened: string[] = [];
    const e = await errorOf(openNetconf(fakeSsh(client, opened), { signal: AbortSignal.abort() }));
    expect(e).toBeInstanceOf(CancelledError);
    expect(opened).toEqual([]);
  });

  it('is cancelled by an abort while waiting for the hello', async () => {
    const [client, dev] = duplexPair();
    const device = new Device(dev);
    const ac = new AbortController();
    const pending = openNetconf(fakeSsh(client), { signal: ac.signal });
    await tick();
    ac.abort();
    expect(await errorOf(pending)).toBeInstanceOf(CancelledError);
    await tick();
    expect(device.ended).toBe(true);
  });

  it('passes on a refused subsystem', async () => {
    const session: SshSession = { ...fakeSsh(duplexPair()[0]), subsystem: () => Promise.reject(new RemoteCommandError(ENDPOINT, 'subsystem netconf', null, 'refused')) };
    expect(await errorOf(openNetconf(session))).toBeInstanceOf(RemoteCommandError);
  });
});

describe('framing', () => {
  const REPLY_OUTPUT = 'Certificate identifier: r1 — ü';
  const replyWithOutput = (id: string): string => okReply(id, `<output>${REPLY_OUTPUT}</output>`);

  for (const framing of ['1.0', '1.1'] as const) {
    it(`base:${framing}: a reply split at every byte position arrives whole`, async () => {
      const { nc, device } = await open(framing === '1.1' ? [B10, B11] : [B10]);
      const probe = frame(framing, replyWithOutput('1'), [20, 7]);
      for (let at = 1; at < probe.length; at++) {
        const pending = nc.rpc('<command format="text">show security pki local-certificate</command>');
        const id = messageIdOf(await device.next());
        const bytes = frame(framing, replyWithOutput(id), [20, 7]);
        device.send(bytes.subarray(0, at));
        await tick();
        device.send(bytes.subarray(at));
        const r = await pending;
        expect(r.messageId).toBe(id);
        expect(r.output).toBe(REPLY_OUTPUT);
      }
    });

    it(`base:${framing}: a reply fed one byte at a time, then two replies in one read`, async () => {
      const { nc, device } = await open(framing === '1.1' ? [B10, B11] : [B10]);
      const first = nc.rpc('<get-a/>');
      const id1 = messageIdOf(await device.next());
      for (const b of frame(framing, replyWithOutput(id1), [3, 1, 5])) {
        device.send(Buffer.from([b]));
        await tick();
      }
      expect((await first).output).toBe(REPLY_OUTPUT);
      const a = nc.rpc('<get-a/>');
      const b = nc.rpc('<get-b/>');
      const ida = messageIdOf(await device.next());
      const idb = messageIdOf(await device.next());
      device.send(Buffer.concat([frame(framing, okReply(ida, '<output>A</output>')), frame(framing, okReply(idb, '<output>B</output>'))]));
      expect([(await a).output, (await b).output]).toEqual(['A', 'B']);
    });
  }

  it('base:1.1: a multi-chunk message, a UTF-8 character cut between chunks', async () => {
    const { nc, device } = await open([B10, B11]);
    const pending = nc.rpc('<command format="text">show configuration | display set</command>');
    const id = messageIdOf(await device.next());
    const xml = okReply(id, '<output>café ü</output>');
    const cut = Buffer.from(xml).indexOf(Buffer.from('é')) + 1;
    device.send(frame('1.1', xml, [cut, 1, 1, 9]));
    expect((await pending).output).toBe('café ü');
  });

  const malformed: { name: string; input: string; message: RegExp }[] = [
    // The device's hello ended with a newline, which may start the first header; a space after it does not.
    { name: 'no newline right before #', input: ' #5\nhello', message: /malformed chunk header/ },
    { name: 'text instead of a chunk header', input: 'hello\n#5\n', message: /malformed chunk header/ },
    { name: 'a letter for the size', input: '\n#abc\n', message: /malformed chunk header/ },
    { name: 'size 0', input: '\n#0\n', message: /malformed chunk header/ },
    { name: 'a leading zero', input: '\n#05\nhello', message: /malformed chunk header/ },
    { name: 'an empty size', input: '\n#\n', message: /malformed chunk header/ },
    { name: 'a size over 4 GiB', input: '\n#4294967296\n', message: /over 4 GiB/ },
    { name: 'eleven digits', input: '\n#12345678901', message: /over 4 GiB/ },
    { name: 'a chunk over the 64 MiB message cap', input: `\n#${64 * 1024 * 1024 + 1}\n`, message: /over 67108864 bytes/ },
    { name: 'end-of-chunks without a chunk', input: '\n##\n', message: /without any chunk/ },
    { name: 'a bad marker after a chunk', input: '\n#3\nabc\n#x', message: /malformed chunk header/ },
    { name: 'a bad end marker', input: '\n#3\nabc\n##x', message: /malformed end-of-chunks/ },
  ];
  for (const m of malformed) {
    it(`base:1.1: ${m.name} ends the session with ConnectionLostError`, async () => {
      const { nc, device } = await open([B10, B11]);
      const pending = nc.rpc('<get-a/>');
      await device.next();
      device.send(m.input);
      const e = await errorOf(pending);
      expect(e).toBeInstanceOf(ConnectionLostError);
      expect(e.message).toContain(ENDPOINT);
      expect(e.message).toMatch(m.message);
      await nc.closed;
      expect(await errorOf(nc.rpc('<get-b/>'))).toBeInstanceOf(ConnectionLostError);
    });
  }

  it('base:1.0: a reply that is not XML ends the session', async () => {
    const { nc, device } = await open([B10]);
    const pending = nc.rpc('<get-a/>');
    await device.next();
    device.send('<rpc-reply message-id="1"><ok/>]]>]]>');
    const e = await errorOf(pending);
    expect(e).toBeInstanceOf(ConnectionLostError);
    expect(e.message).toMatch(/not well-formed XML/);
  });

  it('base:1.0: a body holding the end-of-message marker is refused before it is sent', async () => {
    const { nc, device } = await open([B10]);
    const sent = device.raw.length;
    const e = await errorOf(nc.rpc('<command>show ]]>]]></command>'));
    expect(e).toBeInstanceOf(InputError);
    await tick();
    expect(device.raw.length).toBe(sent);
  });

  it('replies out of order are matched by message-id; ids increase', async () => {
    const { nc, device } = await open([B10]);
    const calls = [nc.rpc('<get-a/>'), nc.rpc('<get-b/>'), nc.rpc('<get-c/>')];
    const ids = [messageIdOf(await device.next()), messageIdOf(await device.next()), messageIdOf(await device.next())];
    expect(ids).toEqual(['1', '2', '3']);
    // A notification and a reply to nobody are not answers.
    device.reply('<notification xmlns="urn:ietf:params:xml:ns:netconf:notification:1.0"><eventTime>now</eventTime></notification>');
    device.reply(okReply('99', '<output>stray</output>'));
    device.reply(okReply('3', '<output>c</output>'));
    device.reply(okReply('1', '<output>a</output>'));
    device.reply(okReply('2', '<output>b</output>'));
    const replies = await Promise.all(calls);
    expect(replies.map((r) => [r.messageId, r.output])).toEqual([['1', 'a'], ['2', 'b'], ['3', 'c']]);
  });

  it('a reply without message-id answers the one waiting request, and is dropped when several wait', async () => {
    const { nc, device } = await open([B10]);
    const one = nc.rpc('<get-a/>', { allowErrors: true });
    await device.next();
    device.send('<rpc-reply><output>only</output></rpc-reply>]]>]]>');
    expect((await one).output).toBe('only');
    const two = [nc.rpc('<get-b/>'), nc.rpc('<get-c/>')];
    const ids = [messageIdOf(await device.next()), messageIdOf(await device.next())];
    // Which of the two it answers cannot be known: it must answer neither.
    device.send('<rpc-reply><output>whose?</output></rpc-reply>]]>]]>');
    device.reply(okReply(ids[1]!, '<output>c</output>'));
    device.reply(okReply(ids[0]!, '<output>b</output>'));
    expect((await Promise.all(two)).map((r) => r.output)).toEqual(['b', 'c']);
  });
});

describe('replies', () => {
  const ERR_NS = 'xmlns:xnm="http://xml.juniper.net/xnm/1.1/xnm"';
  const cases: { name: string; input: string; want: Partial<RpcReply> & { errors: RpcErrorInfo[]; warnings: RpcErrorInfo[] } }[] = [
    {
      name: 'ok',
      input: '<ok/>',
      want: { ok: true, errors: [], warnings: [], output: undefined },
    },
    {
      name: 'ok inside load-configuration-results',
      input: '<load-configuration-results><ok/></load-configuration-results>',
      want: { ok: true, errors: [], warnings: [] },
    },
    {
      name: 'rpc-error with type, tag, severity, path and message',
      input: `<rpc-error><error-type>protocol</error-type><error-tag>operation-failed</error-tag><error-severity>error</error-severity>
        <error-path>[edit security pki]</error-path><error-message>
        Key pair does not match the certificate
        </error-message><error-info><bad-element>router1</bad-element></error-info></rpc-error>`,
      want: { ok: false, errors: [{ severity: 'error', type: 'protocol', tag: 'operation-failed', message: 'Key pair does not match the certificate', path: '[edit security pki]' }], warnings: [] },
    },
    {
      name: 'rpc-error with bad-element only, entities in the message',
      input: `<rpc-error><error-type>rpc</error-type><error-tag>operation-not-supported</error-tag><error-severity>error</error-severity>
        <error-message>syntax error, expecting &lt;command&gt; or &quot;rpc&quot; &amp;c</error-message><error-info><bad-element>frobnicate</bad-element></error-info></rpc-error>`,
      want: { ok: false, errors: [{ severity: 'error', type: 'rpc', tag: 'operation-not-supported', message: 'syntax error, expecting <command> or "rpc" &c', path: 'frobnicate' }], warnings: [] },
    },
    {
      name: 'Junos xnm:error inside load-configuration-results',
      input: `<load-configuration-results><xnm:error xmlns="http://xml.juniper.net/xnm/1.1/xnm" ${ERR_NS}><source-daemon>mgd</source-daemon>
        <edit-path>[edit system services]</edit-path><statement>frob</statement><message>syntax error</message></xnm:error><ok/></load-configuration-results>`,
      want: { ok: false, errors: [{ severity: 'error', message: 'syntax error', path: '[edit system services] frob' }], warnings: [] },
    },
    {
      name: 'a warning rpc-error with a successful commit',
      input: `<commit-results><rpc-error><error-type>protocol</error-type><error-tag>operation-failed</error-tag><error-severity>warning</error-severity>
        <error-message>mgd: statement has no contents; ignored</error-message></rpc-error>
        <routing-engine><name>re0</name><commit-success/></routing-engine></commit-results>`,
      want: { ok: false, errors: [], warnings: [{ severity: 'warning', type: 'protocol', tag: 'operation-failed', message: 'mgd: statement has no contents; ignored' }] },
    },
    {
      name: 'xnm:warning with ok',
      input: `<load-configuration-results><xnm:warning ${ERR_NS}><message>statement not found</message></xnm:warning><ok/></load-configuration-results>`,
      want: { ok: true, errors: [], warnings: [{ severity: 'warning', message: 'statement not found' }] },
    },
    {
      name: 'output with entities and character references decoded',
      input: '<output>\nCertificate identifier: r1 &amp; &lt;x&gt; &quot;q&quot; &apos;s&apos; &#x41;&#10;caf&#233;\n</output>',
      want: { ok: false, errors: [], warnings: [], output: '\nCertificate identifier: r1 & <x> "q" \'s\' A\ncafé\n' },
    },
    {
      name: 'output inside CDATA',
      input: '<output><![CDATA[a <b> & c]]></output>',
      want: { ok: false, errors: [], warnings: [], output: 'a <b> & c' },
    },
    {
      name: 'configuration-set',
      input: '<configuration-set>set system host-name r1\nset security pki ca-profile lab ca-identity lab\n</configuration-set>',
      want: { ok: false, errors: [], warnings: [], output: 'set system host-name r1\nset security pki ca-profile lab ca-identity lab\n' },
    },
    {
      name: 'configuration-text',
      input: '<configuration-information><configuration-text>system {\n    host-name r1;\n}\n</configuration-text></configuration-information>',
      want: { ok: false, errors: [], warnings: [], output: 'system {\n    host-name r1;\n}\n' },
    },
    {
      name: 'configuration-output (show configuration | display set through <command>)',
      input: '<configuration-information><configuration-output>\nset system host-name r1\nset system services netconf ssh\n</configuration-output></configuration-information>',
      want: { ok: false, errors: [], warnings: [], output: '\nset system host-name r1\nset system services netconf ssh\n' },
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const { nc, device } = await open([B10]);
      const pending = nc.rpc('<get-a/>', { allowErrors: true });
      const id = messageIdOf(await device.next());
      const xml = `<?xml version="1.0" encoding="UTF-8"?>\n${okReply(id, c.input)}`;
      device.reply(xml);
      const r = await pending;
      expect(r.messageId).toBe(id);
      expect(r.xml).toContain(c.input);
      expect({ ok: r.ok, errors: r.errors, warnings: r.warnings, output: r.output }).toEqual({ ok: c.want.ok, errors: c.want.errors, warnings: c.want.warnings, output: c.want.output });
    });
  }

  it('errors throw NetconfRpcError naming the CLI command; warnings alone do not', async () => {
    const { nc, device } = await open([B10]);
    const cli = 'request security pki local-certificate load certificate-id r1 filename /var/tmp/r1.crt key /var/tmp/r1.key';
    const failing = nc.rpc(`<command format="text">${xmlEscape(cli)}</command>`);
    device.reply(okReply(messageIdOf(await device.next()), '<rpc-error><error-severity>error</error-severity><error-message>Key pair does not match</error-message></rpc-error>'));
    const e = await errorOf(failing);
    expect(e).toBeInstanceOf(NetconfRpcError);
    expect((e as NetconfRpcError).operation).toBe(cli);
    expect((e as NetconfRpcError).errors).toEqual([{ severity: 'error', message: 'Key pair does not match' }]);
    expect(e.message).toBe(`${ENDPOINT}: the device refused ${cli}: Key pair does not match`);

    const load = nc.rpc('<load-configuration action="set" format="text"><configuration-set>set frob</configuration-set></load-configuration>');
    device.reply(okReply(messageIdOf(await device.next()), `<load-configuration-results><xnm:error ${ERR_NS}><message>syntax error</message></xnm:error></load-configuration-results>`));
    const le = await errorOf(load);
    expect((le as NetconfRpcError).operation).toBe('load-configuration');
    // The request body is not echoed into the error.
    expect(le.message).not.toContain('set frob');

    const warned = nc.rpc('<commit-configuration/>');
    device.reply(okReply(messageIdOf(await device.next()), `<commit-results><xnm:warning ${ERR_NS}><message>uncommitted changes</message></xnm:warning><routing-engine><name>re0</name><commit-success/></routing-engine></commit-results>`));
    const r = await warned;
    expect(r.errors).toEqual([]);
    expect(r.warnings.map((w) => w.message)).toEqual(['uncommitted changes']);
  });
});

describe('session lifetime', () => {
  it('a reply late for its timeout is ignored; the next RPC gets its own reply', async () => {
    const { nc, device } = await open([B10]);
    const slow = nc.rpc('<commit-configuration/>', { timeoutMs: 20 });
    const id1 = messageIdOf(await device.next());
    const e = await errorOf(slow);
    expect(e).toBeInstanceOf(TimeoutError);
    expect(e.message).toMatch(/did not answer commit-configuration within 20 ms/);
    const next = nc.rpc('<get-b/>');
    const id2 = messageIdOf(await device.next());
    device.reply(okReply(id1, '<output>late</output>'));
    device.reply(okReply(id2, '<output>on time</output>'));
    expect((await next).output).toBe('on time');
  });

  it('the channel closing mid-RPC gives ConnectionLostError', async () => {
    const { nc, device } = await open([B10, B11]);
    const pending = nc.rpc('<command format="text">show security pki ca-certificate</command>');
    await device.next();
    device.s.end();
    const e = await errorOf(pending);
    expect(e).toBeInstanceOf(ConnectionLostError);
    expect(e.message).toMatch(/before the device answered show security pki ca-certificate; it may or may not have completed/);
    await nc.closed;
    expect(await errorOf(nc.rpc('<get-a/>'))).toBeInstanceOf(ConnectionLostError);
  });

  it('an abort gives CancelledError and closes the channel', async () => {
    const ac = new AbortController();
    const { nc, device } = await open([B10], { signal: ac.signal });
    const pending = nc.rpc('<commit-configuration/>');
    await device.next();
    ac.abort();
    expect(await errorOf(pending)).toBeInstanceOf(CancelledError);
    await nc.closed;
    expect(device.ended).toBe(true);
    expect(await errorOf(nc.rpc('<get-a/>'))).toBeInstanceOf(CancelledError);
  });

  for (const framing of ['1.0', '1.1'] as const) {
    it(`close() sends <close-session/> (base:${framing}), ends the channel and is safe twice`, async () => {
      const { nc, device } = await open(framing === '1.1' ? [B10, B11] : [B10]);
      const closing = nc.close();
      const rpc = await device.next();
      expect(rpc).toMatch(/^<rpc message-id="1" [^>]*><close-session\/><\/rpc>$/);
      device.reply(okReply(messageIdOf(rpc)));
      device.s.end();
      await closing;
      await nc.close();
      await nc.closed;
      expect(device.ended).toBe(true);
      expect(await errorOf(nc.rpc('<get-a/>'))).toBeInstanceOf(ConnectionLostError);
    });
  }

  it('close() completes when the device ends its side without answering <close-session/>', async () => {
    const { nc, device } = await open([B10]);
    const closing = nc.close();
    await device.next();
    // The device ends its side without answering: close() still completes.
    device.s.end();
    await closing;
    expect(device.ended).toBe(true);
  });
});

describe('xmlEscape', () => {
  const cases: { name: string; input: string; want: string }[] = [
    { name: 'plain', input: 'show security pki local-certificate', want: 'show security pki local-certificate' },
    { name: 'all five', input: `a&b<c>d"e'f`, want: 'a&amp;b&lt;c&gt;d&quot;e&apos;f' },
    { name: 'the 1.0 end marker', input: ']]>]]>', want: ']]&gt;]]&gt;' },
    { name: 'newlines and tabs kept', input: 'set a\n\tset b\r\n', want: 'set a\n\tset b\r\n' },
    { name: 'already escaped text escaped again', input: '&amp;', want: '&amp;amp;' },
  ];
  for (const c of cases) it(c.name, () => expect(xmlEscape(c.input)).toBe(c.want));

  it('refuses control characters XML cannot carry', () => {
    for (const bad of ['a\u0000b', 'a\u0001', '\u001b[0m']) expect(() => xmlEscape(bad)).toThrow(InputError);
  });
});
