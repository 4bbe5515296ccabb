import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFile } from '../../src/core/pki/decode.js';
import { assembleBundle, formatFor, type TargetName } from '../../src/core/targets/index.js';
import { createHandlers, dispatch, type Dialogs, type Handlers } from '../../src/main/dispatch.js';
import { SessionStore } from '../../src/main/session-store.js';
import { channels, type Channel, type IpcError, type ItemView, type RequestOf, type ResponseOf, type Result } from '../../src/shared/contract.js';
import { openssl, opensslBytes, opensslTry, tempDir } from '../helpers/openssl.js';

const ROOT = resolve(import.meta.dirname, '../..');
const PKI = join(ROOT, 'test/fixtures/pki');
const TEMPLATES = join(ROOT, 'resources/templates');
const NOW = new Date('2026-06-01T00:00:00Z');
const PASS = 'correct horse';

/** Dialogs that answer from queues; a dialog nobody scripted fails the call, so "no dialog opened" is checked too. */
class ScriptedDialogs implements Dialogs {
  open: (string[] | undefined)[] = [];
  save: (string | undefined)[] = [];
  folder: (string | undefined)[] = [];
  asked: { kind: 'open' | 'save' | 'folder'; title: string; defaultName?: string; multiple?: boolean }[] = [];
  openFiles(o: { title: string; multiple?: boolean }): Promise<string[] | undefined> {
    this.asked.push({ kind: 'open', title: o.title, ...(o.multiple === undefined ? {} : { multiple: o.multiple }) });
    return this.open.length > 0 ? Promise.resolve(this.open.shift()) : Promise.reject(new Error('unexpected open dialog'));
  }
  saveFile(o: { title: string; defaultName: string }): Promise<string | undefined> {
    this.asked.push({ kind: 'save', title: o.title, defaultName: o.defaultName });
    return this.save.length > 0 ? Promise.resolve(this.save.shift()) : Promise.reject(new Error('unexpected save dialog'));
  }
  chooseFolder(o: { title: string }): Promise<string | undefined> {
    this.asked.push({ kind: 'folder', title: o.title });
    return this.folder.length > 0 ? Promise.resolve(this.folder.shift()) : Promise.reject(new Error('unexpected folder dialog'));
  }
  /** True when every scripted answer was used. */
  get drained(): boolean {
    return this.open.length === 0 && this.save.length === 0 && this.folder.length === 0;
  }
}

const tmp = tempDir('certbench-main-');
const dialogs = new ScriptedDialogs();
const clipboard: string[] = [];
const logs: string[] = [];
const store = new SessionStore();
const called = new Set<string>();
let handlers: Handlers;
// One fresh folder per use, so tests never see each other's files.
let n = 0;
const freshDir = (): string => {
  const d = tmp.path(`out-${++n}`);
  mkdirSync(d);
  return d;
};
const umask = process.umask();
const modeOf = (path: string): number => statSync(path).mode & 0o777;

beforeAll(() => {
  handlers = createHandlers({
    appInfo: { name: 'certbench', version: '1.2.3' },
    dialogs,
    clipboard: { writeText: (t) => clipboard.push(t) },
    dataDir: tmp.path('data'),
    templatesDir: TEMPLATES,
    store,
    now: () => NOW,
  });
});
afterAll(() => tmp.cleanup());

async function call(channel: string, payload: unknown): Promise<Result<unknown>> {
  called.add(channel);
  const r = await dispatch(handlers, channel, payload, { log: (l) => logs.push(l) });
  // Whatever the channel and outcome, no answer ever carries a private key in PEM (messages may name the label).
  expect(JSON.stringify(r)).not.toMatch(/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/);
  return r;
}
async function ok<C extends Channel>(channel: C, payload: RequestOf<C>): Promise<ResponseOf<C>> {
  const r = await call(channel, payload);
  if (!r.ok) throw new Error(`${channel} failed: [${r.error.code}] ${r.error.message}`);
  return r.value as ResponseOf<C>;
}
async function err(channel: Channel, payload: unknown): Promise<IpcError> {
  const r = await call(channel, payload);
  if (r.ok) throw new Error(`${channel} succeeded but should have failed: ${JSON.stringify(r.value).slice(0, 300)}`);
  return r.error;
}

function fixture(name: string, as = name): { name: string; dataBase64: string } {
  return { name: as, dataBase64: readFileSync(join(PKI, name)).toString('base64') };
}
/** Decodes fixture files (each must decode cleanly) and returns their items by file name. */
async function decoded(...names: string[]): Promise<Record<string, ItemView[]>> {
  const r = await ok('items:decode', { files: names.map((f) => fixture(f)) });
  expect(r.errors).toEqual([]);
  const out: Record<string, ItemView[]> = {};
  for (const item of r.items) (out[item.file] ??= []).push(item);
  return out;
}
async function one(name: string): Promise<ItemView> {
  return (await decoded(name))[name]![0]!;
}
function keyOf(id: string): KeyObject {
  const s = store.find(id);
  if (s?.item.kind !== 'private-key') throw new Error(`${id} is not a key`);
  return s.item.key;
}
/** Fails when a 24-character piece of the key's PKCS#8 DER (base64) appears in `text`. */
function expectNoKeyMaterial(text: string, key: KeyObject): void {
  const b64 = key.export({ type: 'pkcs8', format: 'der' }).toString('base64');
  for (let i = 0; i + 24 <= b64.length; i += 12) expect(text).not.toContain(b64.slice(i, i + 24));
  const jwkD = key.export({ format: 'jwk' }).d;
  if (jwkD) expect(text).not.toContain(jwkD.slice(0, 24));
}
function spkiSha256OfKeyFile(path: string, passin?: string): string {
  const der = opensslBytes(['pkey', '-in', path, '-pubout', '-outform', 'DER', ...(passin ? ['-passin', `pass:${passin}`] : [])]);
  return createHash('sha256').update(der).digest('hex');
}

describe('app:info', () => {
  it('names the app, its version and the platform', async () => {
    expect(await ok('app:info', {})).toEqual({ name: 'certbench', version: '1.2.3', platform: process.platform });
  });
});

describe('keys:generate', () => {
  const cases: { name: string; input: RequestOf<'keys:generate'>; want: { algorithm: string; bits: number; curve?: string } }[] = [
    { name: 'RSA-2048', input: { alg: 'rsa', bits: 2048 }, want: { algorithm: 'rsa', bits: 2048 } },
    { name: 'RSA without a size is 2048', input: { alg: 'rsa' }, want: { algorithm: 'rsa', bits: 2048 } },
    { name: 'ECDSA P-256', input: { alg: 'ecdsa', curve: 'P-256' }, want: { algorithm: 'ecdsa', bits: 256, curve: 'P-256' } },
    { name: 'ECDSA P-384, with the RSA size the form also holds', input: { alg: 'ecdsa', curve: 'P-384', bits: 4096 }, want: { algorithm: 'ecdsa', bits: 384, curve: 'P-384' } },
    { name: 'Ed25519', input: { alg: 'ed25519' }, want: { algorithm: 'ed25519', bits: 256 } },
  ];
  for (const c of cases) {
    it(`${c.name}: a view with an id, and no key material anywhere`, async () => {
      const r = await call('keys:generate', c.input);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      const view = r.value as ItemView;
      expect(view.kind).toBe('private-key');
      expect(view.key).toEqual(c.want);
      expect(view.pem).toBeUndefined();
      expect(view.file).toMatch(/^generated /);
      const key = keyOf(view.id);
      expect(JSON.stringify(r)).not.toContain('PRIVATE KEY');
      expectNoKeyMaterial(JSON.stringify(r), key);
      expect(view.spkiSha256).toBe(createHash('sha256').update(createPublicKey(key).export({ type: 'spki', format: 'der' })).digest('hex'));
    });
  }
});

describe('keys:save', () => {
  it('writes a PKCS#8 key with mode 0600 that openssl pkey -check accepts', async () => {
    const view = await ok('keys:generate', { alg: 'ecdsa', curve: 'P-256' });
    const path = join(freshDir(), 'server.key');
    dialogs.save.push(path);
    expect(await ok('keys:save', { keyId: view.id, format: 'pkcs8' })).toEqual({ canceled: false, path });
    expect(dialogs.asked.at(-1)).toMatchObject({ kind: 'save', defaultName: 'ecdsa-p-256.key' });
    expect(modeOf(path)).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(openssl(['pkey', '-check', '-noout', '-in', path])).toMatch(/valid/);
    expect(spkiSha256OfKeyFile(path)).toBe(view.spkiSha256);
  });

  it('encrypts with a passphrase: openssl needs it to read the key', async () => {
    const view = await ok('keys:generate', { alg: 'rsa', bits: 2048 });
    const path = join(freshDir(), 'enc.key');
    dialogs.save.push(path);
    await ok('keys:save', { keyId: view.id, format: 'pkcs8', passphrase: PASS });
    expect(modeOf(path)).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    expect(opensslTry(['pkey', '-check', '-noout', '-in', path, '-passin', 'pass:wrong']).status).not.toBe(0);
    expect(openssl(['pkey', '-check', '-noout', '-in', path, '-passin', `pass:${PASS}`])).toMatch(/valid/);
    expect(spkiSha256OfKeyFile(path, PASS)).toBe(view.spkiSha256);
  });

  it('writes PKCS#1 and SEC1 when the key takes them', async () => {
    const rsa = await ok('keys:generate', { alg: 'rsa', bits: 2048 });
    const ec = await ok('keys:generate', { alg: 'ecdsa', curve: 'P-384' });
    const dir = freshDir();
    dialogs.save.push(join(dir, 'rsa.key'), join(dir, 'ec.key'));
    await ok('keys:save', { keyId: rsa.id, format: 'pkcs1' });
    await ok('keys:save', { keyId: ec.id, format: 'sec1' });
    expect(readFileSync(join(dir, 'rsa.key'), 'utf8')).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    expect(readFileSync(join(dir, 'ec.key'), 'utf8')).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
    for (const f of ['rsa.key', 'ec.key']) {
      expect(modeOf(join(dir, f))).toBe(0o600);
      expect(openssl(['pkey', '-check', '-noout', '-in', join(dir, f)])).toMatch(/valid/);
    }
  });

  it('refuses a format the key cannot take before any dialog opens', async () => {
    const ed = await ok('keys:generate', { alg: 'ed25519' });
    const asked = dialogs.asked.length;
    expect(await err('keys:save', { keyId: ed.id, format: 'pkcs1' })).toMatchObject({ code: 'unsupported', message: expect.stringMatching(/PKCS#1 holds only RSA/) });
    expect(await err('keys:save', { keyId: ed.id, format: 'sec1', passphrase: PASS })).toMatchObject({ code: 'unsupported' });
    expect(dialogs.asked.length).toBe(asked);
  });

  it('writes nothing when the dialog is canceled', async () => {
    const ed = await ok('keys:generate', { alg: 'ed25519' });
    const dir = freshDir();
    dialogs.save.push(undefined);
    expect(await ok('keys:save', { keyId: ed.id, format: 'pkcs8' })).toEqual({ canceled: true });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses ids that are not keys, or not held', async () => {
    const cert = await one('rsa.crt');
    expect(await err('keys:save', { keyId: cert.id, format: 'pkcs8' })).toMatchObject({ code: 'wrong-kind', message: expect.stringMatching(/must be a private key.*rsa\.crt is a certificate/) });
    expect(await err('keys:save', { keyId: 'no-such-id', format: 'pkcs8' })).toMatchObject({ code: 'not-found' });
  });
});

describe('items:decode', () => {
  const committed = ['root.crt', 'int.crt', 'rsa.key', 'rsa.csr', 'rsa.crt', 'ec.key', 'ec.csr', 'ec.crt', 'ed.key', 'ed.csr', 'ed.crt', 'other.key', 'selfsigned.crt'];

  it('decodes the committed PKI and reports each bad file on its own, with its code', async () => {
    const pem = readFileSync(join(PKI, 'rsa.crt'), 'utf8');
    const truncated = pem.slice(0, pem.indexOf('-----END'));
    const r = await ok('items:decode', {
      files: [
        ...committed.slice(0, 5).map((f) => fixture(f)),
        { name: 'notes.txt', dataBase64: Buffer.from('hello, this is not a certificate').toString('base64') },
        ...committed.slice(5).map((f) => fixture(f)),
        { name: 'cut.pem', dataBase64: Buffer.from(truncated).toString('base64') },
        { name: 'empty.pem', dataBase64: '' },
        { name: 'mangled.pem', dataBase64: '!!not base64!!' },
      ],
    });
    expect(r.items.map((i) => i.file)).toEqual(committed);
    expect(r.errors.map((e) => [e.file, e.code])).toEqual([
      ['notes.txt', 'unknown-content'],
      ['cut.pem', 'truncated'],
      ['empty.pem', 'empty'],
      ['mangled.pem', 'bad-base64'],
    ]);
    for (const e of r.errors) expect(e.message).toContain(e.file);
    const byFile = Object.fromEntries(r.items.map((i) => [i.file, i]));
    expect(byFile['rsa.crt']).toMatchObject({
      kind: 'certificate', container: 'pem', key: { algorithm: 'rsa', bits: 2048 },
      san: ['DNS:router1.example.net', 'DNS:router1', 'IP:192.0.2.1'], issuer: expect.stringContaining('Certbench Lab Issuing CA'),
    });
    expect(byFile['rsa.crt']!.subject).toContain('CN=router1.example.net');
    expect(byFile['ec.key']).toMatchObject({ kind: 'private-key', key: { algorithm: 'ecdsa', curve: 'P-256' } });
    expect(byFile['ed.csr']).toMatchObject({ kind: 'csr', key: { algorithm: 'ed25519' } });
    expect(byFile['root.crt']).toMatchObject({ isCa: true, selfSigned: true });
    expect(new Set(r.items.map((i) => i.id)).size).toBe(r.items.length);
    // Certificates and CSRs come with their PEM (as written by OpenSSL); keys never do.
    for (const f of ['rsa.crt', 'ec.csr', 'root.crt']) expect(byFile[f]!.pem).toBe(readFileSync(join(PKI, f), 'utf8'));
    for (const f of ['rsa.key', 'ec.key', 'ed.key', 'other.key']) expect(byFile[f]!.pem).toBeUndefined();
    // The key fingerprints are the SPKI SHA-256 OpenSSL computes.
    expect(byFile['rsa.key']!.spkiSha256).toBe(spkiSha256OfKeyFile(join(PKI, 'rsa.key')));
    expect(byFile['rsa.crt']!.spkiSha256).toBe(byFile['rsa.key']!.spkiSha256);
    const json = JSON.stringify(r);
    for (const f of ['rsa.key', 'ec.key', 'ed.key', 'other.key']) expectNoKeyMaterial(json, keyOf(byFile[f]!.id));
  });

  it('takes pasted text, a bundle and a public key', async () => {
    const bundle = ['rsa.crt', 'int.crt', 'root.crt'].map((f) => readFileSync(join(PKI, f), 'utf8')).join('');
    const pub = openssl(['pkey', '-in', join(PKI, 'ec.key'), '-pubout']);
    const r = await ok('items:decode', {
      files: [
        { name: 'pasted text', dataBase64: Buffer.from(`copied from the CA portal:\n${bundle}`).toString('base64') },
        { name: 'ec.pub', dataBase64: Buffer.from(pub).toString('base64') },
      ],
    });
    expect(r.errors).toEqual([]);
    expect(r.items.map((i) => [i.file, i.index, i.kind])).toEqual([
      ['pasted text', 0, 'certificate'], ['pasted text', 1, 'certificate'], ['pasted text', 2, 'certificate'], ['ec.pub', 0, 'public-key'],
    ]);
    expect(r.items[3]!.pem).toBe(pub);
    // A well-ordered chain draws no chain finding on its leaf.
    expect(r.items[0]!.findings.filter((f) => f.code.startsWith('chain'))).toEqual([]);
  });

  it('asks for the passphrase of an encrypted key, and says when it is wrong', async () => {
    const enc = opensslBytes(['pkcs8', '-topk8', '-in', join(PKI, 'ec.key'), '-v2', 'aes-256-cbc', '-passout', `pass:${PASS}`]);
    const file = { name: 'ec.enc.key', dataBase64: enc.toString('base64') };
    const cases: { passphrase?: string; want: { code: string } | { kind: string } }[] = [
      { want: { code: 'passphrase-required' } },
      { passphrase: 'nope', want: { code: 'wrong-passphrase' } },
      { passphrase: PASS, want: { kind: 'private-key' } },
    ];
    for (const c of cases) {
      const r = await ok('items:decode', { files: [file], ...(c.passphrase ? { passphrase: c.passphrase } : {}) });
      if ('code' in c.want) expect(r.errors).toEqual([{ file: 'ec.enc.key', code: c.want.code, message: expect.stringContaining('ec.enc.key') }]);
      else expect(r.items.map((i) => i.kind)).toEqual([c.want.kind]);
    }
  });
});

describe('items:open', () => {
  it('decodes the chosen files in main and reports a missing one', async () => {
    dialogs.open.push([join(PKI, 'ec.crt'), join(PKI, 'ec.key'), join(PKI, 'missing.pem')]);
    const r = await ok('items:open', {});
    expect(r.canceled).toBe(false);
    expect(r.items.map((i) => [i.file, i.kind])).toEqual([['ec.crt', 'certificate'], ['ec.key', 'private-key']]);
    expect(r.errors).toEqual([{ file: 'missing.pem', code: 'not-found', message: 'missing.pem: no such file' }]);
  });
  it('answers canceled when the dialog is', async () => {
    dialogs.open.push(undefined);
    expect(await ok('items:open', {})).toEqual({ canceled: true, items: [], errors: [] });
  });
});

describe('items:match', () => {
  const cases: { name: string; input: string[]; want: { match: boolean; kinds: string[]; differs: string[]; message: RegExp } }[] = [
    { name: 'key, certificate and CSR that belong together', input: ['rsa.key', 'rsa.crt', 'rsa.csr'], want: { match: true, kinds: ['private-key', 'certificate', 'csr'], differs: [], message: /^all 3 items share one public key$/ } },
    { name: 'an unrelated key', input: ['other.key', 'rsa.crt', 'rsa.csr'], want: { match: false, kinds: ['private-key', 'certificate', 'csr'], differs: ['other.key'], message: /private-key in other\.key does not match/ } },
    { name: 'another CSR', input: ['ec.key', 'ec.crt', 'rsa.csr'], want: { match: false, kinds: ['private-key', 'certificate', 'csr'], differs: ['rsa.csr'], message: /csr in rsa\.csr/ } },
    { name: 'the self-signed certificate of the same key', input: ['rsa.key', 'selfsigned.crt'], want: { match: true, kinds: ['private-key', 'certificate'], differs: [], message: /all 2 items/ } },
    { name: 'one item is nothing to compare', input: ['ed.crt'], want: { match: false, kinds: ['certificate'], differs: [], message: /^nothing to compare/ } },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const items = await decoded(...c.input);
      const ids = c.input.map((f) => items[f]![0]!.id);
      const r = await ok('items:match', { ids });
      expect(r.match).toBe(c.want.match);
      expect(r.message).toMatch(c.want.message);
      expect(r.items.map((i) => i.kind)).toEqual(c.want.kinds);
      expect(r.items.map((i) => i.id)).toEqual(ids);
      expect(r.items.filter((i) => i.differs).map((i) => i.file)).toEqual(c.want.differs);
      for (const i of r.items) expect(i.spkiSha256).toBe(items[i.file]![0]!.spkiSha256);
    });
  }

  it('counts only the leaf of a bundle, and tells two pastes of the same name apart', async () => {
    const bundle = ['rsa.crt', 'int.crt', 'root.crt'].map((f) => readFileSync(join(PKI, f), 'utf8')).join('');
    const r1 = await ok('items:decode', { files: [{ name: 'pasted text', dataBase64: Buffer.from(bundle).toString('base64') }] });
    const r2 = await ok('items:decode', { files: [fixture('selfsigned.crt', 'pasted text'), fixture('rsa.key')] });
    const ids = [...r1.items, ...r2.items].map((i) => i.id);
    const r = await ok('items:match', { ids });
    // Leaf of the first paste, the second paste's certificate, the key: the chain above the leaf is left out.
    expect(r.items.map((i) => [i.file, i.kind])).toEqual([['pasted text', 'certificate'], ['pasted text', 'certificate'], ['rsa.key', 'private-key']]);
    expect(r.items.map((i) => i.id)).toEqual([r1.items[0]!.id, r2.items[0]!.id, r2.items[1]!.id]);
    expect(r.match).toBe(true);
  });

  it('refuses an id that is not held', async () => {
    expect(await err('items:match', { ids: ['gone'] })).toMatchObject({ code: 'not-found' });
  });
});

describe('items:save and items:forget', () => {
  it('saves a certificate as PEM (not secret: 0644 less the umask)', async () => {
    const cert = await one('ec.crt');
    const path = join(freshDir(), 'apstra.crt');
    dialogs.save.push(path);
    expect(await ok('items:save', { id: cert.id })).toEqual({ canceled: false, path });
    expect(dialogs.asked.at(-1)).toMatchObject({ defaultName: 'ec.crt' });
    expect(readFileSync(path, 'utf8')).toBe(cert.pem);
    expect(modeOf(path)).toBe(0o644 & ~umask);
    expect(openssl(['x509', '-noout', '-subject', '-in', path])).toContain('apstra.example.net');
  });
  it('suggests the CN for a pasted certificate and numbers a bundle\'s later items', async () => {
    const bundle = ['ec.crt', 'int.crt'].map((f) => readFileSync(join(PKI, f), 'utf8')).join('');
    const pasted = await ok('items:decode', { files: [{ name: 'pasted text', dataBase64: Buffer.from(bundle).toString('base64') }, fixture('int.crt', 'fullchain.pem')] });
    const dir = freshDir();
    dialogs.save.push(undefined, join(dir, 'x.crt'));
    expect(await ok('items:save', { id: pasted.items[0]!.id })).toEqual({ canceled: true });
    expect(dialogs.asked.at(-1)).toMatchObject({ defaultName: 'apstra.example.net.crt' });
    await ok('items:save', { id: pasted.items[1]!.id });
    expect(dialogs.asked.at(-1)).toMatchObject({ defaultName: 'Certbench-Lab-Issuing-CA.crt' });
    expect(readdirSync(dir)).toEqual(['x.crt']);
  });
  it('refuses to save a private key as plain PEM', async () => {
    const key = await one('ec.key');
    expect(await err('items:save', { id: key.id })).toMatchObject({ code: 'wrong-kind', message: expect.stringMatching(/Save key/) });
  });
  it('forgets items: they can no longer be used', async () => {
    const key = await one('ed.key');
    expect(await ok('items:forget', { ids: [key.id, 'unknown'] })).toEqual({});
    expect(await err('keys:save', { keyId: key.id, format: 'pkcs8' })).toMatchObject({ code: 'not-found' });
    expect(store.find(key.id)).toBeUndefined();
  });
});

describe('san:validate', () => {
  const cases: { name: string; input: RequestOf<'san:validate'>; want: ResponseOf<'san:validate'> | RegExp }[] = [
    { name: 'a hostname is lower-cased', input: { type: 'DNS', value: 'Router1.Example.NET' }, want: { ok: true, normalized: 'router1.example.net' } },
    { name: 'a wildcard over a domain', input: { type: 'DNS', value: '*.example.net' }, want: { ok: true, normalized: '*.example.net' } },
    { name: 'IPv6 in its short form', input: { type: 'IP', value: '2001:DB8:0:0:0:0:0:1' }, want: { ok: true, normalized: '2001:db8::1' } },
    { name: 'an email address', input: { type: 'email', value: 'noc@Example.net' }, want: { ok: true, normalized: 'noc@example.net' } },
    { name: 'a URI', input: { type: 'URI', value: 'https://sps.example.net/' }, want: { ok: true, normalized: 'https://sps.example.net/' } },
    { name: 'an IPv4 octet over 255', input: { type: 'IP', value: '10.0.0.256' }, want: /IPv4/ },
    { name: 'an underscore in a hostname', input: { type: 'DNS', value: 'my_host.example.net' }, want: /"_"/ },
    { name: 'an IP written as DNS', input: { type: 'DNS', value: '192.0.2.1' }, want: /IP:/ },
    { name: 'an empty value', input: { type: 'DNS', value: '' }, want: /empty/ },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const r = await ok('san:validate', c.input);
      if (c.want instanceof RegExp) {
        expect(r.ok).toBe(false);
        expect(r.message).toMatch(c.want);
      } else expect(r).toEqual(c.want);
    });
  }
});

describe('csr:build', () => {
  const subject: RequestOf<'csr:build'>['subject'] = [{ type: 'C', value: 'us' }, { type: 'O', value: 'Certbench Lab' }, { type: 'CN', value: 'edge1.example.net' }];
  const sans: RequestOf<'csr:build'>['sans'] = [{ type: 'DNS', value: 'edge1.example.net' }, { type: 'IP', value: '192.0.2.10' }];
  const keys: { name: string; input: RequestOf<'keys:generate'>; sig: RegExp }[] = [
    { name: 'RSA-2048', input: { alg: 'rsa', bits: 2048 }, sig: /sha256WithRSAEncryption/ },
    { name: 'P-256', input: { alg: 'ecdsa', curve: 'P-256' }, sig: /ecdsa-with-SHA256/ },
    { name: 'Ed25519', input: { alg: 'ed25519' }, sig: /ED25519/ },
  ];
  for (const k of keys) {
    it(`signs a request with a ${k.name} key that openssl req -verify accepts`, async () => {
      const key = await ok('keys:generate', k.input);
      const r = await ok('csr:build', { keyId: key.id, subject, sans });
      const dir = freshDir();
      writeFileSync(join(dir, 'r.csr'), r.pem);
      const v = opensslTry(['req', '-verify', '-noout', '-in', join(dir, 'r.csr')]);
      expect(v.status).toBe(0);
      expect(v.stdout + v.stderr).toMatch(/verify OK/);
      const text = openssl(['req', '-noout', '-text', '-in', join(dir, 'r.csr')]);
      expect(text).toMatch(k.sig);
      expect(text).toMatch(/DNS:edge1\.example\.net, IP Address:192\.0\.2\.10/);
      expect(r.item).toMatchObject({ kind: 'csr', spkiSha256: key.spkiSha256, san: ['DNS:edge1.example.net', 'IP:192.0.2.10'], pem: r.pem });
      expect(r.item.subject).toBe('C=US, O=Certbench Lab, CN=edge1.example.net');
    });
  }

  it('gives the OpenSSL config and command that make the same request on a device', async () => {
    const key = await ok('keys:generate', { alg: 'ecdsa', curve: 'P-256' });
    const r = await ok('csr:build', { keyId: key.id, subject, sans, keyUsage: ['digitalSignature'], extendedKeyUsage: ['serverAuth', 'clientAuth'] });
    expect(r.opensslCommand).toBe('openssl req -new -key edge1.example.net.key -config edge1.example.net.cnf -out edge1.example.net.csr');
    // Run the command as an engineer would, in a folder holding the saved key and the config.
    const dir = freshDir();
    dialogs.save.push(join(dir, 'edge1.example.net.key'));
    await ok('keys:save', { keyId: key.id, format: 'pkcs8' });
    writeFileSync(join(dir, 'edge1.example.net.cnf'), r.opensslConfig);
    const run = spawnSync('sh', ['-c', r.opensslCommand], { cwd: dir, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const show = (pem: string) => {
      writeFileSync(join(dir, 'show.csr'), pem);
      return openssl(['req', '-noout', '-subject', '-text', '-nameopt', 'RFC2253', '-in', join(dir, 'show.csr')])
        .split('\n').filter((l) => /subject=|DNS:|Digital Signature|TLS Web/.test(l)).map((l) => l.trim());
    };
    const theirs = show(readFileSync(join(dir, 'edge1.example.net.csr'), 'utf8'));
    expect(theirs).toEqual(show(r.pem));
    expect(theirs).toContain('TLS Web Server Authentication, TLS Web Client Authentication');
  });

  it('refuses a bad SAN, a subject value and a key id that is not a key', async () => {
    const key = await ok('keys:generate', { alg: 'ed25519' });
    expect(await err('csr:build', { keyId: key.id, subject, sans: [{ type: 'IP', value: '300.1.1.1' }] })).toMatchObject({ code: 'invalid-value', message: expect.stringMatching(/IP:"300\.1\.1\.1"/) });
    expect(await err('csr:build', { keyId: key.id, subject: [{ type: 'C', value: 'USA' }], sans })).toMatchObject({ code: 'invalid-value', message: expect.stringMatching(/C="USA" is 3 characters long/) });
    const cert = await one('ed.crt');
    expect(await err('csr:build', { keyId: cert.id, subject, sans })).toMatchObject({ code: 'wrong-kind' });
  });
});

describe('csr:openssl-config', () => {
  it('writes a config OpenSSL builds the request from, and a quoted command line', async () => {
    const r = await ok('csr:openssl-config', {
      subject: [{ type: 'O', value: 'Certbench Lab' }, { type: 'CN', value: 'sps.example.net' }],
      sans: [{ type: 'DNS', value: 'sps.example.net' }],
      keyPath: 'my keys/sps.key',
    });
    expect(r.command).toBe("openssl req -new -key 'my keys/sps.key' -config sps.example.net.cnf -out sps.example.net.csr");
    const dir = freshDir();
    writeFileSync(join(dir, 'c.cnf'), r.config);
    const out = openssl(['req', '-new', '-key', join(PKI, 'rsa.key'), '-config', join(dir, 'c.cnf'), '-noout', '-text']);
    expect(out).toMatch(/Subject: O ?= ?Certbench Lab, CN ?= ?sps\.example\.net/);
    expect(out).toContain('DNS:sps.example.net');
    expect(out).toContain('TLS Web Server Authentication');
  });
  it('refuses a subject value OpenSSL would garble', async () => {
    expect(await err('csr:openssl-config', { subject: [{ type: 'CN', value: 'a;rm -rf /' }], sans: [] })).toMatchObject({ code: 'invalid-value' });
  });
});

describe('templates', () => {
  const apstraVars = { country: 'US', state: 'California', locality: 'Sunnyvale', organization: 'Certbench Lab', unit: 'Network', fqdn: 'apstra.example.net', hostname: 'apstra', ip: '192.0.2.2' };

  it('lists the shipped templates with their placeholders', async () => {
    const list = await ok('templates:list', {});
    expect(list.filter((t) => t.source === 'shipped')).toEqual([
      { id: 'shipped:apstra-server', name: 'apstra-server', source: 'shipped', variables: ['country', 'state', 'locality', 'organization', 'unit', 'fqdn', 'hostname', 'ip'] },
      { id: 'shipped:junos-device', name: 'junos-device', source: 'shipped', variables: ['country', 'organization', 'unit', 'hostname', 'domain', 'mgmt_ip'] },
    ]);
  });

  it('reads a shipped template, and refuses ids that leave its folder', async () => {
    const r = await ok('templates:read', { id: 'shipped:apstra-server' });
    expect(r.text).toBe(readFileSync(join(TEMPLATES, 'apstra-server.cnf'), 'utf8'));
    expect(r.variables).toContain('fqdn');
    for (const id of ['shipped:../package', 'saved:../../etc/passwd', 'shipped:nope', 'other:apstra-server', 'shipped:.hidden']) {
      expect(await err('templates:read', { id })).toMatchObject({ code: 'not-found' });
    }
  });

  it('parses a template: placeholders still blank are listed, filled ones give the request', async () => {
    const { text } = await ok('templates:read', { id: 'shipped:apstra-server' });
    const partial = await ok('templates:parse', { text, vars: { ...apstraVars, ip: ' ', unit: '' } });
    expect(partial).toEqual({ variables: Object.keys(apstraVars), missing: ['unit', 'ip'] });
    const full = await ok('templates:parse', { text, vars: { ...apstraVars, fqdn: ' apstra.example.net ' } });
    expect(full.missing).toEqual([]);
    expect(full.template).toEqual({
      subject: [
        { type: 'C', value: 'US' }, { type: 'ST', value: 'California' }, { type: 'L', value: 'Sunnyvale' },
        { type: 'O', value: 'Certbench Lab' }, { type: 'OU', value: 'Network' }, { type: 'CN', value: 'apstra.example.net' },
      ],
      sans: [{ type: 'DNS', value: 'apstra.example.net' }, { type: 'DNS', value: 'apstra' }, { type: 'IP', value: '192.0.2.2' }],
      keyUsage: ['digitalSignature', 'keyEncipherment'],
      extendedKeyUsage: ['serverAuth'],
    });
    expect(await err('templates:parse', { text, vars: { ...apstraVars, ip: '192.0.2' } })).toMatchObject({ code: 'invalid-value', message: expect.stringMatching(/template: line \d+: .*IPv4/) });
  });

  it('saves a template for reuse, lists and reads it back, and replaces it under the same name', async () => {
    const text = '[req]\nprompt = no\ndistinguished_name = dn\n[dn]\nCN = {{host}}.lab.example\n';
    const saved = await ok('templates:save', { name: 'My Lab', text });
    expect(saved).toEqual({ id: 'saved:my-lab', name: 'my-lab', source: 'saved', variables: ['host'] });
    expect(readFileSync(tmp.path('data/templates/my-lab.cnf'), 'utf8')).toBe(text);
    expect((await ok('templates:list', {})).filter((t) => t.source === 'saved')).toEqual([saved]);
    expect((await ok('templates:read', { id: 'saved:my-lab' })).text).toBe(text);
    const text2 = text.replace('{{host}}', '{{name}}');
    await ok('templates:save', { name: 'my lab', text: text2 });
    expect(await ok('templates:read', { id: 'saved:my-lab' })).toMatchObject({ text: text2, variables: ['name'] });
    const parsed = await ok('templates:parse', { text: text2, vars: { name: 'r1' } });
    expect(parsed.template?.subject).toEqual([{ type: 'CN', value: 'r1.lab.example' }]);
  });

  it('refuses names that point into folders or have nothing usable, and secrets', async () => {
    const text = '[req]\n';
    const cases: { name: string; code: string; message: RegExp }[] = [
      { name: '../escape', code: 'invalid-value', message: /"\/"/ },
      { name: 'a/b', code: 'invalid-value', message: /"\/"/ },
      { name: 'a\\b', code: 'invalid-value', message: /"\\"/ },
      { name: '..', code: 'invalid-value', message: /letter or digit/ },
      { name: 'tab\there', code: 'invalid-value', message: /control character/ },
    ];
    for (const c of cases) expect(await err('templates:save', { name: c.name, text })).toMatchObject({ code: c.code, message: expect.stringMatching(c.message) });
    expect(await err('templates:save', { name: 'blank', text: '  \n' })).toMatchObject({ code: 'empty' });
    expect(await err('templates:save', { name: 'key', text: readFileSync(join(PKI, 'ec.key'), 'utf8') })).toMatchObject({ code: 'refused' });
    expect(existsSync(tmp.path('escape.cnf'))).toBe(false);
    expect(readdirSync(tmp.path('data/templates')).sort()).toEqual(['my-lab.cnf']);
  });

  it('imports a .cnf through the dialog without saving it', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'kb37299.cnf'), readFileSync(join(TEMPLATES, 'junos-device.cnf')));
    dialogs.open.push([join(dir, 'kb37299.cnf')], undefined, [join(dir, 'kb37299.cnf'), join(dir, 'kb37299.cnf')]);
    const r = await ok('templates:import', {});
    expect(r).toMatchObject({ canceled: false, name: 'kb37299', variables: ['country', 'organization', 'unit', 'hostname', 'domain', 'mgmt_ip'] });
    expect(r.text).toBe(readFileSync(join(TEMPLATES, 'junos-device.cnf'), 'utf8'));
    expect(dialogs.asked.at(-1)).toMatchObject({ kind: 'open', multiple: false });
    expect(await ok('templates:import', {})).toEqual({ canceled: true });
    expect(await err('templates:import', {})).toMatchObject({ code: 'invalid-value', message: expect.stringMatching(/one template at a time/) });
  });

  it('a private key picked by mistake as a template never reaches the renderer', async () => {
    dialogs.open.push([join(PKI, 'rsa.key')]);
    const e = await err('templates:import', {});
    expect(e).toMatchObject({ code: 'refused', message: expect.stringMatching(/rsa\.key: a template takes no private keys/) });
    expect(JSON.stringify(e)).not.toMatch(/PRIVATE KEY-----|MII/);
  });
});

describe('format:build and format:save', () => {
  let ids: Record<string, string>;
  beforeAll(async () => {
    const items = await decoded('rsa.key', 'rsa.crt', 'rsa.csr', 'int.crt', 'root.crt', 'ec.key', 'ec.crt', 'ed.key', 'ed.crt', 'other.key');
    ids = Object.fromEntries(Object.entries(items).map(([f, v]) => [f, v[0]!.id]));
  });
  const coreResult = async (target: TargetName, key: string, cert: string, certId?: string) => formatFor(target, assembleBundle({
    key: await decodeFile(join(PKI, key), { file: key }),
    cert: await decodeFile(join(PKI, cert), { file: cert }),
    chain: [await decodeFile(join(PKI, 'int.crt'), { file: 'int.crt' }), await decodeFile(join(PKI, 'root.crt'), { file: 'root.crt' })],
  }), { now: NOW, ...(certId ? { certId } : {}) });

  const targets: { target: TargetName; key: string; cert: string }[] = [
    { target: 'junos', key: 'rsa.key', cert: 'rsa.crt' },
    { target: 'apstra', key: 'ec.key', cert: 'ec.crt' },
    { target: 'sps', key: 'rsa.key', cert: 'rsa.crt' },
    { target: 'sdcloud', key: 'ed.key', cert: 'ed.crt' },
  ];
  for (const t of targets) {
    it(`${t.target}: the core's files, secret ones listed without content`, async () => {
      const r = await ok('format:build', { target: t.target, keyId: ids[t.key]!, certId: ids[t.cert]!, chainIds: [ids['int.crt']!, ids['root.crt']!] });
      const want = await coreResult(t.target, t.key, t.cert);
      expect(r.target).toBe(t.target);
      expect(r.files.map((f) => [f.name, f.secret])).toEqual(want.files.map((f) => [f.name, f.secret]));
      for (const [i, f] of r.files.entries()) {
        if (f.secret) expect(f).not.toHaveProperty('content');
        else expect(f.content).toBe(want.files[i]!.content);
      }
      expect(r.warnings).toEqual(want.warnings);
      expectNoKeyMaterial(JSON.stringify(r), keyOf(ids[t.key]!));
    });
  }

  it('junos: uses the certificate-id from the form, and names the field when it is unusable', async () => {
    const base = { target: 'junos' as const, keyId: ids['rsa.key']!, certId: ids['rsa.crt']!, chainIds: [ids['int.crt']!] };
    const r = await ok('format:build', { ...base, junosCertId: 'router1-2026' });
    expect(r.files.map((f) => f.name)).toContain('router1-2026.crt');
    expect(await err('format:build', { ...base, junosCertId: 'bad id!' })).toMatchObject({ code: 'invalid-value', message: expect.stringMatching(/^certificate-id: "bad id!" is not a usable certificate-id/) });
    // Other targets do not use it, so a value left in the form does not matter.
    await ok('format:build', { ...base, target: 'sps', junosCertId: 'bad id!' });
  });

  const refusals: { name: string; input: Omit<RequestOf<'format:build'>, 'keyId' | 'certId' | 'chainIds' | 'csrId'> & { key: string; cert: string; chain: string[]; csr?: string }; want: RegExp }[] = [
    { name: 'an Ed25519 key for SPS', input: { target: 'sps', key: 'ed.key', cert: 'ed.crt', chain: ['int.crt', 'root.crt'] }, want: /cannot format for sps.*\n.*ed\.key is an Ed25519 key/ },
    { name: 'a key that does not match the certificate', input: { target: 'apstra', key: 'other.key', cert: 'rsa.crt', chain: ['int.crt'] }, want: /private key in other\.key does not match the certificate in rsa\.crt/ },
    { name: 'a CSR of another key', input: { target: 'junos', key: 'rsa.key', cert: 'rsa.crt', chain: ['int.crt'], csr: 'ec.csr' }, want: /CSR in ec\.csr was made for another key/ },
    { name: 'a chain in the wrong order', input: { target: 'junos', key: 'rsa.key', cert: 'rsa.crt', chain: ['root.crt', 'int.crt'] }, want: /chain/ },
  ];
  for (const c of refusals) {
    it(`refuses ${c.name} (code refused), before any dialog`, async () => {
      if (c.input.csr && !ids[c.input.csr]) ids[c.input.csr] = (await one(c.input.csr)).id;
      const req = {
        target: c.input.target, keyId: ids[c.input.key]!, certId: ids[c.input.cert]!, chainIds: c.input.chain.map((f) => ids[f]!),
        ...(c.input.csr ? { csrId: ids[c.input.csr]! } : {}),
      };
      expect(await err('format:build', req)).toMatchObject({ code: 'refused', message: expect.stringMatching(c.want) });
      const asked = dialogs.asked.length;
      expect(await err('format:save', req)).toMatchObject({ code: 'refused' });
      expect(dialogs.asked.length).toBe(asked);
    });
  }

  it('accepts the matching CSR, and refuses items of the wrong kind by role', async () => {
    const base = { target: 'junos' as const, keyId: ids['rsa.key']!, certId: ids['rsa.crt']!, chainIds: [ids['int.crt']!] };
    await ok('format:build', { ...base, csrId: ids['rsa.csr']! });
    expect(await err('format:build', { ...base, keyId: ids['rsa.crt']! })).toMatchObject({ code: 'wrong-kind', message: expect.stringMatching(/the key must be a private key/) });
    expect(await err('format:build', { ...base, chainIds: [ids['rsa.key']!] })).toMatchObject({ code: 'wrong-kind', message: expect.stringMatching(/chain certificate must be a certificate/) });
    expect(await err('format:build', { ...base, certId: 'gone' })).toMatchObject({ code: 'not-found', message: expect.stringMatching(/the certificate is no longer held/) });
  });

  for (const t of targets) {
    it(`${t.target}: format:save writes every file into the chosen folder, keys 0600 and scripts 0755`, async () => {
      const dir = freshDir();
      dialogs.folder.push(dir);
      const r = await ok('format:save', { target: t.target, keyId: ids[t.key]!, certId: ids[t.cert]!, chainIds: [ids['int.crt']!, ids['root.crt']!] });
      const want = await coreResult(t.target, t.key, t.cert);
      expect(r).toEqual({ canceled: false, dir, written: want.files.map((f) => join(dir, f.name)) });
      expect(readdirSync(dir).sort()).toEqual(want.files.map((f) => f.name).sort());
      for (const f of want.files) {
        expect(readFileSync(join(dir, f.name), 'utf8')).toBe(f.content);
        const mode = f.secret ? 0o600 : f.name.endsWith('.sh') ? 0o755 & ~umask : 0o644 & ~umask;
        expect([f.name, modeOf(join(dir, f.name))]).toEqual([f.name, mode]);
      }
      if (t.target === 'junos') expect(openssl(['pkey', '-check', '-noout', '-in', join(dir, want.files.find((f) => f.secret)!.name)])).toMatch(/valid/);
    });
  }

  it('format:save writes nothing when canceled, and replaces files only when asked to', async () => {
    const req = { target: 'apstra' as const, keyId: ids['ec.key']!, certId: ids['ec.crt']!, chainIds: [ids['int.crt']!, ids['root.crt']!] };
    dialogs.folder.push(undefined);
    expect(await ok('format:save', req)).toEqual({ canceled: true, written: [] });

    const dir = freshDir();
    writeFileSync(join(dir, 'nginx.crt'), 'old certificate\n');
    dialogs.folder.push(dir);
    expect(await err('format:save', req)).toMatchObject({ code: 'exists', message: expect.stringMatching(/already holds nginx\.crt; nothing was written/) });
    expect(readdirSync(dir)).toEqual(['nginx.crt']);
    expect(readFileSync(join(dir, 'nginx.crt'), 'utf8')).toBe('old certificate\n');

    dialogs.folder.push(dir);
    const r = await ok('format:save', { ...req, force: true });
    expect(r.written.length).toBeGreaterThan(2);
    expect(readFileSync(join(dir, 'nginx.crt'), 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(modeOf(join(dir, 'nginx.key'))).toBe(0o600);
  });
});

describe('text:save and clipboard:write', () => {
  it('saves public text under a safe suggested name; a commands script is executable', async () => {
    const dir = freshDir();
    dialogs.save.push(join(dir, 'apstra-commands.sh'), join(dir, 'notes.txt'));
    expect(await ok('text:save', { suggestedName: 'apstra-commands.sh', content: '#!/bin/sh\necho hi\n' })).toEqual({ canceled: false, path: join(dir, 'apstra-commands.sh') });
    expect(modeOf(join(dir, 'apstra-commands.sh'))).toBe(0o755 & ~umask);
    await ok('text:save', { suggestedName: '../../etc/passwd', content: 'x\n' });
    expect(dialogs.asked.at(-1)).toMatchObject({ kind: 'save', defaultName: 'passwd' });
    expect(modeOf(join(dir, 'notes.txt'))).toBe(0o644 & ~umask);
    dialogs.save.push(undefined);
    expect(await ok('text:save', { suggestedName: 'a.txt', content: 'y' })).toEqual({ canceled: true });
    expect(readdirSync(dir).sort()).toEqual(['apstra-commands.sh', 'notes.txt']);
  });

  it('refuses private keys, before any dialog', async () => {
    const asked = dialogs.asked.length;
    for (const f of ['rsa.key', 'ec.key']) {
      const content = `here is the key\n${readFileSync(join(PKI, f), 'utf8')}`;
      expect(await err('text:save', { suggestedName: 'k.txt', content })).toMatchObject({ code: 'refused' });
      expect(await err('clipboard:write', { text: content })).toMatchObject({ code: 'refused' });
    }
    const legacy = readFileSync(join(PKI, 'rsa.key'), 'utf8').replace(/PRIVATE KEY/g, 'RSA PRIVATE KEY');
    expect(await err('clipboard:write', { text: legacy })).toMatchObject({ code: 'refused' });
    expect(dialogs.asked.length).toBe(asked);
    expect(clipboard).toEqual([]);
  });

  it('copies public text to the clipboard', async () => {
    const pem = readFileSync(join(PKI, 'rsa.crt'), 'utf8');
    expect(await ok('clipboard:write', { text: pem })).toEqual({});
    expect(clipboard).toEqual([pem]);
  });
});

describe('the whole contract', () => {
  it('every channel was exercised above, and every scripted dialog answer was used', () => {
    // The device and push channels have their own files (main-devices, main-push), with real sshd and nginx.
    const here = [...channels].filter((c) => !/^(devices|push):/.test(c)).sort();
    expect([...called].filter((c) => (channels as readonly string[]).includes(c)).sort()).toEqual(here);
    expect(dialogs.drained).toBe(true);
    expect(logs).toEqual([]);
  });
});
