// Property tests of PKCS#12 and encrypted-key reading (readPkcs12 through decode). How to run: test/fuzz/README.md.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode } from '../../src/core/pki/decode.js';
import type { InputErrorCode } from '../../src/core/errors.js';
import {
  buildCorpus, byteMutation, CORPUS_PASSPHRASE, expectInputError, FORGED_INTEGERS, fewerRuns, fuzzParams, mutateBytes, Outcomes,
  setAsn1Integer, TEST_TIMEOUT_MS, withinBudget, type Seed,
} from '../helpers/fuzz.js';

const FILE = 'fuzz.p12';
const CODES: InputErrorCode[] = ['truncated', 'unknown-content', 'unsupported', 'passphrase-required', 'wrong-passphrase', 'bad-base64', 'empty'];

let seeds: Seed[] = [];
beforeAll(() => {
  // Everything behind a passphrase: PKCS#12 (PBES2/AES, legacy 3DES/RC2, no MAC) and encrypted PKCS#8.
  seeds = buildCorpus().filter((s) => s.passphrase !== undefined);
});

const passphrase = fc.oneof(
  { weight: 4, arbitrary: fc.constant(CORPUS_PASSPHRASE) },
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.constantFrom('wrong passphrase', '', 'fixture pas', 'ﬁxture pass') },
);

const outcomes = new Outcomes('PKCS#12 and encrypted keys');
afterAll(() => outcomes.print());

async function check(input: Uint8Array, pass: string | undefined): Promise<void> {
  let err: unknown;
  const items = await withinBudget('decode', async () => {
    try {
      return await outcomes.track(() => decode(input, { file: FILE, passphrase: pass }));
    } catch (e) {
      err = e;
      return undefined;
    }
  });
  if (items === undefined) {
    expectInputError(err, { codes: CODES, file: FILE });
    // The passphrase is a secret too: no message repeats it.
    if (pass !== undefined && pass.length >= 4) expect(err.message).not.toContain(pass);
    return;
  }
  for (const item of items) if (item.kind === 'private-key') expect(item.key.type).toBe('private');
}

describe('fuzz PKCS#12 and encrypted keys', () => {
  it('mutated PKCS#12 and encrypted PKCS#8 (bytes, ASN.1 lengths and tags, forged integers): a result or an InputError, never a hang', { timeout: TEST_TIMEOUT_MS }, async () => {
    const input = fc.tuple(fc.nat(), fc.array(byteMutation, { minLength: 1, maxLength: 3 }))
      .map(([i, m]) => mutateBytes(seeds[i % seeds.length]!.bytes, m, seeds.map((s) => s.bytes)));
    await fc.assert(fc.asyncProperty(input, passphrase, check), fuzzParams());
  });

  it('every INTEGER forged in turn (iteration counts, versions, key sizes) with lengths kept consistent: a result or an InputError, never a hang', { timeout: TEST_TIMEOUT_MS }, async () => {
    const input = fc.tuple(fc.nat(), fc.nat(), fc.nat({ max: FORGED_INTEGERS.length - 1 }))
      .map(([i, which, v]) => setAsn1Integer(seeds[i % seeds.length]!.bytes, which, FORGED_INTEGERS[v]!));
    await fc.assert(fc.asyncProperty(input, passphrase, check), fuzzParams());
  });

  it('a wrong passphrase on an intact file is always "wrong-passphrase" and never echoed', { timeout: TEST_TIMEOUT_MS }, async () => {
    const wrong = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 24 }).filter((p) => p !== CORPUS_PASSPHRASE && p.trim().length >= 4);
    await fc.assert(fc.asyncProperty(fc.nat(), wrong, async (i, pass) => {
      const seed = seeds[i % seeds.length]!;
      let err: unknown;
      try {
        await decode(seed.bytes, { file: FILE, passphrase: pass });
      } catch (e) {
        err = e;
      }
      expectInputError(err, { codes: ['wrong-passphrase'], file: FILE });
      expect(err.message).not.toContain(pass);
    }), fuzzParams(fewerRuns(4)));
  });
});
