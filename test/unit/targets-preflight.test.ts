import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { decodeFile } from '../../src/core/pki/decode.js';
import { assembleBundle } from '../../src/core/targets/bundle.js';
import { certIdFor, preflight } from '../../src/core/targets/preflight.js';
import type { Bundle, TargetName } from '../../src/core/targets/types.js';
import { usePki } from '../helpers/fixtures.js';
import { openssl, tempDir } from '../helpers/openssl.js';

const lab = (name: string): string => fileURLToPath(new URL(`../fixtures/pki/${name}`, import.meta.url));
const read = (path: string) => decodeFile(path, { file: path });
const NOW = new Date('2026-06-01T00:00:00Z');

async function bundle(cert: string, key: string, chain: string[] = [], csr?: string): Promise<Bundle> {
  return assembleBundle({
    key: await read(key),
    cert: await read(cert),
    chain: await Promise.all(chain.map(read)),
    ...(csr ? { csr: await read(csr) } : {}),
  });
}

function refusal(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('preflight accepts what fits', () => {
  const cases: { name: string; target: TargetName; input: [string, string, string[], string?]; want: string[] }[] = [
    { name: 'RSA leaf with its full chain for Junos', target: 'junos', input: ['rsa.crt', 'rsa.key', ['int.crt', 'root.crt'], 'rsa.csr'], want: [] },
    { name: 'RSA leaf for SPS with the intermediate only (root left out: a note)', target: 'sps', input: ['rsa.crt', 'rsa.key', ['int.crt']], want: ['chain-incomplete'] },
    { name: 'EC leaf for Apstra without a chain (issuer not included: a note)', target: 'apstra', input: ['ec.crt', 'ec.key', []], want: ['chain-incomplete'] },
    { name: 'Ed25519 for SD Cloud', target: 'sdcloud', input: ['ed.crt', 'ed.key', ['int.crt', 'root.crt']], want: [] },
    { name: 'a self-signed leaf is a warning, not a refusal', target: 'junos', input: ['selfsigned.crt', 'rsa.key', []], want: ['self-signed', 'no-server-auth-eku'] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const [cert, key, chain, csr] = c.input;
      const b = await bundle(lab(cert), lab(key), chain.map(lab), csr ? lab(csr) : undefined);
      expect(preflight(b, c.target, { now: NOW }).map((w) => w.code)).toEqual(c.want);
    });
  }
});

describe('preflight refuses, naming every reason and file', () => {
  const cases: { name: string; target: TargetName; input: [string, string, string[], string?]; want: RegExp[] }[] = [
    { name: 'another key', target: 'junos', input: ['rsa.crt', 'other.key', []], want: [/other\.key does not match the certificate in .*rsa\.crt/] },
    { name: 'a CSR for another key', target: 'apstra', input: ['rsa.crt', 'rsa.key', [], 'ec.csr'], want: [/ec\.csr was made for another key/] },
    { name: 'root before intermediate', target: 'junos', input: ['rsa.crt', 'rsa.key', ['root.crt', 'int.crt']], want: [/leaf-to-root order/] },
    { name: 'EC for SPS', target: 'sps', input: ['ec.crt', 'ec.key', []], want: [/ECDSA P-256 key: SPS takes RSA private keys in PKCS#1 only/] },
    { name: 'several reasons at once', target: 'sps', input: ['rsa.crt', 'ec.key', ['root.crt']], want: [/ec\.key does not match/, /intermediate is missing/, /ECDSA P-256 key: SPS takes RSA/] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const [cert, key, chain, csr] = c.input;
      const b = await bundle(lab(cert), lab(key), chain.map(lab), csr ? lab(csr) : undefined);
      const e = refusal(() => preflight(b, c.target, { now: NOW }));
      expect(e.code).toBe('refused');
      expect(e.message).toMatch(new RegExp(`^cannot format for ${c.target}, nothing was written`));
      for (const w of c.want) expect(e.message).toMatch(w);
    });
  }
});

describe('preflight warnings from the richer OpenSSL fixture PKI', () => {
  const pki = usePki();
  it('an expired leaf is formatted with an expired warning', async () => {
    const b = await bundle(pki().path('expired.crt'), pki().path('ec.sec1.pem'), [pki().path('int.crt'), pki().path('root.crt')]);
    expect(preflight(b, 'apstra').map((w) => w.code)).toContain('expired');
  });
  it('an RSA-1024 leaf gets the CIS floor warning', async (ctx) => {
    if (pki().weakRsaSkip) ctx.skip();
    const b = await bundle(pki().path('weak.crt'), pki().path('weak.key'), [pki().path('int.crt'), pki().path('root.crt')]);
    const w = preflight(b, 'junos').find((f) => f.code === 'weak-rsa');
    expect(w?.message).toMatch(/1024/);
  });
});

describe('assembleBundle', () => {
  it('splits a full-chain --cert into leaf and chain, then appends --chain files', async () => {
    const pki = [lab('rsa.crt'), lab('int.crt')];
    const items = [...(await read(pki[0]!)), ...(await read(pki[1]!))].map((i) => ({ ...i, file: 'full.pem' }));
    const b = assembleBundle({ key: await read(lab('rsa.key')), cert: items, chain: [await read(lab('root.crt'))] });
    expect(b.chain).toHaveLength(2);
    expect(b.files.chain).toEqual(['full.pem', lab('root.crt')]);
  });
  const bad: { name: string; parts: () => Promise<Parameters<typeof assembleBundle>[0]>; want: RegExp }[] = [
    { name: 'no key in the key file', parts: async () => ({ key: await read(lab('rsa.crt')), cert: await read(lab('rsa.crt')), chain: [] }), want: /rsa\.crt: expected a private key but the file holds certificate/ },
    { name: 'no certificate in the cert file', parts: async () => ({ key: await read(lab('rsa.key')), cert: await read(lab('rsa.csr')), chain: [] }), want: /rsa\.csr: expected a certificate but the file holds csr/ },
    { name: 'a CSR in a chain file', parts: async () => ({ key: await read(lab('rsa.key')), cert: await read(lab('rsa.crt')), chain: [await read(lab('rsa.csr'))] }), want: /rsa\.csr: a chain file holds certificates only, but item #1 is a csr/ },
  ];
  for (const c of bad) {
    it(`refuses ${c.name}`, async () => {
      const parts = await c.parts();
      const e = refusal(() => assembleBundle(parts));
      expect(e.code).toBe('wrong-kind');
      expect(e.message).toMatch(c.want);
    });
  }
});

describe('certIdFor', () => {
  it('defaults to the first DNS name and validates a given id', async () => {
    const b = await bundle(lab('rsa.crt'), lab('rsa.key'));
    expect(certIdFor(b)).toBe('router1.example.net');
    expect(certIdFor(b, { certId: 'web_2026.1' })).toBe('web_2026.1');
    for (const id of ['', '-x', 'a b', 'a;b', '../x', 'a/b', '$(id)', 'x'.repeat(64), 'é']) {
      expect(refusal(() => certIdFor(b, { certId: id })).code, id).toBe('invalid-value');
    }
  });
});

describe('preflight refuses RSA-PSS-only keys for every target', () => {
  const t = tempDir('certbench-pss-');
  afterAll(() => t.cleanup());
  it('names the key and says what to use instead', async () => {
    openssl(['genpkey', '-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', t.path('pss.key')]);
    openssl(['req', '-x509', '-new', '-key', t.path('pss.key'), '-subj', '/CN=pss.example.net', '-days', '30', '-out', t.path('pss.crt')]);
    const b = await bundle(t.path('pss.crt'), t.path('pss.key'));
    for (const target of ['junos', 'apstra', 'sps', 'sdcloud'] as const) {
      const e = refusal(() => preflight(b, target));
      expect(e.code).toBe('refused');
      expect(e.message).toMatch(/pss\.key is an RSA-PSS key .* which \w+ does not take; generate a plain RSA key/);
    }
  });
});
