// Property tests of parsePem() over random and mutated text. How to run: test/fuzz/README.md.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { looksLikePem, parsePem, toPem } from '../../src/core/pki/pem.js';
import {
  buildCorpus, fewerRuns, fuzzParams, mutateText, Outcomes, PEM_LINES, resultOrInputError, TEST_TIMEOUT_MS, textMutation, withinBudget,
} from '../helpers/fuzz.js';

const FILE = 'fuzz.pem';
let pems: string[] = [];
beforeAll(() => {
  pems = buildCorpus().filter((s) => s.form === 'pem').map((s) => Buffer.from(s.bytes).toString('utf8'));
});
const outcomes = new Outcomes('parsePem');
afterAll(() => outcomes.print());

// parsePem must give blocks or refuse with `truncated` / `bad-base64`; what it gives must re-armour to itself.
async function check(text: string): Promise<void> {
  const blocks = await withinBudget('parsePem', () => resultOrInputError(() => outcomes.track(async () => parsePem(text, FILE)), { codes: ['truncated', 'bad-base64'], file: FILE }));
  if (blocks === undefined) return;
  if (!looksLikePem(text)) expect(blocks).toEqual([]);
  expect(blocks.length).toBeLessThanOrEqual(text.split('-----BEGIN ').length - 1);
  for (const b of blocks) {
    expect(b.label).toMatch(/^[A-Z0-9 #]+$/);
    expect(b.der.length).toBeGreaterThan(0);
    const again = parsePem(toPem(b.label, b.der), FILE);
    expect(again).toHaveLength(1);
    expect(again[0]!.label).toBe(b.label);
    expect(Buffer.from(again[0]!.der).equals(Buffer.from(b.der))).toBe(true);
  }
}

describe('fuzz parsePem()', () => {
  it('random text: blocks or a typed refusal naming the file', { timeout: TEST_TIMEOUT_MS }, async () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 400 }),
      // Random lines drawn from PEM armour, headers and base64, so BEGIN/END pairing is exercised.
      fc.array(fc.oneof(fc.constantFrom(...PEM_LINES), fc.base64String({ maxLength: 80 })), { maxLength: 30 }).map((l) => l.join('\n')),
    );
    await fc.assert(fc.asyncProperty(text, check), fuzzParams());
  });

  it('mutated real PEM (base64 characters, CR/NUL/control characters, dropped END lines, duplicated blocks, truncation)', { timeout: TEST_TIMEOUT_MS }, async () => {
    const input = fc.tuple(fc.nat(), fc.array(textMutation(PEM_LINES), { minLength: 1, maxLength: 5 }))
      .map(([i, m]) => mutateText(pems[i % pems.length]!, m));
    await fc.assert(fc.asyncProperty(input, check), fuzzParams());
  });

  it('large adversarial text (many BEGIN lines, long labels, long base64 runs) stays within the time bound', { timeout: TEST_TIMEOUT_MS }, async () => {
    const piece = fc.constantFrom('-----BEGIN ', '-----BEGIN CERTIFICATE-----\n', '-----END CERTIFICATE-----\n', 'AAAA', 'A'.repeat(64) + '\n', '-----', ' ', '\r', 'Proc-Type: 4,ENCRYPTED\n', 'CERTIFICATE');
    const big = fc.tuple(fc.array(piece, { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 20_000 }))
      .map(([parts, times]) => parts.join('').repeat(times).slice(0, 600_000));
    await fc.assert(fc.asyncProperty(big, check), fuzzParams(fewerRuns(10)));
  });
});
