// Property tests of describeCsr() over mutated CSRs, and of the subject/SAN parsers over random text with a
// build-and-read-back round trip. How to run: test/fuzz/README.md.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCsr, describeCsr, parseSan, parseSubject, validateSan, validateSubjectAttr } from '../../src/core/pki/csr.js';
import { parsePem } from '../../src/core/pki/pem.js';
import {
  byteMutation, expectInputError, fewerRuns, fuzzParams, mutateBytes, Outcomes, resultOrInputError, TEST_TIMEOUT_MS, withinBudget,
} from '../helpers/fuzz.js';
import { opensslTry } from '../helpers/openssl.js';

const fixture = (n: string): string => new URL(`../fixtures/pki/${n}`, import.meta.url).pathname;
let csrs: Uint8Array[] = [];
let key: KeyObject;
beforeAll(async () => {
  key = createPrivateKey(readFileSync(fixture('ec.key')));
  csrs = ['rsa.csr', 'ec.csr', 'ed.csr'].map((n) => parsePem(readFileSync(fixture(n), 'utf8'))[0]!.der);
  // One with every SAN type and both usages, so mutations reach each extension reader.
  const rich = await buildCsr({
    key, subject: [{ type: 'C', value: 'DE' }, { type: 'O', value: 'Lab' }, { type: 'OU', value: 'Net' }, { type: 'CN', value: 'rich.example.net' }, { type: 'emailAddress', value: 'ops@example.net' }],
    sans: [{ type: 'DNS', value: 'rich.example.net' }, { type: 'IP', value: '2001:db8::1' }, { type: 'IP', value: '192.0.2.9' }, { type: 'email', value: 'ops@example.net' }, { type: 'URI', value: 'https://rich.example.net/' }],
    keyUsage: ['digitalSignature', 'keyAgreement'], extendedKeyUsage: ['serverAuth', 'clientAuth', '1.3.6.1.5.5.7.3.17'],
  });
  csrs.push(rich.der);
});
const outcomes = new Outcomes('describeCsr');
const built = new Outcomes('CSR build round trip');
afterAll(() => { outcomes.print(); built.print(); });

describe('fuzz describeCsr()', () => {
  it('mutated CSRs (bytes, ASN.1 lengths, tags and integers): a description or an "unknown-content" InputError', { timeout: TEST_TIMEOUT_MS }, async () => {
    const input = fc.tuple(fc.nat(), fc.array(byteMutation, { minLength: 1, maxLength: 3 })).map(([i, m]) => mutateBytes(csrs[i % csrs.length]!, m, csrs));
    await fc.assert(fc.asyncProperty(input, async (der) => {
      const d = await withinBudget('describeCsr', () => resultOrInputError(() => outcomes.track(async () => describeCsr(der)), { codes: ['unknown-content'] }));
      if (d === undefined) return;
      expect(typeof d.signatureValid).toBe('boolean');
      expect(typeof d.signatureAlgorithm).toBe('string');
    }), fuzzParams());
  });
});

describe('fuzz parseSubject() and parseSan()', () => {
  const subjectText = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.array(fc.tuple(fc.constantFrom('C', 'ST', 'L', 'O', 'OU', 'CN', 'emailAddress', 'commonName', 'E', 'X', ''), fc.oneof(
      fc.constantFrom('US', 'host.example.net', 'Lab\\, Inc', 'a\\2Cb', 'M\\C3\\BCnchen', '$(id)', 'a;b', 'a\nb', 'a\u0000b', ' x', 'x ', '\\', '=', '/', ',', 'é', '\u202e', 'a@b.example'),
      fc.string({ unit: 'grapheme', maxLength: 12 }),
    )), { minLength: 1, maxLength: 5 }).chain((parts) => fc.constantFrom(',', '/').map((sep) => (sep === '/' ? '/' : '') + parts.map(([t, v]) => `${t}=${v}`).join(sep))),
  );
  const sanText = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.tuple(fc.constantFrom('DNS:', 'IP:', 'email:', 'URI:', 'ip address:', 'dns: ', 'RID:', ''), fc.oneof(
      fc.constantFrom('host.example.net', '*.example.net', '*.net', 'a..b', '192.0.2.1', '::1', '::ffff:1.2.3.4', '01.2.3.4', 'fe80::1%eth0', 'a@b.example', 'https://x.example/', 'x y', 'münchen.de', 'a\nb', 'a\u0000b', '$(id)', '-x.example'),
      fc.string({ unit: 'grapheme-ascii', maxLength: 20 }),
    )).map(([p, v]) => p + v),
  );

  it('random subjects: attributes that re-validate unchanged, or an "invalid-value" InputError naming the flag', { timeout: TEST_TIMEOUT_MS }, async () => {
    await fc.assert(fc.asyncProperty(subjectText, async (text) => {
      const attrs = await resultOrInputError(async () => parseSubject(text, '--subject'), { codes: ['invalid-value'], file: '--subject' });
      if (attrs === undefined) return;
      for (const a of attrs) {
        expect(validateSubjectAttr(a)).toEqual(a);
        expect(a.value).not.toMatch(/[\u0000-\u001f\u007f-\u009f`$;|<>]/);
      }
    }), fuzzParams());
  });

  it('random SANs: a SAN that re-validates unchanged, or an "invalid-value" InputError', { timeout: TEST_TIMEOUT_MS }, async () => {
    await fc.assert(fc.asyncProperty(sanText, async (text) => {
      const san = await resultOrInputError(async () => parseSan(text), { codes: ['invalid-value'] });
      if (san === undefined) return;
      expect(validateSan(san)).toEqual(san);
      expect(san.value).not.toMatch(/[\u0000-\u0020\u007f-\u009f]/);
    }), fuzzParams());
  });

  // Mostly-valid input for the round trip: any Unicode in names (escaped as a user would), generated hostnames,
  // addresses, emails and URLs, plus the hostile texts above now and then.
  const escapeDn = (v: string): string => v.replace(/[\\,/=+]/g, (c) => `\\${c}`);
  const name = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 })
    .map((v) => v.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069`$;|<>]/g, '').trim()).filter((v) => v.length > 0);
  const email = fc.tuple(fc.stringMatching(/^[a-z0-9][a-z0-9._%+-]{0,10}[a-z0-9]$/).filter((l) => !l.includes('..')), fc.domain()).map(([l, d]) => `${l}@${d}`);
  const plausibleSubject = fc.array(fc.oneof(
    fc.tuple(fc.constantFrom('O', 'OU', 'CN', 'L', 'ST'), name),
    fc.tuple(fc.constant('C'), fc.constantFrom('US', 'de', 'Fr', 'jp')),
    fc.tuple(fc.constant('emailAddress'), email),
  ), { minLength: 1, maxLength: 5 }).map((parts) => parts.map(([t, v]) => `${t}=${escapeDn(v)}`).join(','));
  const plausibleSan = fc.oneof(
    fc.domain().map((d) => `DNS:${d}`), fc.ipV4().map((a) => `IP:${a}`), fc.ipV6().map((a) => `IP:${a}`),
    email.map((e) => `email:${e}`), fc.domain().map((d) => `URI:https://${d}/`),
  );
  it('whatever subject and SANs are accepted, the built CSR reads back the same and OpenSSL verifies it', { timeout: TEST_TIMEOUT_MS }, async () => {
    const subjects = fc.oneof({ weight: 6, arbitrary: plausibleSubject }, { weight: 1, arbitrary: subjectText });
    const sans = fc.array(fc.oneof({ weight: 10, arbitrary: plausibleSan }, { weight: 1, arbitrary: sanText }), { maxLength: 4 });
    await fc.assert(fc.asyncProperty(subjects, sans, async (subjectIn, sansIn) => {
      let subject;
      let sans;
      try {
        subject = parseSubject(subjectIn);
        sans = sansIn.map((s) => parseSan(s));
      } catch (e) {
        expectInputError(e, { codes: ['invalid-value'] });
        built.add('refused');
        return;
      }
      built.add('built');
      const csr = await buildCsr({ key, subject, sans });
      const d = describeCsr(csr.der);
      expect(d.subject).toEqual(subject);
      expect(d.sans).toEqual(sans);
      expect(d.signatureValid).toBe(true);
      const r = opensslTry(['req', '-verify', '-noout'], csr.pem);
      expect(r.status, r.stderr).toBe(0);
    }), fuzzParams(fewerRuns(4)));
  });
});
