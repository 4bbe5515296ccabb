import { createPrivateKey, createPublicKey, verify as nodeVerify, webcrypto, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { x509 } from '../../src/core/pki/crypto.js';
import {
  exportPrivateKey,
  exportPublicKeyPem,
  generatePrivateKey,
  keyInfo,
  spkiDer,
  toCryptoKeyPair,
  type ExportKeyParams,
  type KeygenParams,
} from '../../src/core/pki/keys.js';
import type { KeyInfo } from '../../src/core/pki/types.js';
import { openssl, opensslBytes, opensslTry, tempDir } from '../helpers/openssl.js';

type KeyName = 'rsa' | 'p256' | 'p384' | 'ed25519';
const keys = {} as Record<KeyName, KeyObject>;
const tmp = tempDir('certbench-keys-');
let fileNo = 0;

function write(data: string | Uint8Array): string {
  const f = tmp.path(`k${fileNo++}`);
  writeFileSync(f, data);
  return f;
}

async function codeOf(f: () => unknown): Promise<string> {
  try {
    await f();
  } catch (err) {
    if (err instanceof InputError) return err.code;
    throw err;
  }
  return 'no error';
}

beforeAll(async () => {
  keys.rsa = await generatePrivateKey({ alg: 'rsa' });
  keys.p256 = await generatePrivateKey({ alg: 'ecdsa' });
  keys.p384 = await generatePrivateKey({ alg: 'ecdsa', curve: 'P-384' });
  keys.ed25519 = await generatePrivateKey({ alg: 'ed25519' });
});
afterAll(() => tmp.cleanup());

describe('generatePrivateKey', () => {
  const cases: { name: string; input: KeygenParams; want: KeyInfo; check: 'check' | 'text' }[] = [
    { name: 'rsa default is 2048', input: { alg: 'rsa' }, want: { algorithm: 'rsa', bits: 2048 }, check: 'check' },
    { name: 'rsa 3072', input: { alg: 'rsa', bits: 3072 }, want: { algorithm: 'rsa', bits: 3072 }, check: 'check' },
    { name: 'rsa 4096', input: { alg: 'rsa', bits: 4096 }, want: { algorithm: 'rsa', bits: 4096 }, check: 'check' },
    { name: 'ecdsa default is P-256', input: { alg: 'ecdsa' }, want: { algorithm: 'ecdsa', bits: 256, curve: 'P-256' }, check: 'check' },
    { name: 'ecdsa P-384', input: { alg: 'ecdsa', curve: 'P-384' }, want: { algorithm: 'ecdsa', bits: 384, curve: 'P-384' }, check: 'check' },
    { name: 'ed25519', input: { alg: 'ed25519' }, want: { algorithm: 'ed25519', bits: 256 }, check: 'text' },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const key = await generatePrivateKey(c.input);
      expect(key.type).toBe('private');
      expect(keyInfo(key)).toEqual(c.want);
      const f = write(exportPrivateKey(key, { format: 'pkcs8' }));
      // OpenSSL 3.0 cannot -check Ed25519 keys; parsing them with -text is the check there.
      const args = c.check === 'check' ? ['pkey', '-in', f, '-check', '-noout'] : ['pkey', '-in', f, '-noout', '-text'];
      const r = opensslTry(args);
      expect(r.status, r.stderr).toBe(0);
      if (c.check === 'check') expect(r.stdout + r.stderr).toMatch(/Key is valid/);
      if (c.want.algorithm === 'rsa') expect(openssl(['pkey', '-in', f, '-noout', '-text'])).toContain(`(${c.want.bits} bit`);
      if (c.want.curve) expect(openssl(['pkey', '-in', f, '-noout', '-text'])).toContain(`NIST CURVE: ${c.want.curve}`);
    });
  }

  const refused: { name: string; input: KeygenParams; want: string }[] = [
    { name: 'rsa 1024 is too weak', input: { alg: 'rsa', bits: 1024 }, want: 'invalid-value' },
    { name: 'rsa 2047', input: { alg: 'rsa', bits: 2047 }, want: 'invalid-value' },
    { name: 'rsa 2500 is not offered', input: { alg: 'rsa', bits: 2500 }, want: 'invalid-value' },
    { name: 'rsa 8192 is not offered', input: { alg: 'rsa', bits: 8192 }, want: 'invalid-value' },
    { name: 'P-521 is not generated', input: { alg: 'ecdsa', curve: 'P-521' }, want: 'invalid-value' },
    { name: 'secp256k1 is not offered', input: { alg: 'ecdsa', curve: 'secp256k1' }, want: 'invalid-value' },
    { name: 'unknown algorithm', input: { alg: 'dsa' as never }, want: 'invalid-value' },
  ];
  for (const c of refused) {
    it(`refuses: ${c.name}`, async () => {
      expect(await codeOf(() => generatePrivateKey(c.input))).toBe(c.want);
    });
  }

  it('the RSA 1024 message says why', async () => {
    await expect(generatePrivateKey({ alg: 'rsa', bits: 1024 })).rejects.toThrow(/1024.*too weak/);
  });
});

describe('keyInfo', () => {
  const cases: { name: string; input: () => KeyObject; want: KeyInfo | string }[] = [
    { name: 'rsa private', input: () => keys.rsa, want: { algorithm: 'rsa', bits: 2048 } },
    { name: 'rsa public', input: () => createPublicKey(keys.rsa), want: { algorithm: 'rsa', bits: 2048 } },
    { name: 'P-384 public', input: () => createPublicKey(keys.p384), want: { algorithm: 'ecdsa', bits: 384, curve: 'P-384' } },
    { name: 'ed25519 public', input: () => createPublicKey(keys.ed25519), want: { algorithm: 'ed25519', bits: 256 } },
    { name: 'P-521 from openssl', input: () => opensslKey(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521']), want: { algorithm: 'ecdsa', bits: 521, curve: 'P-521' } },
    { name: 'secp256k1 is unsupported', input: () => opensslKey(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:secp256k1']), want: 'unsupported' },
    { name: 'x25519 is unsupported', input: () => opensslKey(['genpkey', '-algorithm', 'X25519']), want: 'unsupported' },
    { name: 'ed448 is unsupported', input: () => opensslKey(['genpkey', '-algorithm', 'ED448']), want: 'unsupported' },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      if (typeof c.want === 'string') expect(await codeOf(() => keyInfo(c.input()))).toBe(c.want);
      else expect(keyInfo(c.input())).toEqual(c.want);
    });
  }
});

function opensslKey(args: string[]): KeyObject {
  return createPrivateKey(openssl(args));
}

describe('exportPrivateKey read back by openssl', () => {
  const PASS = 'correct horse';
  // tool: which openssl command must read the file; label: the PEM label we expect.
  const cases: { name: string; key: KeyName; p: ExportKeyParams; tool: 'pkey' | 'rsa' | 'ec'; label?: string }[] = [];
  for (const k of ['rsa', 'p256', 'p384', 'ed25519'] as KeyName[]) {
    cases.push({ name: `${k} pkcs8 pem`, key: k, p: { format: 'pkcs8' }, tool: 'pkey', label: 'PRIVATE KEY' });
    cases.push({ name: `${k} pkcs8 der`, key: k, p: { format: 'pkcs8', der: true }, tool: 'pkey' });
    cases.push({ name: `${k} encrypted pkcs8 pem`, key: k, p: { format: 'pkcs8', passphrase: PASS }, tool: 'pkey', label: 'ENCRYPTED PRIVATE KEY' });
    cases.push({ name: `${k} encrypted pkcs8 der`, key: k, p: { format: 'pkcs8', der: true, passphrase: PASS }, tool: 'pkey' });
  }
  cases.push({ name: 'rsa pkcs1 pem', key: 'rsa', p: { format: 'pkcs1' }, tool: 'rsa', label: 'RSA PRIVATE KEY' });
  cases.push({ name: 'rsa pkcs1 der', key: 'rsa', p: { format: 'pkcs1', der: true }, tool: 'rsa' });
  cases.push({ name: 'p256 sec1 pem', key: 'p256', p: { format: 'sec1' }, tool: 'ec', label: 'EC PRIVATE KEY' });
  cases.push({ name: 'p384 sec1 der', key: 'p384', p: { format: 'sec1', der: true }, tool: 'ec' });

  for (const c of cases) {
    it(c.name, () => {
      const key = keys[c.key];
      const out = exportPrivateKey(key, c.p);
      expect(typeof out === 'string').toBe(!c.p.der);
      if (c.label) expect(out as string).toMatch(new RegExp(`^-----BEGIN ${c.label}-----\\n`));
      const f = write(out);
      const args = [c.tool, '-in', f, '-inform', c.p.der ? 'DER' : 'PEM', '-pubout'];
      if (c.p.passphrase) args.push('-passin', `pass:${c.p.passphrase}`);
      expect(openssl(args)).toBe(exportPublicKeyPem(key));
      if (c.p.passphrase) {
        // PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC, and the passphrase really matters.
        const asn = openssl(['asn1parse', '-in', f, '-inform', c.p.der ? 'DER' : 'PEM']);
        expect(asn).toContain('PBES2');
        expect(asn).toContain('hmacWithSHA256');
        expect(asn).toContain('aes-256-cbc');
        expect(opensslTry(['pkey', '-in', f, '-inform', c.p.der ? 'DER' : 'PEM', '-passin', 'pass:wrong', '-noout']).status).not.toBe(0);
      } else if (c.p.format === 'pkcs8' && !c.p.der) {
        expect(opensslTry(['asn1parse', '-in', f]).stdout).not.toContain('PBES2');
      }
    });
  }

  const bad: { name: string; key: KeyName | 'public'; p: ExportKeyParams; want: string }[] = [
    { name: 'pkcs1 for P-256', key: 'p256', p: { format: 'pkcs1' }, want: 'unsupported' },
    { name: 'pkcs1 for ed25519', key: 'ed25519', p: { format: 'pkcs1' }, want: 'unsupported' },
    { name: 'sec1 for RSA', key: 'rsa', p: { format: 'sec1' }, want: 'unsupported' },
    { name: 'sec1 for ed25519', key: 'ed25519', p: { format: 'sec1' }, want: 'unsupported' },
    { name: 'passphrase with pkcs1', key: 'rsa', p: { format: 'pkcs1', passphrase: 'x' }, want: 'unsupported' },
    { name: 'passphrase with sec1', key: 'p256', p: { format: 'sec1', passphrase: 'x' }, want: 'unsupported' },
    { name: 'unknown format', key: 'rsa', p: { format: 'pem' as never }, want: 'unsupported' },
    { name: 'empty passphrase', key: 'rsa', p: { format: 'pkcs8', passphrase: '' }, want: 'invalid-value' },
    { name: 'public key', key: 'public', p: { format: 'pkcs8' }, want: 'wrong-kind' },
  ];
  for (const c of bad) {
    it(`refuses: ${c.name}`, async () => {
      const key = c.key === 'public' ? createPublicKey(keys.rsa) : keys[c.key];
      expect(await codeOf(() => exportPrivateKey(key, c.p))).toBe(c.want);
    });
  }
});

describe('public key exports', () => {
  for (const k of ['rsa', 'p256', 'p384', 'ed25519'] as KeyName[]) {
    it(`${k}: SPKI PEM and DER equal openssl's`, () => {
      const f = write(exportPrivateKey(keys[k], { format: 'pkcs8' }));
      const pem = exportPublicKeyPem(keys[k]);
      expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
      expect(pem).toBe(openssl(['pkey', '-in', f, '-pubout']));
      expect(spkiDer(keys[k]).equals(opensslBytes(['pkey', '-in', f, '-pubout', '-outform', 'DER']))).toBe(true);
      // The public KeyObject gives the same answer as the private one.
      expect(spkiDer(createPublicKey(keys[k])).equals(spkiDer(keys[k]))).toBe(true);
    });
  }
});

describe('toCryptoKeyPair', () => {
  const cases: { name: string; key: KeyName; want: { name: string; hash?: string }; nodeHash: string | null }[] = [
    { name: 'rsa', key: 'rsa', want: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, nodeHash: 'sha256' },
    { name: 'P-256', key: 'p256', want: { name: 'ECDSA', hash: 'SHA-256' }, nodeHash: 'sha256' },
    { name: 'P-384', key: 'p384', want: { name: 'ECDSA', hash: 'SHA-384' }, nodeHash: 'sha384' },
    { name: 'ed25519', key: 'ed25519', want: { name: 'Ed25519' }, nodeHash: null },
  ];
  const data = new TextEncoder().encode('certbench signs this');
  for (const c of cases) {
    it(`${c.name}: WebCrypto sign/verify, checked by node:crypto`, async () => {
      const { keys: pair, signingAlgorithm } = await toCryptoKeyPair(keys[c.key]);
      expect(signingAlgorithm).toEqual(c.want);
      const sig = new Uint8Array(await webcrypto.subtle.sign(signingAlgorithm, pair.privateKey, data));
      expect(await webcrypto.subtle.verify(signingAlgorithm, pair.publicKey, sig, data)).toBe(true);
      expect(await webcrypto.subtle.verify(signingAlgorithm, pair.publicKey, sig, new TextEncoder().encode('something else'))).toBe(false);
      // WebCrypto ECDSA signatures are r||s (IEEE P1363), not DER.
      const pub = createPublicKey(keys[c.key]);
      const ok = c.key.startsWith('p') ? nodeVerify(c.nodeHash, data, { key: pub, dsaEncoding: 'ieee-p1363' }, sig) : nodeVerify(c.nodeHash, data, pub, sig);
      expect(ok).toBe(true);
      // The WebCrypto public key is the same key.
      expect(Buffer.from(await webcrypto.subtle.exportKey('spki', pair.publicKey)).equals(spkiDer(keys[c.key]))).toBe(true);
    });

    it(`${c.name}: @peculiar/x509 signs a CSR that openssl verifies`, async () => {
      const { keys: pair, signingAlgorithm } = await toCryptoKeyPair(keys[c.key]);
      const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=keys-test', keys: pair, signingAlgorithm });
      const r = opensslTry(['req', '-in', write(csr.toString('pem')), '-verify', '-noout']);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout + r.stderr).toMatch(/verify OK/);
    });
  }

  it('refuses a public key', async () => {
    expect(await codeOf(() => toCryptoKeyPair(createPublicKey(keys.rsa)))).toBe('wrong-kind');
  });
});
