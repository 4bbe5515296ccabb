import { createHash, createPublicKey, sign, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { formatFor, type FormatResult } from '../../src/core/targets/index.js';
import { jwkThumbprint } from '../../src/core/targets/sdcloud.js';
import { openssl, opensslBytes, tempDir } from '../helpers/openssl.js';
import { bundleOf, expectGolden, fileOf, goldenDir, NOW, PKI, writeFiles, type BundleInput } from '../helpers/golden.js';

const GOLDEN = goldenDir('sdcloud');
type Input = BundleInput;
const file = fileOf;

type JwkOut = Record<string, string> & { x5c: string[] };
const jwkOf = (r: FormatResult): JwkOut => {
  const set = JSON.parse(file(r, 'jwks.json').content) as { keys: JwkOut[] };
  expect(Object.keys(set)).toEqual(['keys']);
  expect(set.keys).toHaveLength(1);
  return set.keys[0]!;
};
const b64url = (hex: string): string => Buffer.from(hex, 'hex').toString('base64url');
const der = (certFile: string): Buffer => opensslBytes(['x509', '-in', join(PKI, certFile), '-outform', 'DER']);

// The hex bytes OpenSSL prints under "pub:" in `openssl pkey -pubin -text`.
function opensslPubHex(pem: string): string {
  const text = openssl(['pkey', '-pubin', '-text', '-noout'], pem);
  const m = /\npub:\n((?:[ \t]+[0-9a-f:]+\n)+)/.exec(text);
  if (!m) throw new Error(`no pub: block in\n${text}`);
  return m[1]!.replace(/[\s:]/g, '');
}

const FILES = ['public-key.pem', 'jwks.json', 'sdcloud-notes.txt'];
const CASES: { name: string; input: Input; want: { warnings: string[]; kty: string; alg: string; crv?: string } }[] = [
  { name: 'rsa-chain', input: { cert: 'rsa.crt', key: 'rsa.key', chain: ['int.crt', 'root.crt'] }, want: { warnings: [], kty: 'RSA', alg: 'RS256' } },
  { name: 'rsa-nochain', input: { cert: 'rsa.crt', key: 'rsa.key', chain: [] }, want: { warnings: ['chain-incomplete'], kty: 'RSA', alg: 'RS256' } },
  { name: 'ec-chain', input: { cert: 'ec.crt', key: 'ec.key', chain: ['int.crt', 'root.crt'] },
    want: { warnings: ['sdcloud-not-rs256'], kty: 'EC', alg: 'ES256', crv: 'P-256' } },
  { name: 'rsa-int-only', input: { cert: 'rsa.crt', key: 'rsa.key', chain: ['int.crt'] }, want: { warnings: ['chain-incomplete'], kty: 'RSA', alg: 'RS256' } },
  { name: 'ed-chain', input: { cert: 'ed.crt', key: 'ed.key', chain: ['int.crt', 'root.crt'] },
    want: { warnings: ['sdcloud-not-rs256'], kty: 'OKP', alg: 'EdDSA', crv: 'Ed25519' } },
];

describe('formatSdcloud golden files', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const r = formatFor('sdcloud', await bundleOf(c.input), { now: NOW });
      expect(r.target).toBe('sdcloud');
      expect(r.files.map((f) => f.name)).toEqual(FILES);
      expect(r.warnings.map((w) => w.code)).toEqual(c.want.warnings);
      // Everything here is public: nothing is marked secret and no private key is written.
      expect(r.files.filter((f) => f.secret)).toEqual([]);
      for (const f of r.files) expect(f.content, f.name).not.toMatch(/PRIVATE KEY|"d":/);
      expectGolden(join(GOLDEN, c.name), r.files);
    });
  }
});

describe('formatSdcloud against OpenSSL', () => {
  const tmp = tempDir('certbench-sdcloud-');
  afterAll(() => tmp.cleanup());

  for (const c of CASES) {
    it(`${c.name}: the public key and the JWK are the input key`, async () => {
      const r = formatFor('sdcloud', await bundleOf(c.input), { now: NOW });
      const dir = join(tmp.dir, c.name);
      writeFiles(dir, r.files);

      const pubDer = opensslBytes(['pkey', '-pubin', '-in', join(dir, 'public-key.pem'), '-outform', 'DER']);
      expect(pubDer.equals(opensslBytes(['pkey', '-in', join(PKI, c.input.key), '-pubout', '-outform', 'DER']))).toBe(true);
      const pem = file(r, 'public-key.pem').content;

      const jwk = jwkOf(r);
      expect(jwk.kty).toBe(c.want.kty);
      expect(jwk.alg).toBe(c.want.alg);
      expect(jwk.use).toBe('sig');
      expect(jwk.d).toBeUndefined();
      let canonical: string;
      if (c.want.kty === 'RSA') {
        const modulus = /^Modulus=([0-9A-F]+)$/m.exec(openssl(['rsa', '-pubin', '-in', join(dir, 'public-key.pem'), '-modulus', '-noout']))![1]!;
        expect(Buffer.from(jwk.n!, 'base64url').toString('hex').toUpperCase()).toBe(modulus);
        const exponent = /Exponent: (\d+) \(0x([0-9a-f]+)\)/.exec(openssl(['pkey', '-pubin', '-text', '-noout'], pem))!;
        const eHex = exponent[2]!.length % 2 === 0 ? exponent[2]! : `0${exponent[2]!}`;
        expect(jwk.e).toBe(b64url(eHex));
        canonical = `{"e":"${jwk.e}","kty":"RSA","n":"${jwk.n}"}`;
      } else if (c.want.kty === 'EC') {
        const point = opensslPubHex(pem);
        expect(point.slice(0, 2)).toBe('04');
        const half = (point.length - 2) / 2;
        expect(jwk.crv).toBe(c.want.crv);
        expect(jwk.x).toBe(b64url(point.slice(2, 2 + half)));
        expect(jwk.y).toBe(b64url(point.slice(2 + half)));
        canonical = `{"crv":"${jwk.crv}","kty":"EC","x":"${jwk.x}","y":"${jwk.y}"}`;
      } else {
        expect(jwk.crv).toBe(c.want.crv);
        expect(jwk.x).toBe(b64url(opensslPubHex(pem)));
        canonical = `{"crv":"Ed25519","kty":"OKP","x":"${jwk.x}"}`;
      }
      // kid: the RFC 7638 thumbprint, computed here from the canonical form written out by hand.
      expect(jwk.kid).toBe(createHash('sha256').update(canonical).digest('base64url'));
      expect(jwkThumbprint(jwk)).toBe(jwk.kid);

      // x5c: base64 (not base64url) DER of the leaf, then the chain as given; x5t#S256 the leaf's SHA-256.
      expect(jwk.x5c).toEqual([c.input.cert, ...c.input.chain].map((f) => der(f).toString('base64')));
      const fp = /Fingerprint=([0-9A-F:]+)/.exec(openssl(['x509', '-in', join(PKI, c.input.cert), '-noout', '-fingerprint', '-sha256']))![1]!;
      expect(jwk['x5t#S256']).toBe(b64url(fp.replace(/:/g, '')));

      // A signature by the private key verifies with the key read back from the JWK.
      const privatePem = readFileSync(join(PKI, c.input.key), 'utf8');
      const data = Buffer.from('certbench');
      const hash = c.want.kty === 'OKP' ? null : 'sha256';
      const fromJwk = createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e, crv: jwk.crv, x: jwk.x, y: jwk.y }, format: 'jwk' });
      expect(verify(hash, data, fromJwk, sign(hash, data, privatePem))).toBe(true);
    });
  }

  it('the notes say where each file goes and how API calls authenticate', async () => {
    const r = formatFor('sdcloud', await bundleOf(CASES[0]!.input), { now: NOW });
    const notes = file(r, 'sdcloud-notes.txt').content;
    for (const want of ['Administration > API Security', 'OAuth Servers', 'Issuer', 'public-key.pem', 'jwks.json', 'https://',
      'JWKS URI', 'x-api-key: <key>', 'x-oauth2-token: <token>', jwkOf(r).kid!]) {
      expect(notes).toContain(want);
    }
  });
});

describe('jwkThumbprint', () => {
  const RFC7638_RSA = {
    kty: 'RSA',
    n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
    e: 'AQAB',
    alg: 'RS256',
    kid: '2011-04-29',
  };
  const RFC_KID = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';
  const cases: { name: string; input: Record<string, unknown>; want: { is?: string; isNot?: string; code?: string } }[] = [
    { name: 'RFC 7638 section 3.1 example', input: RFC7638_RSA, want: { is: RFC_KID } },
    { name: 'members in another order, optional ones dropped', input: { e: RFC7638_RSA.e, n: RFC7638_RSA.n, kty: 'RSA' }, want: { is: RFC_KID } },
    { name: 'a changed modulus changes it', input: { ...RFC7638_RSA, n: `${RFC7638_RSA.n.slice(0, -1)}x` }, want: { isNot: RFC_KID } },
    { name: 'unknown kty', input: { kty: 'DSA', y: 'AQAB' }, want: { code: 'unsupported' } },
    { name: 'EC without y', input: { kty: 'EC', crv: 'P-256', x: 'AQAB' }, want: { code: 'invalid-value' } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      if (c.want.code === undefined) {
        const got = jwkThumbprint(c.input);
        expect(got).toMatch(/^[A-Za-z0-9_-]{43}$/);
        if (c.want.is !== undefined) expect(got).toBe(c.want.is);
        if (c.want.isNot !== undefined) expect(got).not.toBe(c.want.isNot);
        return;
      }
      let err: unknown;
      try {
        jwkThumbprint(c.input);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).code).toBe(c.want.code);
    });
  }
});

describe('formatFor sdcloud refuses a mismatched key', () => {
  it('other.key with rsa.crt', async () => {
    const b = await bundleOf({ cert: 'rsa.crt', key: 'other.key', chain: [] });
    expect(() => formatFor('sdcloud', b, { now: NOW })).toThrow(expect.objectContaining({ code: 'refused' }));
  });
});
