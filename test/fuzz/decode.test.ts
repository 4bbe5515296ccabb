// Property tests of decode() and inspect() over random and mutated input. How to run, seeds and bounds: test/fuzz/README.md.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, spkiSha256 } from '../../src/core/pki/decode.js';
import { inspect } from '../../src/core/pki/inspect.js';
import { exportPrivateKey } from '../../src/core/pki/keys.js';
import { toPem } from '../../src/core/pki/pem.js';
import { MAX_INPUT_BYTES, type DecodedItem } from '../../src/core/pki/types.js';
import type { InputErrorCode } from '../../src/core/errors.js';
import {
  buildCorpus, byteMutation, CORPUS_PASSPHRASE, fuzzParams, mutateBytes, mutateText, Outcomes, PEM_LINES, resultOrInputError,
  TEST_TIMEOUT_MS, textMutation, withinBudget, type Seed,
} from '../helpers/fuzz.js';

const FILE = 'fuzz-input.bin';
// What decode may refuse with; anything else (or another exception type) is a bug.
const DECODE_CODES: InputErrorCode[] = ['too-large', 'empty', 'truncated', 'bad-base64', 'unknown-content', 'unsupported', 'passphrase-required', 'wrong-passphrase'];
const INSPECT_CODES: InputErrorCode[] = ['unsupported', 'wrong-kind', 'unknown-content'];

let corpus: Seed[] = [];
beforeAll(() => {
  corpus = buildCorpus();
});
const outcomes = new Outcomes('decode');
afterAll(() => outcomes.print());

const passphrase = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: fc.constant(CORPUS_PASSPHRASE) },
  { weight: 1, arbitrary: fc.constantFrom('wrong', '', 'fixture pass ', 'ünïcødé', '\u0000') },
);

// Decodes, then inspects what was decoded: both must end in a result or a typed refusal.
async function decodeAndInspect(input: Uint8Array | string, pass: string | undefined): Promise<DecodedItem[] | undefined> {
  const items = await withinBudget('decode', () => resultOrInputError(() => outcomes.track(() => decode(input, { file: FILE, passphrase: pass })), { codes: DECODE_CODES, file: FILE }));
  if (items === undefined) return undefined;
  expect(items.length).toBeGreaterThan(0);
  for (const item of items) {
    expect(item.file).toBe(FILE);
    if (item.kind === 'private-key') expect(item.key.type).toBe('private');
  }
  const report = await withinBudget('inspect', () => resultOrInputError(() => inspect(items, { now: new Date('2030-01-01T00:00:00Z') }), { codes: INSPECT_CODES, file: FILE }));
  if (report !== undefined) {
    expect(report).toHaveLength(items.length);
    // An inspection is what the UI and --json show: it must serialise and never carry key bytes.
    const json = JSON.stringify(report);
    expect(json).not.toMatch(/PRIVATE KEY/);
  }
  return items;
}

// Replaces the DER inside PEM block `block` with mutated DER, keeping the armour and any headers.
function mutatePemInner(text: string, block: number, mutate: (der: Uint8Array) => Uint8Array): string {
  const re = /(-----BEGIN ([A-Z0-9 #]+)-----\r?\n)((?:[A-Za-z-]+:[^\n]*\n)*\n?)([A-Za-z0-9+/=\r\n]+?)(-----END \2-----)/g;
  const matches = [...text.matchAll(re)];
  if (matches.length === 0) return text;
  const m = matches[block % matches.length]!;
  const der = new Uint8Array(Buffer.from(m[4]!.replace(/\s+/g, ''), 'base64'));
  const body = toPem('X', mutate(der)).split('\n').slice(1, -2).join('\n');
  return text.slice(0, m.index) + m[1]! + m[3]! + body + '\n' + m[5]! + text.slice(m.index + m[0].length);
}

// A mutated corpus input: byte mutations for DER and PKCS#12; for PEM also text mutations and DER mutations under the armour.
const mutatedInput = fc.nat().chain((i) => {
  const seed = corpus[i % corpus.length]!;
  const others = corpus.map((s) => s.bytes);
  const bytes = fc.array(byteMutation, { minLength: 1, maxLength: 4 }).map((m) => mutateBytes(seed.bytes, m, others) as Uint8Array | string);
  if (seed.form !== 'pem') return fc.tuple(fc.constant(seed.name), bytes);
  const text = Buffer.from(seed.bytes).toString('latin1');
  return fc.tuple(fc.constant(seed.name), fc.oneof(
    bytes,
    fc.array(textMutation(PEM_LINES), { minLength: 1, maxLength: 4 }).map((m) => mutateText(text, m) as Uint8Array | string),
    fc.tuple(fc.nat(), fc.array(byteMutation, { minLength: 1, maxLength: 3 }))
      .map(([block, m]) => mutatePemInner(text, block, (der) => mutateBytes(der, m, others)) as Uint8Array | string),
  ));
});

describe('fuzz decode() and inspect()', () => {
  it('random bytes: a result or an InputError naming the file', { timeout: TEST_TIMEOUT_MS }, async () => {
    // Half the inputs start like DER (a SEQUENCE header) so the DER branches are reached, not only "not DER".
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 2048 }),
      fc.tuple(fc.constantFrom(0x30, 0x02, 0x04), fc.uint8Array({ minLength: 1, maxLength: 2048 })).map(([tag, rest]) => {
        const lenBytes = rest.length < 0x80 ? [rest.length] : [0x82, rest.length >> 8, rest.length & 0xff];
        return Uint8Array.from([tag, ...lenBytes, ...rest]);
      }),
      // A PKCS#12 header (SEQUENCE { INTEGER 3, SEQUENCE ...) with random contents, to reach the PFX parser.
      fc.uint8Array({ minLength: 4, maxLength: 1024 }).map((rest) => {
        const body = [0x02, 0x01, 0x03, 0x30, 0x82, (rest.length >> 8) & 0xff, rest.length & 0xff, ...rest];
        return Uint8Array.from([0x30, 0x82, body.length >> 8, body.length & 0xff, ...body]);
      }),
    );
    await fc.assert(fc.asyncProperty(bytes, passphrase, async (b, pass) => {
      await decodeAndInspect(b, pass);
    }), fuzzParams());
  });

  it('random text, and PEM armour around random bytes: a result or an InputError', { timeout: TEST_TIMEOUT_MS }, async () => {
    const labels = ['CERTIFICATE', 'TRUSTED CERTIFICATE', 'CERTIFICATE REQUEST', 'PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'RSA PRIVATE KEY',
      'EC PRIVATE KEY', 'PUBLIC KEY', 'RSA PUBLIC KEY', 'EC PARAMETERS', 'PKCS7', 'X509 CRL'];
    const armoured = fc.tuple(fc.constantFrom(...labels), fc.uint8Array({ maxLength: 1500 }), fc.boolean())
      .map(([label, der, encrypted]) => {
        const pem = toPem(label, Uint8Array.from([0x30, ...(der.length < 0x80 ? [der.length] : [0x82, der.length >> 8, der.length & 0xff]), ...der]));
        return encrypted ? pem.replace(/-----\n/, '-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,000102030405060708090A0B0C0D0E0F\n\n') : pem;
      });
    const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 512 }), fc.string({ unit: 'grapheme-ascii', maxLength: 512 }), armoured);
    await fc.assert(fc.asyncProperty(text, passphrase, async (t, pass) => {
      await decodeAndInspect(t, pass);
    }), fuzzParams());
  });

  it('mutated real inputs (PEM, DER, encrypted keys; flips, truncation, splices, base64 and ASN.1 length damage): a result or an InputError', { timeout: TEST_TIMEOUT_MS }, async () => {
    await fc.assert(fc.asyncProperty(mutatedInput, passphrase, async ([, input], pass) => {
      await decodeAndInspect(input, pass);
    }), fuzzParams());
  });

  it('every corpus input decodes and inspects without findings of a broken parse', async () => {
    // The mutation properties are only meaningful if the unmutated corpus is read in full.
    for (const seed of corpus) {
      const items = await decode(seed.bytes, { file: seed.name, passphrase: seed.passphrase });
      expect(items.length, seed.name).toBeGreaterThan(0);
      expect(inspect(items)).toHaveLength(items.length);
    }
  });

  it('an input over the size limit is refused before it is parsed', async () => {
    const big = new Uint8Array(MAX_INPUT_BYTES + 1).fill(0x41);
    await resultOrInputError(() => decode(big, { file: FILE }), { codes: ['too-large'], file: FILE });
    await expect(decode(big, { file: FILE })).rejects.toMatchObject({ code: 'too-large' });
  });
});

describe('fuzz round trips', () => {
  it('a decoded key re-exported in any encoding (PEM/DER, PKCS#8/PKCS#1/SEC1, encrypted) decodes to the same public key', { timeout: TEST_TIMEOUT_MS }, async () => {
    const keys: { name: string; item: DecodedItem & { kind: 'private-key' } }[] = [];
    for (const seed of corpus) {
      for (const item of await decode(seed.bytes, { file: seed.name, passphrase: seed.passphrase })) {
        if (item.kind === 'private-key') keys.push({ name: seed.name, item });
      }
    }
    expect(keys.length).toBeGreaterThan(5);
    const how = fc.record({
      format: fc.constantFrom('pkcs8' as const, 'pkcs1' as const, 'sec1' as const),
      der: fc.boolean(),
      passphrase: fc.option(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }), { nil: undefined }),
    });
    await fc.assert(fc.asyncProperty(fc.nat(), how, async (i, h) => {
      const { name, item } = keys[i % keys.length]!;
      const type = item.key.asymmetricKeyType;
      // Only the combinations that exist: PKCS#1 is RSA, SEC1 is EC, encryption is PKCS#8.
      fc.pre(h.format === 'pkcs8' || (h.format === 'pkcs1' && type === 'rsa') || (h.format === 'sec1' && type === 'ec'));
      const pass = h.format === 'pkcs8' ? h.passphrase : undefined;
      const out = exportPrivateKey(item.key, { format: h.format, der: h.der, ...(pass === undefined ? {} : { passphrase: pass }) });
      const again = await decode(typeof out === 'string' ? out : new Uint8Array(out), { file: `${name}.again`, ...(pass === undefined ? {} : { passphrase: pass }) });
      expect(again).toHaveLength(1);
      const back = again[0]!;
      expect(back.kind).toBe('private-key');
      expect(spkiSha256(back)).toBe(spkiSha256(item));
      if (back.kind === 'private-key') expect(back.encoding).toBe(pass === undefined ? h.format : 'pkcs8-encrypted');
    }), fuzzParams());
  });

  it('PEM reformatted the way tools and mail clients do (line width, CRLF, text around blocks) decodes to the same objects', { timeout: TEST_TIMEOUT_MS }, async () => {
    const pemSeeds = corpus.filter((s) => s.form === 'pem');
    const layout = fc.record({
      width: fc.integer({ min: 4, max: 200 }).map((w) => w * 4),
      eol: fc.constantFrom('\n', '\r\n', '\r'),
      before: fc.constantFrom('', 'Bag Attributes\n    friendlyName: x\nsubject=/CN=x\n', 'Certificate:\n    Data: ...\n', '\n\n', '   '),
      after: fc.constantFrom('', '\n', 'trailing text\n', '\u0000'),
      indent: fc.constantFrom('', ' ', '\t'),
    });
    await fc.assert(fc.asyncProperty(fc.nat(), layout, async (i, l) => {
      const seed = pemSeeds[i % pemSeeds.length]!;
      const text = Buffer.from(seed.bytes).toString('utf8');
      const reflowed = text.replace(/(-----BEGIN [A-Z0-9 #]+-----\n)((?:[A-Za-z-]+:[^\n]*\n)*\n?)([A-Za-z0-9+/=\n]+?)(-----END [A-Z0-9 #]+-----)/g,
        (_m, begin: string, headers: string, body: string, end: string) => {
          const b64 = body.replace(/\s+/g, '');
          const lines = b64.match(new RegExp(`.{1,${l.width}}`, 'g')) ?? [];
          return begin + headers + lines.map((x) => l.indent + x).join('\n') + '\n' + end;
        });
      const variant = (l.before + reflowed + l.after).replace(/\n/g, l.eol);
      const want = await decode(seed.bytes, { file: seed.name, passphrase: seed.passphrase });
      const got = await decode(variant, { file: seed.name, passphrase: seed.passphrase });
      expect(got.map((x) => x.kind)).toEqual(want.map((x) => x.kind));
      expect(got.map(spkiSha256)).toEqual(want.map(spkiSha256));
      got.forEach((g, k) => {
        const w = want[k]!;
        if ((g.kind === 'certificate' || g.kind === 'csr') && (w.kind === 'certificate' || w.kind === 'csr')) expect(Buffer.from(g.der).equals(Buffer.from(w.der))).toBe(true);
      });
    }), fuzzParams());
  });
});
