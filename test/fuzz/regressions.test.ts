// Inputs the fuzzers found (or that belong to the same class), kept as fixed cases so each fix stays fixed.
// Each row: the input as built from the committed fixtures, and the InputError it must now give.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { decode } from '../../src/core/pki/decode.js';
import { inspect } from '../../src/core/pki/inspect.js';
import { describeCsr } from '../../src/core/pki/csr.js';
import { parseOpensslCnf } from '../../src/core/pki/openssl-cnf.js';
import { parsePem, toPem } from '../../src/core/pki/pem.js';
import { MAX_PBE_ITERATIONS } from '../../src/core/pki/pkcs12-sniff.js';
import type { InputErrorCode } from '../../src/core/errors.js';
import { CORPUS_PASSPHRASE, expectInputError, setAsn1Integer } from '../helpers/fuzz.js';
import { openssl, tempDir } from '../helpers/openssl.js';

const fixture = (n: string): string => new URL(`../fixtures/pki/${n}`, import.meta.url).pathname;
const derOf = (n: string): Uint8Array => parsePem(readFileSync(fixture(n), 'utf8'))[0]!.der;
const t = tempDir('certbench-regress-');
afterAll(() => t.cleanup());

function replaceOnce(der: Uint8Array, find: number[], replace: number[]): Uint8Array {
  const hex = Buffer.from(der).toString('hex');
  const at = hex.indexOf(Buffer.from(find).toString('hex'));
  if (at < 0 || at % 2 !== 0) throw new Error('pattern not found in fixture');
  return new Uint8Array(Buffer.from(hex.slice(0, at) + Buffer.from(replace).toString('hex') + hex.slice(at + find.length * 2), 'hex'));
}

// An encrypted PKCS#8 / PKCS#12 made by OpenSSL, with every INTEGER holding `iterations` (2048) forged to `value`.
function forgeIterations(der: Uint8Array, value: Uint8Array): Uint8Array {
  let out = der;
  // setAsn1Integer picks by position, so walk them all and change only those that hold 2048 (0x0800).
  for (let i = 0; i < 64; i++) {
    const probe = setAsn1Integer(out, i, Uint8Array.from([0x08, 0x00]));
    if (Buffer.from(probe).equals(Buffer.from(out))) out = setAsn1Integer(out, i, value);
  }
  return out;
}

function made(name: string, args: string[]): Uint8Array {
  openssl([...args, '-out', t.path(name)]);
  return new Uint8Array(readFileSync(t.path(name)));
}

const HUGE = Uint8Array.from([0x7f, 0xff, 0xff, 0xff]);
const pass = `pass:${CORPUS_PASSPHRASE}`;

interface Row { name: string; input: () => Uint8Array | string; passphrase?: string; want: { code: InputErrorCode; message: RegExp; stage?: 'decode' | 'inspect' } }

const rows: Row[] = [
  {
    // asn1js throws (instead of reporting) on a malformed GeneralizedTime; decode's "is it truncated?" probe let it escape.
    name: 'certificate whose notAfter GeneralizedTime is malformed (asn1js threw a plain Error)',
    input: () => toPem('CERTIFICATE', replaceOnce(derOf('int.crt'), [0x18, 0x0f, 0x32, 0x31, 0x32, 0x35], [0x18, 0x30, 0x0f, 0x32, 0x31, 0x32, 0x35])),
    want: { code: 'unknown-content', message: /does not hold a valid X\.509 certificate/ },
  },
  {
    // Node parses a certificate without reading its key; publicKeyOf() then threw "decode error" in inspect and match.
    name: 'certificate whose public-key algorithm OID is damaged (node threw in inspect)',
    input: () => toPem('CERTIFICATE', replaceOnce(derOf('root.crt'), [0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01], [0x06, 0x07, 0x00, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01])),
    want: { code: 'unsupported', message: /public key certbench cannot read/ },
  },
  {
    // OpenSSL never decodes extension values it does not print; @peculiar/x509 threw AsnSchemaValidationError in inspect.
    name: 'certificate with a malformed subjectAltName value (x509 threw in inspect)',
    input: () => {
      writeFileSync(t.path('badsan.ext'), 'subjectAltName=DER:30:03:82:05:61\n');
      made('badsan.csr', ['req', '-new', '-key', fixture('ec.key'), '-subj', '/CN=badsan.example.net']);
      return made('badsan.crt', ['x509', '-req', '-in', t.path('badsan.csr'), '-CA', fixture('int.crt'), '-CAkey', fixture('int.key'), '-set_serial', '9', '-days', '30', '-extfile', t.path('badsan.ext')]);
    },
    want: { code: 'unknown-content', message: /certificate #1 is damaged: its names, dates or extensions cannot be read/, stage: 'inspect' },
  },
  {
    name: 'CSR with a malformed subjectAltName value (describeCsr threw in inspect)',
    input: () => made('badsan2.csr', ['req', '-new', '-key', fixture('ec.key'), '-subj', '/CN=badsan.example.net', '-addext', 'subjectAltName=DER:30:03:82:05:61']),
    want: { code: 'unknown-content', message: /the CSR is damaged: its subject or extensions cannot be read/, stage: 'inspect' },
  },
  {
    // OpenSSL runs PBKDF2 synchronously: 2^31 iterations blocked the process for about 7 minutes.
    name: 'encrypted PKCS#8 asking for 2^31-1 PBKDF2 iterations (blocked for minutes)',
    input: () => forgeIterations(made('enc.der', ['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', fixture('ec.key'), '-passout', pass, '-outform', 'DER']), HUGE),
    passphrase: CORPUS_PASSPHRASE,
    want: { code: 'unsupported', message: /asks for 2147483647 key-derivation iterations; certbench runs at most 1000000/ },
  },
  {
    name: 'encrypted PKCS#8 asking for one iteration more than the limit',
    input: () => forgeIterations(made('enc1.der', ['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', fixture('ec.key'), '-passout', pass, '-outform', 'DER']),
      Uint8Array.from([(MAX_PBE_ITERATIONS + 1) >> 16, ((MAX_PBE_ITERATIONS + 1) >> 8) & 0xff, (MAX_PBE_ITERATIONS + 1) & 0xff])),
    passphrase: CORPUS_PASSPHRASE,
    want: { code: 'unsupported', message: new RegExp(`asks for ${MAX_PBE_ITERATIONS + 1} key-derivation iterations`) },
  },
  {
    name: 'PKCS#12 without MAC whose bags ask for 2^31-1 iterations',
    input: () => forgeIterations(made('nomac.p12', ['pkcs12', '-export', '-nomac', '-inkey', fixture('ec.key'), '-in', fixture('ec.crt'), '-passout', pass]), HUGE),
    passphrase: CORPUS_PASSPHRASE,
    want: { code: 'unsupported', message: /PKCS#12 file asks for 2147483647 key-derivation iterations/ },
  },
  {
    name: 'PKCS#12 whose MAC asks for 2^31-1 iterations',
    input: () => forgeIterations(made('mac.p12', ['pkcs12', '-export', '-inkey', fixture('ec.key'), '-in', fixture('ec.crt'), '-passout', pass]), HUGE),
    passphrase: CORPUS_PASSPHRASE,
    want: { code: 'unsupported', message: /integrity check \(MAC\) of this PKCS#12 file asks for 2147483647 key-derivation iterations/ },
  },
  {
    name: 'legacy (3DES/RC2) PKCS#12 asking for an over-long iteration count, run in JavaScript by node-forge',
    input: () => forgeIterations(made('legacy.p12', ['pkcs12', '-export', '-legacy', '-nomac', '-inkey', fixture('ec.key'), '-in', fixture('ec.crt'), '-passout', pass]), Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0, 0])),
    passphrase: CORPUS_PASSPHRASE,
    want: { code: 'unsupported', message: /asks for an absurd number of key-derivation iterations/ },
  },
  {
    // The PFX reader's own asn1js parse threw on a malformed time value, the same way as decode's probe did.
    name: 'PKCS#12 holding a malformed GeneralizedTime at the top level (asn1js threw)',
    input: () => {
      const p12 = Buffer.from(made('plain.p12', ['pkcs12', '-export', '-inkey', fixture('ec.key'), '-in', fixture('ec.crt'), '-passout', pass]));
      const body = Buffer.concat([p12.subarray(4), Buffer.from([0x18, 0x01, 0xff])]);
      return new Uint8Array(Buffer.concat([Buffer.from([0x30, 0x82, body.length >> 8, body.length & 0xff]), body]));
    },
    passphrase: CORPUS_PASSPHRASE,
    want: { code: 'unknown-content', message: /PKCS#12 structure is malformed/ },
  },
];

describe('regressions found by fuzzing: decode and inspect', () => {
  for (const r of rows) {
    it(r.name, async () => {
      const file = 'regression.input';
      let err: unknown;
      try {
        const items = await decode(r.input(), { file, passphrase: r.passphrase });
        expect(r.want.stage, 'decode accepted it; only an inspect-stage row may get here').toBe('inspect');
        inspect(items);
      } catch (e) {
        err = e;
      }
      expectInputError(err, { codes: [r.want.code], file });
      expect(err.message).toMatch(r.want.message);
    });
  }

  it('describeCsr() on its own refuses a CSR with a malformed subjectAltName with an InputError', () => {
    made('badsan3.csr', ['req', '-new', '-key', fixture('ec.key'), '-subj', '/CN=badsan.example.net', '-addext', 'subjectAltName=DER:30:03:82:05:61']);
    const der = parsePem(readFileSync(t.path('badsan3.csr'), 'utf8'))[0]!.der;
    let err: unknown;
    try {
      describeCsr(der);
    } catch (e) {
      err = e;
    }
    expectInputError(err, { codes: ['unknown-content'] });
  });

  it('the iteration limit still reads the PKCS#12 files Windows and Java write (2000 and 10000 iterations)', async () => {
    for (const n of ['2000', '10000']) {
      const p12 = made(`iter${n}.p12`, ['pkcs12', '-export', '-iter', n, '-inkey', fixture('ec.key'), '-in', fixture('ec.crt'), '-passout', pass]);
      const items = await decode(p12, { file: `iter${n}.p12`, passphrase: CORPUS_PASSPHRASE });
      expect(items.map((i) => i.kind)).toEqual(['private-key', 'certificate']);
    }
  });
});

describe('regressions found by fuzzing: OpenSSL config reader', () => {
  const base = (dn: string, extra = ''): string => `[ req ]\nprompt = no\ndistinguished_name = ${dn}\n${extra}\n[ dn ]\nCN = {{host}}.example.net\n`;
  const rows2: { name: string; text: string; vars: Record<string, string>; message: RegExp }[] = [
    // The name went into the message as it was: a C1 control (U+009B is CSI) reached the terminal.
    { name: 'section reference holding a C1 control character', text: base('d\u009bn'), vars: { host: 'a' }, message: /line 3 contains a control character/ },
    { name: 'section reference holding a tab is shown escaped', text: base('d\tn'), vars: { host: 'a' }, message: /names section "d\\u0009n", which the config does not have/ },
    { name: 'bidi override in a value', text: base('dn').replace('{{host}}', '\u202eten'), vars: {}, message: /line 6 contains a control character/ },
    // certbench wrote such a value into --emit-openssl-cnf output that its own reader then took for a placeholder.
    { name: 'placeholder value that forms "{{"', text: base('dn').replace('{{host}}', '{{{host}}'), vars: { host: '{x}}' }, message: /filling the placeholders gives "\{\{x\}\}\.example\.net", which holds "\{\{"/ },
  ];
  for (const r of rows2) {
    it(r.name, () => {
      let err: unknown;
      try {
        parseOpensslCnf(r.text, r.vars, 'regression.cnf');
      } catch (e) {
        err = e;
      }
      expectInputError(err, { codes: ['invalid-value'], file: 'regression.cnf' });
      expect(err.message).toMatch(r.message);
    });
  }
});
