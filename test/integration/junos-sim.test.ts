import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ssh2, { type Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { fingerprintOf } from '../helpers/apstra-standin.js';
import { startJunosSim, type JunosSim, type JunosSimParams } from '../helpers/junos-sim.js';
import { openssl, tempDir } from '../helpers/openssl.js';

/*
 * The Junos simulator checked from the outside, as a device would be: a raw ssh2 Client, NETCONF framing and an
 * SCP source written here (not certbench's client), `ssh-keygen` for the host key and `openssl s_client` for what
 * the HTTPS listeners serve.
 */

const pki = (name: string): string => fileURLToPath(new URL(`../fixtures/pki/${name}`, import.meta.url));
const t = tempDir('certbench-junos-sim-test-');
afterAll(() => t.cleanup());

const USER = { name: 'lab', password: 'lab123' };
let sim: JunosSim | undefined;
const clients: Client[] = [];

async function start(p: Partial<JunosSimParams> = {}): Promise<JunosSim> {
  sim = await startJunosSim({ users: [USER], ...p });
  return sim;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.end();
  await sim?.close();
  sim = undefined;
});

/** Keyboard-interactive prompts the simulator asked, answered with USER's password. */
const prompts: string[] = [];

/** Connects; resolves with the client and the host key blob it was shown, or rejects with ssh2's error. */
function connect(s: JunosSim, cfg: Partial<ConnectConfig> = {}): Promise<{ client: Client; hostKey: Buffer }> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    clients.push(client);
    client.on('keyboard-interactive', (_name, _instructions, _lang, asked, finish) => {
      prompts.push(...asked.map((q) => q.prompt));
      finish(asked.map(() => USER.password));
    });
    let hostKey: Buffer = Buffer.alloc(0);
    client.once('ready', () => resolve({ client, hostKey }));
    client.once('error', reject);
    client.connect({
      host: '127.0.0.1', port: s.port, username: USER.name, password: USER.password, readyTimeout: 20_000,
      hostVerifier: (key: Buffer) => {
        hostKey = key;
        return true;
      },
      ...cfg,
    });
  });
}

/** A minimal NETCONF client: RFC 6242 framing both ways, replies returned as raw XML. */
interface Nc {
  hello: string;
  framing: '1.0' | '1.1';
  ch: ClientChannel;
  rpc(body: string, id?: string): Promise<string>;
  closed: Promise<void>;
}

async function netconf(client: Client, offer11: boolean, split = false): Promise<Nc> {
  const ch = await new Promise<ClientChannel>((resolve, reject) => client.subsys('netconf', (err, c) => (err ? reject(err) : resolve(c))));
  let buf = Buffer.alloc(0);
  let framing: 'hello' | '1.0' | '1.1' = 'hello';
  const waiting: ((xml: string) => void)[] = [];
  const queued: string[] = [];
  const closed = new Promise<void>((resolve) => ch.once('close', () => resolve()));
  const deliver = (xml: string): void => {
    const w = waiting.shift();
    if (w) w(xml);
    else queued.push(xml);
  };
  const next = (): Promise<string> => {
    const q = queued.shift();
    return q !== undefined ? Promise.resolve(q) : new Promise((resolve) => waiting.push(resolve));
  };
  ch.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      if (framing !== '1.1') {
        const i = buf.indexOf(']]>]]>');
        if (i < 0) return;
        deliver(buf.subarray(0, i).toString('utf8'));
        buf = buf.subarray(i + 6);
        continue;
      }
      let pos = 0;
      const parts: Buffer[] = [];
      for (;;) {
        const m = /^\n#(#|\d+)\n/.exec(buf.subarray(pos, pos + 16).toString('latin1'));
        if (!m) return;
        if (m[1] === '#') {
          buf = buf.subarray(pos + 4);
          deliver(Buffer.concat(parts).toString('utf8'));
          break;
        }
        const start = pos + m[0].length;
        const len = Number(m[1]);
        if (buf.length < start + len) return;
        parts.push(buf.subarray(start, start + len));
        pos = start + len;
      }
    }
  });
  const hello = await next();
  const both11 = offer11 && hello.includes('urn:ietf:params:netconf:base:1.1');
  const caps = ['urn:ietf:params:netconf:base:1.0', ...(offer11 ? ['urn:ietf:params:netconf:base:1.1'] : [])];
  ch.write(`<hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities>${caps.map((c) => `<capability>${c}</capability>`).join('')}</capabilities></hello>]]>]]>`);
  framing = both11 ? '1.1' : '1.0';
  let n = 100;
  return {
    hello,
    framing,
    ch,
    closed,
    rpc: (body, id = String(++n)) => {
      const xml = `<rpc message-id="${id}" xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">${body}</rpc>`;
      if (framing === '1.1') {
        // Split in two chunks so the simulator must join them.
        const b = Buffer.from(xml);
        const cut = split ? Math.floor(b.length / 2) : b.length;
        const chunks = [b.subarray(0, cut), b.subarray(cut)].filter((c) => c.length > 0);
        ch.write(Buffer.concat([...chunks.flatMap((c) => [Buffer.from(`\n#${c.length}\n`), c]), Buffer.from('\n##\n')]));
      } else {
        ch.write(`${xml}]]>]]>`);
      }
      return next();
    },
  };
}

const command = (text: string): string => `<command format="text">${text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</command>`;
/** Junos's own <xnm:error> messages (not <rpc-error>). */
const xnmErrors = (xml: string): string[] => [...xml.matchAll(/<xnm:error\b[^>]*>\s*<message>([\s\S]*?)<\/message>/g)].map((m) => (m[1] ?? '').trim());
const severities = (xml: string): string[] => [...xml.matchAll(/<error-severity>(\w+)<\/error-severity>/g)].map((m) => m[1] ?? '');
const loadSet = (lines: string[]): string => `<load-configuration action="set" format="text"><configuration-set>${lines.join('\n')}</configuration-set></load-configuration>`;
/** The reply of a lock/unlock that succeeded: an <rpc-reply> with nothing in it. */
const EMPTY_REPLY = /^\s*<rpc-reply [^>]*message-id="\d+">\s*<\/rpc-reply>\s*$/;
const errorMessages = (xml: string): string[] => [...xml.matchAll(/<error-message>([\s\S]*?)<\/error-message>/g)].map((m) => (m[1] ?? '').trim());
const output = (xml: string): string => (/<(output|configuration-output)>([\s\S]*?)<\/\1>/.exec(xml)?.[2] ?? '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The SCP source side (`scp -t` on the far end): returns the exit status and any `\x01`/`\x02` message. */
function scpUpload(client: Client, target: string, name: string, data: Buffer, mode = '0600'): Promise<{ code: number | undefined; error: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    client.exec(`scp -t ${target}`, (err, ch) => {
      if (err) return reject(err);
      let acks = 0;
      let error = '';
      let stderr = '';
      let code: number | undefined;
      let pending = Buffer.alloc(0);
      ch.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      ch.on('exit', (c: number | null) => {
        code = c ?? undefined;
      });
      ch.on('close', () => resolve({ code, error, stderr }));
      ch.on('data', (d: Buffer) => {
        pending = Buffer.concat([pending, d]);
        while (pending.length > 0) {
          if (pending[0] !== 0) {
            const nl = pending.indexOf(0x0a);
            if (nl < 0) return;
            error = pending.subarray(1, nl).toString();
            pending = pending.subarray(nl + 1);
            ch.end();
            continue;
          }
          pending = pending.subarray(1);
          acks++;
          if (acks === 1) ch.write(`C${mode} ${data.length} ${name}\n`);
          else if (acks === 2) ch.write(Buffer.concat([data, Buffer.from([0])]));
          else if (acks === 3) ch.end();
        }
      });
    });
  });
}

/** The SHA-256 fingerprint of what 127.0.0.1:port serves, read by `openssl s_client` (spawned: the sim shares this event loop). */
async function served(port: number): Promise<string> {
  const child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`], { stdio: ['pipe', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stdin.end();
  await new Promise((resolve) => child.once('close', resolve));
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(out)?.[0];
  if (!pem) throw new Error(`openssl s_client read no certificate from port ${port}`);
  return fingerprintOf(pem);
}

async function pollUntil(what: string, check: () => Promise<boolean> | boolean): Promise<void> {
  for (const deadline = Date.now() + 30_000; !(await check());) {
    if (Date.now() > deadline) throw new Error(`still not ${what} after 30 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** An Ed25519 key pair ssh2 can parse (its generator drops a leading zero byte about once in 200 keys). */
function edKeyPair(): { public: string; private: string } {
  for (;;) {
    const kp = ssh2.utils.generateKeyPairSync('ed25519');
    if (!(ssh2.utils.parseKey(kp.public) instanceof Error) && !(ssh2.utils.parseKey(kp.private) instanceof Error)) return kp;
  }
}

const RSA_FP = fingerprintOf(readFileSync(pki('rsa.crt'), 'utf8'));
const R1 = (): NonNullable<JunosSimParams['localCerts']> => [{ id: 'r1', certPem: readFileSync(pki('rsa.crt'), 'utf8'), keyPem: readFileSync(pki('rsa.key'), 'utf8') }];
const BIND_REST = 'set system services rest https server-certificate r1';
const COMMIT_CONFIRMED = (minutes: number): string => `<commit-configuration><confirmed/><confirm-timeout>${minutes}</confirm-timeout></commit-configuration>`;

describe('junos simulator', () => {
  it('says hello like Junos (base:1.0 only), shows the committed configuration, and its host key is the one announced', async () => {
    const s = await start();
    const { client, hostKey } = await connect(s);
    writeFileSync(t.path('host.pub'), `ssh-ed25519 ${hostKey.toString('base64')}\n`);
    expect(spawnSync('ssh-keygen', ['-lf', t.path('host.pub')], { encoding: 'utf8' }).stdout.split(' ')[1]).toBe(s.hostKeyFingerprint);

    const nc = await netconf(client, true);
    expect(nc.framing).toBe('1.0');
    expect(nc.hello).toContain('<capability>urn:ietf:params:netconf:base:1.0</capability>');
    expect(nc.hello).not.toContain('urn:ietf:params:netconf:base:1.1');
    expect(nc.hello).toContain('http://xml.juniper.net/netconf/junos/1.0');
    expect(nc.hello).toMatch(/<session-id>\d+<\/session-id>/);

    const r = await nc.rpc(command('show configuration | display set'), 'abc-7');
    expect(r).toMatch(/<rpc-reply [^>]*message-id="abc-7"/);
    expect(output(r).trim().split('\n')).toEqual(['set system host-name sim-router', 'set system services netconf ssh',
      `set system services rest https port ${s.restPort}`, 'set system services web-management https system-generated-certificate']);
    const bad = await nc.rpc('<get-software-information/>');
    expect(bad).toContain('<error-tag>operation-not-supported</error-tag>');
    expect(s.rpcs).toEqual(['command: show configuration | display set', 'get-software-information']);
    expect(await nc.rpc('<close-session/>')).toContain('<ok/>');
    await nc.closed;
  });

  it('speaks RFC 6242 chunked framing when both sides announce base:1.1, and closes on a broken chunk', async () => {
    const s = await start({ base11: true });
    const { client } = await connect(s);
    const nc = await netconf(client, true, true);
    expect(nc.framing).toBe('1.1');
    const r = await nc.rpc(command('show security pki local-certificate'), '9');
    expect(r).toMatch(/message-id="9"/);
    expect(r).toContain('<output>');
    nc.ch.write('\n#abc\n<rpc/>\n##\n');
    await nc.closed;
  });

  it('loads a local certificate only with its own key (PKCS#1, SEC1 or PKCS#8) and refuses a duplicate id', async () => {
    const s = await start();
    const { client } = await connect(s);
    const pkcs1 = openssl(['rsa', '-in', pki('rsa.key'), '-traditional']);
    const sec1 = openssl(['ec', '-in', pki('ec.key')]);
    expect(pkcs1).toContain('BEGIN RSA PRIVATE KEY');
    expect(sec1).toContain('BEGIN EC PRIVATE KEY');
    for (const [name, data] of [['rsa.crt', readFileSync(pki('rsa.crt'))], ['other.key', readFileSync(pki('other.key'))], ['rsa1.key', Buffer.from(pkcs1)],
      ['ec.crt', readFileSync(pki('ec.crt'))], ['ec.key', Buffer.from(sec1)], ['rsa8.key', readFileSync(pki('rsa.key'))]] as const) {
      expect((await scpUpload(client, `/var/tmp/${name}`, name, data)).code).toBe(0);
    }
    const nc = await netconf(client, false);
    const load = (id: string, crt: string, key: string): Promise<string> =>
      nc.rpc(command(`request security pki local-certificate load certificate-id ${id} filename /var/tmp/${crt} key /var/tmp/${key}`));

    const mismatch = await load('r1', 'rsa.crt', 'other.key');
    expect(errorMessages(mismatch).join('\n')).toMatch(/key pair does not match/);
    expect(s.localCerts()).toEqual([]);
    expect(errorMessages(await load('r1', 'rsa.crt', 'missing.key')).join('\n')).toMatch(/No such file/);
    expect(errorMessages(await load('r1', 'other.key', 'rsa1.key')).join('\n')).toMatch(/unable to decode/);

    expect(output(await load('r1', 'rsa.crt', 'rsa1.key'))).toContain('Local certificate loaded successfully');
    expect(output(await load('e1', 'ec.crt', 'ec.key'))).toContain('Local certificate loaded successfully');
    expect(errorMessages(await load('r1', 'rsa.crt', 'rsa8.key')).join('\n')).toMatch(/r1 already exists/);
    expect(output(await load('r8', 'rsa.crt', 'rsa8.key'))).toContain('Local certificate loaded successfully');
    expect(s.localCerts()).toEqual([{ id: 'r1', sha256: RSA_FP }, { id: 'e1', sha256: fingerprintOf(readFileSync(pki('ec.crt'), 'utf8')) }, { id: 'r8', sha256: RSA_FP }]);
    const shown = output(await nc.rpc(command('show security pki local-certificate')));
    expect(shown.match(/^Certificate identifier: (\S+)$/gm)).toEqual(['Certificate identifier: r1', 'Certificate identifier: e1', 'Certificate identifier: r8']);
    expect(shown).toContain('rsaEncryption(2048 bits)');

    s.faults.rejectLocalLoad = 'error: PKI daemon busy';
    expect(errorMessages(await load('r9', 'rsa.crt', 'rsa8.key'))).toEqual(['error: PKI daemon busy']);
  });

  it('rolls a commit confirmed back when no confirming commit comes, and HTTPS serves the old certificate again', async () => {
    const s = await start({
      // Long enough for the two openssl probes below to see the new certificate before the 1-minute timer fires.
      minuteMs: 3000,
      localCerts: [{ id: 'r1', certPem: readFileSync(pki('rsa.crt'), 'utf8'), keyPem: readFileSync(pki('rsa.key'), 'utf8') }],
    });
    expect(await served(s.restPort)).toBe(s.systemCertSha256);
    const { client } = await connect(s);
    const nc = await netconf(client, false);
    expect(await nc.rpc('<lock-configuration/>')).toMatch(EMPTY_REPLY);
    expect(s.lockedBy()).toBe(USER.name);

    // A binding to an id the PKI store does not hold fails the commit.
    await nc.rpc('<load-configuration action="set" format="text"><configuration-set>set system services rest https server-certificate nope</configuration-set></load-configuration>');
    const refused = await nc.rpc('<commit-configuration/>');
    expect(errorMessages(refused).join('\n')).toMatch(/certificate-id nope not found/);
    expect(s.committed()).not.toContain('set system services rest https server-certificate nope');

    const before = s.committed();
    const bad = await nc.rpc('<load-configuration action="set" format="text"><configuration-set>frobnicate everything</configuration-set></load-configuration>');
    expect(bad).toContain('<error-path>frobnicate everything</error-path>');
    const loaded = await nc.rpc('<load-configuration action="set" format="text"><configuration-set>set system services rest https server-certificate r1\nset system services web-management https pki-local-certificate r1</configuration-set></load-configuration>');
    expect(loaded).toContain('<ok/>');
    expect(await nc.rpc('<commit-configuration><confirmed/><confirm-timeout>1</confirm-timeout></commit-configuration>')).toContain('<commit-success/>');
    expect(s.pendingConfirm()).toBe(true);
    expect(s.committed()).toContain('set system services rest https server-certificate r1');
    // The choice of J-Web certificate: pki-local-certificate replaced system-generated-certificate.
    expect(s.committed()).not.toContain('set system services web-management https system-generated-certificate');
    expect(await served(s.restPort)).toBe(RSA_FP);
    expect(await served(s.webPort)).toBe(RSA_FP);

    await pollUntil('rolled back', () => !s.pendingConfirm());
    expect(s.committed()).toEqual(before);
    await pollUntil('serving the system certificate on REST', async () => (await served(s.restPort)) === s.systemCertSha256);
    expect(await served(s.webPort)).toBe(s.systemCertSha256);
    expect(errorMessages(await nc.rpc(command('clear security pki local-certificate certificate-id r1')))).toEqual([]);
    expect(s.localCerts()).toEqual([]);
  });

  it('confirms a commit confirmed with a plain commit; rollback 1 and commit undo a commit confirmed before it is confirmed', async () => {
    const s = await start({ localCerts: R1() });
    const { client } = await connect(s);
    const nc = await netconf(client, false);
    expect(await nc.rpc('<lock-configuration/>')).toMatch(EMPTY_REPLY);
    expect(s.candidateModified()).toBe(false);
    expect(await nc.rpc(loadSet([BIND_REST]))).toContain('<ok/>');
    expect(s.candidateModified()).toBe(true);
    expect(s.committed()).not.toContain(BIND_REST);
    expect(await nc.rpc(COMMIT_CONFIRMED(5))).toContain('<commit-success/>');
    expect(s.candidateModified()).toBe(false);
    expect(s.pendingConfirm()).toBe(true);
    const inUse = await nc.rpc(command('clear security pki local-certificate certificate-id r1'));
    expect(errorMessages(inUse).join('\n')).toMatch(/in use/);
    expect(await nc.rpc('<commit-configuration/>')).toContain('<commit-success/>');
    expect(s.pendingConfirm()).toBe(false);
    expect(await served(s.restPort)).toBe(RSA_FP);
    const confirmed = s.committed();
    expect(confirmed).toContain('set system services rest https server-certificate r1');

    // Junos's own undo of a pending commit confirmed: `rollback 1` and a commit, which also ends the wait.
    await nc.rpc('<load-configuration action="set" format="text"><configuration-set>set system services web-management https pki-local-certificate r1</configuration-set></load-configuration>');
    await nc.rpc('<commit-configuration><confirmed/><confirm-timeout>5</confirm-timeout></commit-configuration>');
    expect(await served(s.webPort)).toBe(RSA_FP);
    expect(await nc.rpc('<load-configuration rollback="1"/>')).toContain('<ok/>');
    await nc.rpc('<commit-configuration/>');
    expect(s.pendingConfirm()).toBe(false);
    expect(s.committed()).toEqual(confirmed);
    expect(await served(s.webPort)).toBe(s.systemCertSha256);
    expect(await served(s.restPort)).toBe(RSA_FP);
    expect(s.rpcs.filter((r) => r === 'commit-configuration')).toHaveLength(4);

    // A web server that does not reload keeps serving what it served; once it reloads, the committed binding shows.
    s.faults.staleHttps = true;
    await nc.rpc('<load-configuration action="set" format="text"><configuration-set>set system services web-management https pki-local-certificate r1</configuration-set></load-configuration>');
    await nc.rpc('<commit-configuration/>');
    expect(await served(s.webPort)).toBe(s.systemCertSha256);
    s.faults.staleHttps = false;
    expect(await served(s.webPort)).toBe(RSA_FP);
    expect(s.lockedBy()).toBe(USER.name);
    expect(await nc.rpc('<unlock-configuration/>')).toMatch(EMPTY_REPLY);
    expect(s.lockedBy()).toBeUndefined();
  });

  it('drops the SSH connection after a commit confirmed when told to, after the reply; the session end rolls it back', async () => {
    const s = await start({ localCerts: R1() });
    const before = s.committed();
    s.faults.dropAfterCommitConfirmed = true;
    const { client } = await connect(s);
    const nc = await netconf(client, false);
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    await nc.rpc('<lock-configuration/>');
    await nc.rpc(loadSet([BIND_REST]));
    expect(await nc.rpc(COMMIT_CONFIRMED(3))).toContain('<commit-success/>');
    await closed;
    await pollUntil('rolled back by the session end', () => !s.pendingConfirm());
    expect(s.committed()).toEqual(before);
    expect(s.lockedBy()).toBeUndefined();

    s.faults.refuseConnections = true;
    await expect(connect(s)).rejects.toThrow();
    await expect(served(s.restPort)).rejects.toThrow(/no certificate/);
  });

  it('refuses commit confirmed on a private copy; a plain commit of a private copy still works', async () => {
    const s = await start({ localCerts: R1() });
    const before = s.committed();
    const { client } = await connect(s);
    const nc = await netconf(client, false);
    expect(await nc.rpc('<open-configuration><private/></open-configuration>')).toContain('uncommitted changes will be discarded on exit');
    expect(await nc.rpc(loadSet([BIND_REST]))).toContain('<ok/>');
    // A private copy is not the shared candidate.
    expect(s.candidateModified()).toBe(false);
    const refused = await nc.rpc(COMMIT_CONFIRMED(5));
    expect(errorMessages(refused)).toEqual(['commit confirmed is not supported on a private copy of the configuration']);
    expect(severities(refused)).toEqual(['error']);
    expect(refused).not.toContain('<commit-success/>');
    expect(s.pendingConfirm()).toBe(false);
    expect(s.committed()).toEqual(before);

    expect(await nc.rpc('<commit-configuration/>')).toContain('<commit-success/>');
    expect(s.committed()).toEqual([...before, BIND_REST]);
    expect(s.pendingConfirm()).toBe(false);
    expect(await served(s.restPort)).toBe(RSA_FP);
    expect(await nc.rpc('<close-configuration/>')).toContain('<ok/>');
  });

  it('locks the shared candidate: other sessions cannot lock, load or commit; a modified candidate cannot be locked; unlock and rollback 0 discard', async () => {
    const OPS = { name: 'ops', password: 'ops123' };
    const s = await start({ users: [USER, OPS], localCerts: R1() });
    const before = s.committed();
    const a = await netconf((await connect(s)).client, false);
    const b = await netconf((await connect(s, { username: OPS.name, password: OPS.password })).client, false);

    expect(await a.rpc('<lock-configuration/>')).toMatch(EMPTY_REPLY);
    expect(s.lockedBy()).toBe(USER.name);
    const denied = await b.rpc('<lock-configuration/>');
    expect(xnmErrors(denied)).toHaveLength(1);
    expect(xnmErrors(denied)[0]).toMatch(/^configuration database locked by:\s+lab terminal \(pid \d+\) on since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\s+exclusive \[edit\]$/);
    expect(s.lockedBy()).toBe(USER.name);
    expect(xnmErrors(await b.rpc(loadSet(['set system host-name by-ops'])))[0]).toMatch(/^configuration database locked by:/);
    expect(s.candidateModified()).toBe(false);
    expect(xnmErrors(await b.rpc('<commit-configuration/>'))[0]).toMatch(/^configuration database locked by:/);

    // The holder's changes, discarded by unlock without a commit.
    expect(await a.rpc(loadSet([BIND_REST]))).toContain('<ok/>');
    expect(s.candidateModified()).toBe(true);
    expect(await a.rpc('<unlock-configuration/>')).toMatch(EMPTY_REPLY);
    expect(s.lockedBy()).toBeUndefined();
    expect(s.candidateModified()).toBe(false);
    expect(s.committed()).toEqual(before);
    expect(await a.rpc('<commit-configuration/>')).toContain('<commit-success/>');
    expect(s.committed()).toEqual(before);
    expect(xnmErrors(await a.rpc('<unlock-configuration/>'))).toEqual(['configuration database not locked by this session']);

    // Uncommitted changes in the shared candidate (made without a lock) keep anyone from locking it.
    expect(await b.rpc(loadSet(['set system host-name by-ops']))).toContain('<ok/>');
    expect(s.candidateModified()).toBe(true);
    const modified = await a.rpc('<lock-configuration/>');
    expect(errorMessages(modified)).toEqual(['configuration database modified']);
    expect(s.lockedBy()).toBeUndefined();
    expect(await b.rpc('<load-configuration rollback="0"/>')).toContain('<ok/>');
    expect(s.candidateModified()).toBe(false);
    expect(await a.rpc('<lock-configuration/>')).toMatch(EMPTY_REPLY);
    expect(await a.rpc('<unlock-configuration/>')).toMatch(EMPTY_REPLY);

    // The end of the session that made uncommitted changes discards them.
    await b.rpc(loadSet(['set system host-name by-ops']));
    expect(s.candidateModified()).toBe(true);
    expect(await b.rpc('<close-session/>')).toContain('<ok/>');
    await b.closed;
    expect(s.candidateModified()).toBe(false);
    expect(await a.rpc('<lock-configuration/>')).toMatch(EMPTY_REPLY);
    expect(s.committed()).toEqual(before);
  });

  it('a session that ends after its commit confirmed: the previous configuration is restored at once and the lock released', async () => {
    const s = await start({ localCerts: R1() });
    const before = s.committed();
    const { client } = await connect(s);
    const nc = await netconf(client, false);
    await nc.rpc('<lock-configuration/>');
    await nc.rpc(loadSet([BIND_REST]));
    // 60 minutes of real time (minuteMs default): only the session end can undo it within the test.
    expect(await nc.rpc(COMMIT_CONFIRMED(60))).toContain('<commit-success/>');
    expect(s.committed()).toContain(BIND_REST);
    expect(await served(s.restPort)).toBe(RSA_FP);

    client.end();
    await nc.closed;
    await pollUntil('restored by the session end', () => !s.pendingConfirm());
    expect(s.committed()).toEqual(before);
    expect(s.lockedBy()).toBeUndefined();
    expect(s.candidateModified()).toBe(false);
    await pollUntil('serving the system certificate on REST again', async () => (await served(s.restPort)) === s.systemCertSha256);
    const again = await netconf((await connect(s)).client, false);
    expect(await again.rpc('<lock-configuration/>')).toMatch(EMPTY_REPLY);
  });

  it('a plain commit from another session confirms a commit confirmed; the first session\'s end then undoes nothing', async () => {
    const s = await start({ localCerts: R1() });
    const a = await netconf((await connect(s)).client, false);
    const b = await netconf((await connect(s)).client, false);
    await a.rpc(loadSet([BIND_REST]));
    expect(await a.rpc(COMMIT_CONFIRMED(60))).toContain('<commit-success/>');
    expect(s.pendingConfirm()).toBe(true);
    expect(await b.rpc('<commit-configuration/>')).toContain('<commit-success/>');
    expect(s.pendingConfirm()).toBe(false);
    const confirmed = s.committed();
    expect(confirmed).toContain(BIND_REST);
    expect(await a.rpc('<close-session/>')).toContain('<ok/>');
    await a.closed;
    // b is still answering, so the sim has handled a's end by now.
    expect(output(await b.rpc(command('show configuration | display set'))).trim().split('\n')).toEqual(confirmed);
    expect(s.committed()).toEqual(confirmed);
    expect(await served(s.restPort)).toBe(RSA_FP);
  });

  it('a partition after a commit confirmed: SSH goes silent without ending the session, the timer rolls back, HTTPS keeps serving', async () => {
    const s = await start({ minuteMs: 1000, localCerts: R1() });
    const before = s.committed();
    s.faults.partitionAfterCommitConfirmed = true;
    const { client } = await connect(s);
    const nc = await netconf(client, false);
    await nc.rpc('<lock-configuration/>');
    await nc.rpc(loadSet([BIND_REST]));
    expect(await nc.rpc(COMMIT_CONFIRMED(1))).toContain('<commit-success/>');
    expect(s.committed()).toContain(BIND_REST);
    await pollUntil('refusing connections', () => s.faults.refuseConnections === true);
    // Sent into the partition: never read, so never answered nor logged.
    void nc.rpc(command('show system uptime'));
    await expect(connect(s)).rejects.toThrow();

    await pollUntil('rolled back by the commit-confirmed timer', () => !s.pendingConfirm());
    expect(s.committed()).toEqual(before);
    // The session did not end: its lock is still held, and nothing it sent after the partition was read.
    expect(s.lockedBy()).toBe(USER.name);
    expect(s.rpcs).not.toContain('command: show system uptime');
    await pollUntil('serving the system certificate on REST again', async () => (await served(s.restPort)) === s.systemCertSha256);
  });

  it('a delete of a statement that is not there is a warning, and the rest of the load applies', async () => {
    const s = await start();
    const { client } = await connect(s);
    const nc = await netconf(client, false);
    await nc.rpc('<lock-configuration/>');
    const r = await nc.rpc(loadSet(['delete system services ftp', 'set system host-name r2', 'delete system services web-management https system-generated-certificate']));
    expect(severities(r)).toEqual(['warning']);
    expect(errorMessages(r)).toEqual(['statement not found']);
    expect(r).toContain('<error-path>[edit system services]</error-path>');
    expect(r).toContain('<bad-element>ftp</bad-element>');
    expect(r).toContain('<ok/>');
    expect(await nc.rpc('<commit-configuration/>')).toContain('<commit-success/>');
    expect(s.committed()).toEqual(['set system services netconf ssh', `set system services rest https port ${s.restPort}`, 'set system host-name r2']);

    // With a syntax error in the same load, the load fails (the warning stays a warning).
    const mixed = await nc.rpc(loadSet(['delete system services ftp', 'frobnicate']));
    expect(severities(mixed)).toEqual(['warning', 'error']);
    expect(mixed).not.toContain('<ok/>');
  });

  it('authenticates by password, keyboard-interactive and public key, and refuses wrong credentials', async () => {
    const kp = edKeyPair();
    const other = edKeyPair();
    const s = await start({ users: [USER, { name: 'auto', publicKeys: [`${kp.public} auto@test`] }] });
    await connect(s);
    await connect(s, { password: undefined, tryKeyboard: true, authHandler: ['keyboard-interactive'] });
    expect(prompts).toEqual(['Password:']);
    await connect(s, { username: 'auto', password: undefined, privateKey: kp.private });
    const cases: { name: string; cfg: Partial<ConnectConfig> }[] = [
      { name: 'wrong password', cfg: { password: 'nope' } },
      { name: 'unknown user', cfg: { username: 'root' } },
      { name: 'unauthorised key', cfg: { username: 'auto', password: undefined, privateKey: other.private } },
    ];
    for (const c of cases) {
      const err = await connect(s, c.cfg).then(() => undefined, (e: unknown) => e as Error & { level?: string });
      expect(err?.level, `${c.name}: ${String(err)}`).toBe('client-authentication');
    }
  });

  it('stores what scp uploads to /var/tmp with its mode, refuses other paths and other commands', async () => {
    const s = await start();
    const { client } = await connect(s);
    const data = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
    expect(await scpUpload(client, '/var/tmp/blob.bin', 'blob.bin', data, '0640')).toEqual({ code: 0, error: '', stderr: '' });
    expect(await scpUpload(client, '/var/tmp/', 'k.key', Buffer.from('x'), '0600')).toMatchObject({ code: 0 });
    expect(s.tmpFiles()).toEqual([{ path: '/var/tmp/blob.bin', mode: 0o640, size: 70_000 }, { path: '/var/tmp/k.key', mode: 0o600, size: 1 }]);

    const refused = await scpUpload(client, '/etc/passwd', 'passwd', Buffer.from('x'));
    expect(refused.code).toBe(1);
    expect(refused.error).toMatch(/Permission denied/);

    const shell = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => client.exec('start shell', (err, ch) => {
      if (err) return reject(err);
      let stderr = '';
      let code: number | null = null;
      ch.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      ch.on('exit', (c: number | null) => {
        code = c;
      });
      ch.on('close', () => resolve({ code, stderr }));
      ch.resume();
    }));
    expect(shell.code).toBe(1);
    expect(shell.stderr).toMatch(/unknown command/);

    const nc = await netconf(client, false);
    expect(errorMessages(await nc.rpc(command('file delete /var/tmp/k.key')))).toEqual([]);
    expect(errorMessages(await nc.rpc(command('file delete /var/tmp/k.key'))).join('\n')).toMatch(/No such file/);
    expect(s.tmpFiles().map((f) => f.path)).toEqual(['/var/tmp/blob.bin']);
    expect(s.rpcs).toEqual(['scp: /var/tmp/blob.bin', 'scp: /var/tmp/', 'scp: /etc/passwd', 'exec: start shell',
      'command: file delete /var/tmp/k.key', 'command: file delete /var/tmp/k.key']);
  });
});
