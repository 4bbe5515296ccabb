import { createPrivateKey, createPublicKey, randomBytes, sign, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { exportPublicKeyPem, generatePrivateKey, spkiDer } from '../../src/core/pki/keys.js';
import { parsePem } from '../../src/core/pki/pem.js';
import { looksLikePkcs12, readPkcs12, writePkcs12, type WritePkcs12Params } from '../../src/core/pki/pkcs12.js';
import { openssl, opensslBytes, opensslTry, tempDir } from '../helpers/openssl.js';

const tmp = tempDir('certbench-p12-');
const PASS = 'p12-secret';

interface Identity { keyFile: string; certFile: string; key: KeyObject; der: Uint8Array }
const id = {} as Record<'ca' | 'rsaLeaf' | 'ecLeaf' | 'p256Leaf' | 'edSelf', Identity>;

// `openssl pkcs12 -legacy` and the RC2/RC4 schemes need OpenSSL's legacy provider, which some builds leave out.
const legacyProbe = opensslTry(['list', '-providers', '-provider', 'legacy']);
const LEGACY_MISSING = legacyProbe.status === 0 && /status: active/.test(legacyProbe.stdout)
  ? undefined
  : `the OpenSSL legacy provider is not available here (${(legacyProbe.stderr || legacyProbe.stdout).trim().split('\n')[0]})`;

function load(keyFile: string, certFile: string): Identity {
  return { keyFile, certFile, key: createPrivateKey(readFileSync(keyFile)), der: new Uint8Array(opensslBytes(['x509', '-in', certFile, '-outform', 'DER'])) };
}

// A CA (P-256) issuing an RSA and an EC leaf, and a self-signed Ed25519 certificate, all made by openssl.
beforeAll(() => {
  const p = tmp.path;
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.pem'), '-subj', '/CN=certbench test CA', '-days', '2']);
  id.ca = load(p('ca.key'), p('ca.pem'));
  const leaf = (name: string, newkey: string[], serial: string): Identity => {
    openssl(['req', '-new', ...newkey, '-nodes', '-keyout', p(`${name}.key`), '-out', p(`${name}.csr`), '-subj', `/CN=${name}.example.net`]);
    openssl(['x509', '-req', '-in', p(`${name}.csr`), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-set_serial', serial, '-days', '2', '-out', p(`${name}.pem`)]);
    return load(p(`${name}.key`), p(`${name}.pem`));
  };
  id.rsaLeaf = leaf('rsa-leaf', ['-newkey', 'rsa:2048'], '11');
  id.ecLeaf = leaf('ec-leaf', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384'], '12');
  id.p256Leaf = leaf('p256-leaf', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], '13');
  openssl(['req', '-x509', '-newkey', 'ed25519', '-nodes', '-keyout', p('ed.key'), '-out', p('ed.pem'), '-subj', '/CN=ed.example.net', '-days', '2']);
  id.edSelf = load(p('ed.key'), p('ed.pem'));
});
afterAll(() => tmp.cleanup());

let fileNo = 0;
function write(data: Uint8Array | string): string {
  const f = tmp.path(`out${fileNo++}.p12`);
  writeFileSync(f, data);
  return f;
}

/** Runs `openssl pkcs12 -export` with extra args and returns the file's bytes. */
function opensslExport(leaf: Identity, extra: string[], chain?: Identity): Uint8Array {
  const f = tmp.path(`in${fileNo++}.p12`);
  const args = ['pkcs12', '-export', '-inkey', leaf.keyFile, '-in', leaf.certFile, '-out', f, ...extra];
  if (chain) args.push('-certfile', chain.certFile);
  openssl(args);
  return new Uint8Array(readFileSync(f));
}

async function errorOf(f: () => unknown): Promise<InputError | undefined> {
  try {
    await f();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  return undefined;
}

function certsFromPem(text: string): Buffer[] {
  return parsePem(text).filter((b) => b.label === 'CERTIFICATE').map((b) => Buffer.from(b.der));
}

describe('writePkcs12 opened by openssl', () => {
  const cases: { name: string; leaf: () => Identity; chain: () => Identity[]; params?: Partial<WritePkcs12Params>; wantIter: number }[] = [
    { name: 'RSA leaf + CA', leaf: () => id.rsaLeaf, chain: () => [id.ca], wantIter: 2048 },
    { name: 'P-384 leaf + CA, friendly name', leaf: () => id.ecLeaf, chain: () => [id.ca], params: { friendlyName: 'router-1 cert' }, wantIter: 2048 },
    { name: 'Ed25519 self-signed, 4096 iterations', leaf: () => id.edSelf, chain: () => [], params: { iterations: 4096 }, wantIter: 4096 },
    { name: 'non-ASCII passphrase', leaf: () => id.ecLeaf, chain: () => [], params: { passphrase: 'pässwörd-µ' }, wantIter: 2048 },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const leaf = c.leaf();
      const certs = [leaf.der, ...c.chain().map((x) => x.der)];
      const pass = c.params?.passphrase ?? PASS;
      const p12 = await writePkcs12({ key: leaf.key, certificates: certs, passphrase: PASS, ...c.params });
      expect(looksLikePkcs12(p12)).toBe(true);
      const f = write(p12);

      const info = opensslTry(['pkcs12', '-info', '-nodes', '-in', f, '-passin', `pass:${pass}`]);
      expect(info.status, info.stderr).toBe(0);
      const all = info.stdout + info.stderr;
      expect(all).toContain(`MAC: sha256, Iteration ${c.wantIter}`);
      expect(all).toContain(`PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration ${c.wantIter}, PRF hmacWithSHA256`);
      expect(all).toContain(`Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration ${c.wantIter}, PRF hmacWithSHA256`);
      if (c.params?.friendlyName) expect(all).toContain(`friendlyName: ${c.params.friendlyName}`);
      expect(all).toContain('localKeyID:');

      // Certificates come out byte-identical and in the order given (leaf first).
      const got = certsFromPem(openssl(['pkcs12', '-in', f, '-nokeys', '-passin', `pass:${pass}`]));
      expect(got.map((b) => b.toString('hex'))).toEqual(certs.map((d) => Buffer.from(d).toString('hex')));

      const keyPem = openssl(['pkcs12', '-in', f, '-nocerts', '-nodes', '-passin', `pass:${pass}`]);
      expect(openssl(['pkey', '-pubout'], keyPem)).toBe(exportPublicKeyPem(leaf.key));

      expect(opensslTry(['pkcs12', '-in', f, '-nokeys', '-passin', 'pass:wrong']).status).not.toBe(0);

      // And we read back what we wrote.
      const back = await readPkcs12(p12, pass, f);
      expect(back.keys.map((k) => spkiDer(k).toString('hex'))).toEqual([spkiDer(leaf.key).toString('hex')]);
      expect(back.certificates.map((d) => Buffer.from(d).toString('hex'))).toEqual(certs.map((d) => Buffer.from(d).toString('hex')));
    });
  }

  it('every file gets fresh salts and IVs', async () => {
    const a = await writePkcs12({ key: id.rsaLeaf.key, certificates: [id.rsaLeaf.der], passphrase: PASS });
    const b = await writePkcs12({ key: id.rsaLeaf.key, certificates: [id.rsaLeaf.der], passphrase: PASS });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });

  const bad: { name: string; input: () => Promise<WritePkcs12Params>; want: string }[] = [
    { name: 'empty passphrase', input: async () => ({ key: id.rsaLeaf.key, certificates: [id.rsaLeaf.der], passphrase: '' }), want: 'invalid-value' },
    { name: 'leaf does not belong to the key', input: async () => ({ key: id.ecLeaf.key, certificates: [id.rsaLeaf.der], passphrase: PASS }), want: 'invalid-value' },
    { name: 'CA given before the leaf', input: async () => ({ key: id.rsaLeaf.key, certificates: [id.ca.der, id.rsaLeaf.der], passphrase: PASS }), want: 'invalid-value' },
    { name: 'certificate bytes are junk', input: async () => ({ key: id.rsaLeaf.key, certificates: [id.rsaLeaf.der, new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00])], passphrase: PASS }), want: 'invalid-value' },
    { name: 'zero iterations', input: async () => ({ key: id.rsaLeaf.key, certificates: [id.rsaLeaf.der], passphrase: PASS, iterations: 0 }), want: 'invalid-value' },
    { name: 'public key', input: async () => ({ key: createPublicKey(id.rsaLeaf.key), certificates: [id.rsaLeaf.der], passphrase: PASS }), want: 'wrong-kind' },
  ];
  for (const c of bad) {
    it(`refuses: ${c.name}`, async () => {
      const p = await c.input();
      expect((await errorOf(() => writePkcs12(p)))?.code).toBe(c.want);
    });
  }

  it('a generated key with no certificate still opens in openssl', async () => {
    const key = await generatePrivateKey({ alg: 'ecdsa' });
    const f = write(await writePkcs12({ key, certificates: [], passphrase: PASS }));
    expect(openssl(['pkey', '-pubout'], openssl(['pkcs12', '-in', f, '-nocerts', '-nodes', '-passin', `pass:${PASS}`]))).toBe(exportPublicKeyPem(key));
  });
});

describe('readPkcs12 of files made by openssl pkcs12 -export', () => {
  const cases: { name: string; leaf: () => Identity; chain?: () => Identity; args: string[]; pass?: string; want: () => Identity[] }[] = [
    { name: 'RSA leaf + CA, OpenSSL 3 defaults', leaf: () => id.rsaLeaf, chain: () => id.ca, args: [], want: () => [id.rsaLeaf, id.ca] },
    { name: 'P-384 leaf + CA with -name', leaf: () => id.ecLeaf, chain: () => id.ca, args: ['-name', 'device'], want: () => [id.ecLeaf, id.ca] },
    { name: 'Ed25519 self-signed', leaf: () => id.edSelf, args: [], want: () => [id.edSelf] },
    { name: 'key under legacy 3DES PBE, certificates under AES', leaf: () => id.rsaLeaf, args: ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'AES-256-CBC', '-macalg', 'sha1'], want: () => [id.rsaLeaf] },
    { name: 'unencrypted key bag (-keypbe NONE)', leaf: () => id.ecLeaf, args: ['-keypbe', 'NONE'], want: () => [id.ecLeaf] },
    { name: 'unencrypted certificates (-certpbe NONE)', leaf: () => id.ecLeaf, chain: () => id.ca, args: ['-certpbe', 'NONE'], want: () => [id.ecLeaf, id.ca] },
    { name: 'no MAC (-nomac)', leaf: () => id.rsaLeaf, args: ['-nomac'], want: () => [id.rsaLeaf] },
    { name: 'SHA-512 MAC, 10000 iterations', leaf: () => id.rsaLeaf, args: ['-macalg', 'sha512', '-iter', '10000', '-maciter'], want: () => [id.rsaLeaf] },
    { name: 'non-ASCII passphrase', leaf: () => id.ecLeaf, args: [], pass: 'pässwörd-µ', want: () => [id.ecLeaf] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const pass = c.pass ?? PASS;
      const der = opensslExport(c.leaf(), [...c.args, '-passout', `pass:${pass}`], c.chain?.());
      expect(looksLikePkcs12(der)).toBe(true);
      const got = await readPkcs12(der, pass, 'export.p12');
      expect(got.keys).toHaveLength(1);
      expect(exportPublicKeyPem(got.keys[0]!)).toBe(exportPublicKeyPem(c.leaf().key));
      expect(got.keys[0]!.type).toBe('private');
      expect(got.certificates.map((d) => Buffer.from(d).toString('hex'))).toEqual(c.want().map((x) => Buffer.from(x.der).toString('hex')));
    });
  }

  it('an empty passphrase opens without one', async () => {
    const der = opensslExport(id.ecLeaf, ['-passout', 'pass:']);
    const got = await readPkcs12(der, undefined, 'empty-pass.p12');
    expect(got.keys).toHaveLength(1);
    expect(got.certificates).toHaveLength(1);
  });
});

describe('readPkcs12 of legacy files (node-forge fallback)', () => {
  const THREE_DES = ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1'];
  // info: what `openssl pkcs12 -info` says the file uses, so each case is known to hit the scheme it names.
  const cases: { name: string; leaf: () => Identity; chain?: () => Identity; args: string[]; legacy: boolean; info: RegExp[]; pass?: string; want: () => Identity[] }[] = [
    {
      name: '-legacy: RSA leaf + CA (RC2-40 certificates, 3DES key, SHA-1 MAC)', leaf: () => id.rsaLeaf, chain: () => id.ca, args: ['-legacy'], legacy: true,
      info: [/MAC: sha1/, /PKCS7 Encrypted data: pbeWithSHA1And40BitRC2-CBC/, /Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC/], want: () => [id.rsaLeaf, id.ca],
    },
    {
      name: '3DES key and certificates, SHA-1 MAC', leaf: () => id.rsaLeaf, chain: () => id.ca, args: THREE_DES, legacy: false,
      info: [/MAC: sha1/, /PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC/, /Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC/], want: () => [id.rsaLeaf, id.ca],
    },
    { name: '-legacy: P-256 leaf + CA', leaf: () => id.p256Leaf, chain: () => id.ca, args: ['-legacy'], legacy: true, info: [/pbeWithSHA1And40BitRC2-CBC/], want: () => [id.p256Leaf, id.ca] },
    { name: '3DES: P-384 leaf + CA', leaf: () => id.ecLeaf, chain: () => id.ca, args: THREE_DES, legacy: false, info: [/PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC/], want: () => [id.ecLeaf, id.ca] },
    { name: '-legacy: Ed25519 self-signed', leaf: () => id.edSelf, args: ['-legacy'], legacy: true, info: [/pbeWithSHA1And40BitRC2-CBC/], want: () => [id.edSelf] },
    // With -nomac, openssl leaves the certificates unencrypted unless a -certpbe is named.
    { name: '-legacy without a MAC', leaf: () => id.rsaLeaf, chain: () => id.ca, args: ['-legacy', '-nomac', '-certpbe', 'PBE-SHA1-RC2-40'], legacy: true, info: [/Warning: MAC is absent/, /PKCS7 Encrypted data: pbeWithSHA1And40BitRC2-CBC/], want: () => [id.rsaLeaf, id.ca] },
    {
      name: 'RC2-40 P-256 key (decrypted by node-forge, not Node)', leaf: () => id.p256Leaf, args: ['-legacy', '-keypbe', 'PBE-SHA1-RC2-40'], legacy: true,
      info: [/Shrouded Keybag: pbeWithSHA1And40BitRC2-CBC/], want: () => [id.p256Leaf],
    },
    {
      name: 'RC2-128 key and certificates', leaf: () => id.rsaLeaf, chain: () => id.ca, args: ['-legacy', '-keypbe', 'PBE-SHA1-RC2-128', '-certpbe', 'PBE-SHA1-RC2-128'], legacy: true,
      info: [/PKCS7 Encrypted data: pbeWithSHA1And128BitRC2-CBC/, /Shrouded Keybag: pbeWithSHA1And128BitRC2-CBC/], want: () => [id.rsaLeaf, id.ca],
    },
    {
      name: 'two-key 3DES key and certificates', leaf: () => id.p256Leaf, args: ['-legacy', '-keypbe', 'PBE-SHA1-2DES', '-certpbe', 'PBE-SHA1-2DES'], legacy: true,
      info: [/PKCS7 Encrypted data: pbeWithSHA1And2-KeyTripleDES-CBC/, /Shrouded Keybag: pbeWithSHA1And2-KeyTripleDES-CBC/], want: () => [id.p256Leaf],
    },
    {
      name: 'PBES2 with DES-EDE3-CBC', leaf: () => id.rsaLeaf, chain: () => id.ca, args: ['-keypbe', 'des-ede3-cbc', '-certpbe', 'des-ede3-cbc'], legacy: false,
      info: [/PKCS7 Encrypted data: PBES2, PBKDF2, DES-EDE3-CBC/], want: () => [id.rsaLeaf, id.ca],
    },
    { name: '-legacy with a non-ASCII passphrase', leaf: () => id.ecLeaf, args: ['-legacy'], legacy: true, pass: 'pässwörd-µ', info: [/pbeWithSHA1And40BitRC2-CBC/], want: () => [id.ecLeaf] },
  ];
  for (const c of cases) {
    it(c.name, async (ctx) => {
      if (c.legacy && LEGACY_MISSING) ctx.skip(LEGACY_MISSING);
      const pass = c.pass ?? PASS;
      const der = opensslExport(c.leaf(), [...c.args, '-passout', `pass:${pass}`], c.chain?.());
      const f = write(der);
      const info = opensslTry(['pkcs12', '-info', '-noout', '-in', f, '-passin', `pass:${pass}`, ...(LEGACY_MISSING ? [] : ['-legacy'])]);
      for (const re of c.info) expect(info.stdout + info.stderr).toMatch(re);

      const got = await readPkcs12(der, pass, f);
      expect(got.keys).toHaveLength(1);
      expect(got.keys[0]!.type).toBe('private');
      expect(spkiDer(got.keys[0]!).toString('hex')).toBe(spkiDer(c.leaf().key).toString('hex'));
      // The key really is the private half: it signs what the input key's public half verifies.
      const sig = sign(null, Buffer.from('certbench'), got.keys[0]!);
      expect(verify(null, Buffer.from('certbench'), createPublicKey(c.leaf().key), sig)).toBe(true);
      expect(got.certificates.map((d) => Buffer.from(d).toString('hex'))).toEqual(c.want().map((x) => Buffer.from(x.der).toString('hex')));
    });
  }
});

describe('readPkcs12 errors', () => {
  let good: Uint8Array;
  let noMac: Uint8Array;
  let legacy3des: Uint8Array;
  let legacyRc2: Uint8Array;
  let legacyRc2NoMac: Uint8Array;
  let legacyRc4: Uint8Array;
  let camellia: Uint8Array;
  beforeAll(() => {
    good = opensslExport(id.rsaLeaf, ['-passout', `pass:${PASS}`], id.ca);
    noMac = opensslExport(id.rsaLeaf, ['-nomac', '-passout', `pass:${PASS}`]);
    legacy3des = opensslExport(id.rsaLeaf, ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1', '-passout', `pass:${PASS}`]);
    camellia = opensslExport(id.rsaLeaf, ['-certpbe', 'camellia-256-cbc', '-passout', `pass:${PASS}`]);
    if (!LEGACY_MISSING) {
      legacyRc2 = opensslExport(id.rsaLeaf, ['-legacy', '-passout', `pass:${PASS}`], id.ca);
      legacyRc2NoMac = opensslExport(id.rsaLeaf, ['-legacy', '-nomac', '-certpbe', 'PBE-SHA1-RC2-40', '-passout', `pass:${PASS}`], id.ca);
      legacyRc4 = opensslExport(id.rsaLeaf, ['-legacy', '-certpbe', 'PBE-SHA1-RC4-128', '-passout', `pass:${PASS}`]);
    }
  });

  const cases: { name: string; input: () => Uint8Array; pass: string | undefined; want: string; message?: RegExp; legacy?: boolean }[] = [
    { name: 'wrong passphrase', input: () => good, pass: 'wrong', want: 'wrong-passphrase', message: /passphrase is wrong/ },
    { name: 'no passphrase', input: () => good, pass: undefined, want: 'passphrase-required', message: /passphrase/ },
    { name: 'wrong passphrase without a MAC', input: () => noMac, pass: 'wrong', want: 'wrong-passphrase' },
    { name: 'truncated to half', input: () => good.subarray(0, good.length >> 1), pass: PASS, want: 'truncated', message: /cut short/ },
    { name: 'truncated by one byte', input: () => good.subarray(0, good.length - 1), pass: PASS, want: 'truncated' },
    { name: 'empty', input: () => new Uint8Array(0), pass: PASS, want: 'empty' },
    { name: 'random bytes', input: () => new Uint8Array(randomBytes(300)).fill(0x30, 0, 1).fill(0x04, 1, 2), pass: PASS, want: 'unknown-content' },
    { name: 'a certificate, not a PKCS#12', input: () => id.rsaLeaf.der, pass: PASS, want: 'unknown-content', message: /not a PKCS#12/ },
    { name: 'legacy 3DES file with a wrong passphrase', input: () => legacy3des, pass: 'wrong', want: 'wrong-passphrase', message: /passphrase is wrong/ },
    { name: 'legacy 3DES file without a passphrase', input: () => legacy3des, pass: undefined, want: 'passphrase-required', message: /give its passphrase/ },
    { name: '-legacy file with a wrong passphrase', input: () => legacyRc2, pass: 'wrong', want: 'wrong-passphrase', message: /passphrase is wrong/, legacy: true },
    { name: '-legacy file without a passphrase', input: () => legacyRc2, pass: undefined, want: 'passphrase-required', message: /give its passphrase/, legacy: true },
    { name: '-legacy file without a MAC, wrong passphrase', input: () => legacyRc2NoMac, pass: 'wrong', want: 'wrong-passphrase', message: /certificates could not be decrypted/, legacy: true },
    {
      name: 'RC4-128 certificates (neither pkijs nor node-forge)',
      input: () => legacyRc4,
      pass: PASS,
      want: 'unsupported',
      message: /pbeWithSHAAnd128BitRC4.*cannot decrypt.*openssl pkcs12/,
      legacy: true,
    },
    { name: 'PBES2 with Camellia certificates', input: () => camellia, pass: PASS, want: 'unsupported', message: /PBES2\/algorithm [0-9.]+, which certbench cannot decrypt.*openssl pkcs12/ },
  ];
  for (const c of cases) {
    it(c.name, async (ctx) => {
      if (c.legacy && LEGACY_MISSING) ctx.skip(LEGACY_MISSING);
      const err = await errorOf(() => readPkcs12(c.input(), c.pass, 'device.p12'));
      expect(err?.code).toBe(c.want);
      expect(err?.file).toBe('device.p12');
      expect(err?.message).toMatch(/^device\.p12: /);
      if (c.message) expect(err?.message).toMatch(c.message);
    });
  }
});

describe('looksLikePkcs12', () => {
  const cases: { name: string; input: () => Uint8Array; want: boolean }[] = [
    { name: 'OpenSSL export', input: () => opensslExport(id.ecLeaf, ['-passout', `pass:${PASS}`]), want: true },
    { name: 'BER indefinite-length header', input: () => new Uint8Array([0x30, 0x80, 0x02, 0x01, 0x03, 0x30, 0x80, 0x06]), want: true },
    { name: 'certificate', input: () => id.rsaLeaf.der, want: false },
    { name: 'PKCS#8 key', input: () => new Uint8Array(id.rsaLeaf.key.export({ type: 'pkcs8', format: 'der' })), want: false },
    { name: 'encrypted PKCS#8 key', input: () => new Uint8Array(id.rsaLeaf.key.export({ type: 'pkcs8', format: 'der', cipher: 'aes-256-cbc', passphrase: 'x' })), want: false },
    { name: 'empty', input: () => new Uint8Array(0), want: false },
    { name: 'PEM text', input: () => new TextEncoder().encode(readFileSync(id.rsaLeaf.certFile, 'utf8')), want: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(looksLikePkcs12(c.input())).toBe(c.want);
    });
  }
});

describe('certificate bags are read as bytes, checked by node:crypto', () => {
  // The CA certificate with the tag of its issuer's CN value changed to SEQUENCE: OpenSSL still reads the
  // certificate (names are decoded only when printed), pkijs's Certificate schema refuses it.
  function caWithOddIssuer(): Uint8Array {
    const der = Buffer.from(id.ca.der);
    const value = Buffer.from('certbench test CA');
    const at = der.indexOf(value) - 2;
    expect(der[at + 1]).toBe(value.length);
    der[at] = 0x30;
    return new Uint8Array(der);
  }

  it('a certificate node:crypto reads but pkijs cannot no longer makes the file unreadable; it comes back byte for byte', async () => {
    const odd = caWithOddIssuer();
    expect(() => new X509Certificate(odd)).not.toThrow();
    expect(() => pkijs.Certificate.fromBER(odd)).toThrow();
    const p12 = await writePkcs12({ key: id.rsaLeaf.key, certificates: [id.rsaLeaf.der, odd], passphrase: PASS });
    // OpenSSL opens the file and finds both certificates.
    const fromOpenssl = certsFromPem(openssl(['pkcs12', '-in', write(p12), '-nokeys', '-passin', `pass:${PASS}`]));
    expect(fromOpenssl.map((c) => c.toString('hex'))).toEqual([id.rsaLeaf.der, odd].map((c) => Buffer.from(c).toString('hex')));
    const got = await readPkcs12(p12, PASS, 'odd.p12');
    expect(got.certificates.map((c) => Buffer.from(c).toString('hex'))).toEqual(fromOpenssl.map((c) => c.toString('hex')));
    expect(got.keys).toHaveLength(1);
  });

  it('bytes in a certificate bag that are no certificate at all are refused as a malformed file', async () => {
    // Without a MAC and without -certpbe, openssl leaves the certificates in plain data, where they can be damaged.
    const p12 = Buffer.from(opensslExport(id.rsaLeaf, ['-nomac', '-passout', `pass:${PASS}`], id.ca));
    const at = p12.indexOf(Buffer.from(id.ca.der));
    expect(at).toBeGreaterThan(0);
    expect(p12[at + 4]).toBe(0x30);
    p12[at + 4] = 0x10; // the TBSCertificate's SEQUENCE tag, now a primitive
    const damaged = new Uint8Array(p12);
    expect(() => new X509Certificate(damaged.subarray(at, at + id.ca.der.length))).toThrow();
    const err = await errorOf(() => readPkcs12(damaged, PASS, 'damaged.p12'));
    expect(err?.code).toBe('unknown-content');
    expect(err?.message).toMatch(/^damaged\.p12: the PKCS#12 structure is malformed/);
  });
});
