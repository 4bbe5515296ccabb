// Property tests of the OpenSSL config reader and writer (parseOpensslCnf, templateVariables, writeOpensslCnf,
// opensslReqCommand) over random and mutated configs. How to run: test/fuzz/README.md.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { validateSan, validateSubjectAttr } from '../../src/core/pki/csr.js';
import { opensslReqCommand, parseOpensslCnf, templateVariables, writeOpensslCnf, type CsrTemplate } from '../../src/core/pki/openssl-cnf.js';
import type { InputErrorCode } from '../../src/core/errors.js';
import {
  byteMutation, configSeeds, expectInputError, fewerRuns, fuzzParams, mutateBytes, mutateText, Outcomes, resultOrInputError, TEMPLATE_VARS,
  TEST_TIMEOUT_MS, textMutation, withinBudget,
} from '../helpers/fuzz.js';
import { tempDir } from '../helpers/openssl.js';

const FILE = 'fuzz.cnf';
const CODES: InputErrorCode[] = ['invalid-value', 'unsupported', 'empty', 'too-large', 'unknown-content'];
const seeds = configSeeds().map((s) => Buffer.from(s.bytes).toString('utf8'));
const outcomes = new Outcomes('parseOpensslCnf');
afterAll(() => outcomes.print());

// Lines a user (or an attacker handing a user a "template") could put in a config.
const HOSTILE_LINES = [
  '.include /etc/passwd', '.include=/tmp', '.pragma dollarid:true', '.unknown x', '[ unknown ]', '[bad', '[ a b ]', '[]',
  'CN = $ENV::HOME', 'CN = ${ENV::HOME}', 'CN = $(id)', 'CN = `id`', 'CN = a;rm -rf /tmp/x', 'CN = a|b', 'CN = a > /tmp/x', 'O = \\$literal',
  'DNS.9 = a\\', 'DNS.9 = "unterminated', "DNS.9 = 'x'", 'subjectAltName = @nowhere', 'req_extensions = nowhere', 'distinguished_name = nowhere',
  'basicConstraints = CA:TRUE', 'basicConstraints = critical,CA:FALSE', 'nsComment = x', '{{x}} = y', 'CN = {{unclosed', 'CN = }}{{',
  'default_bits = 99999999999999999999', 'default_bits = 512', 'default_md = md5', 'prompt = yes', 'prompt = no', 'CN_default = x', 'OU = ' + 'A'.repeat(70),
  'email.1 = copy', 'email.1 = a@b', 'IP.1 = 999.1.1.1', 'IP.1 = ::ffff:1.2.3.4', 'IP.1 = fe80::1%eth0', 'URI.1 = http://[::1', 'URI.1 = https://x.example/ a',
  'C = USA', 'C = us', 'CN = München', 'utf8 = yes', '1.OU = a', '+CN = x', 'otherName.1 = 1.2.3;UTF8:x', 'dirName.1 = dir_sect', 'RID.1 = 1.2.3',
  'keyUsage = bogus', 'keyUsage = critical', 'extendedKeyUsage = 1.2.3.4', 'extendedKeyUsage = 1..2', 'DNS.1 = *.example.com', 'DNS.1 = *.com',
  'DNS.1 = a_b.example', 'DNS.1 = xn--mnchen-3ya.de', 'DNS.1 = ' + 'a'.repeat(64) + '.com', 'CN = a\\nb', 'CN = \\', 'a = b = c', '=', 'novalue',
];
const hostileValue = fc.oneof(
  fc.constantFrom('$(touch /tmp/pwned)', '`id`', 'a;b', 'a\nCN = injected', 'a\r\nb', 'a\u0000b', '\u202etxt', '"', "'", '\\', '#', '{{x}}', '${HOME}', ' lead', 'trail ', ''),
  fc.string({ unit: 'binary', maxLength: 20 }),
);
const vars = fc.oneof(
  { weight: 3, arbitrary: fc.constant(TEMPLATE_VARS) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...Object.keys(TEMPLATE_VARS)), hostileValue).map(([k, v]) => ({ ...TEMPLATE_VARS, [k]: v })) },
  { weight: 1, arbitrary: fc.constant({}) },
);

function sameTemplate(a: CsrTemplate, b: CsrTemplate): void {
  expect(b.subject).toEqual(a.subject);
  expect(b.sans).toEqual(a.sans);
  expect(b.keyUsage).toEqual(a.keyUsage);
  expect(b.extendedKeyUsage).toEqual(a.extendedKeyUsage);
  expect(b.defaultBits).toEqual(a.defaultBits);
  expect(b.defaultMd).toEqual(a.defaultMd);
}

// A template read from anything must hold only values certbench would itself accept, and survive write + read.
async function check(text: string, v: Record<string, string>): Promise<void> {
  const t = await withinBudget('parseOpensslCnf', () => resultOrInputError(() => outcomes.track(async () => parseOpensslCnf(text, v, FILE)), { codes: CODES, file: FILE }));
  const names = templateVariables(text);
  expect(new Set(names).size).toBe(names.length);
  for (const n of names) expect(n).toMatch(/^[A-Za-z_][A-Za-z0-9_.-]*$/);
  if (t === undefined) return;
  expect(t.subject.length).toBeGreaterThan(0);
  for (const a of t.subject) expect(validateSubjectAttr(a)).toEqual(a);
  for (const s of t.sans) expect(validateSan(s)).toEqual(s);
  const written = writeOpensslCnf(t);
  sameTemplate(t, parseOpensslCnf(written, {}, 'written.cnf'));
}

describe('fuzz parseOpensslCnf() and templateVariables()', () => {
  it('random text: a template or an InputError naming the file', { timeout: TEST_TIMEOUT_MS }, async () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.array(fc.oneof(fc.constantFrom(...HOSTILE_LINES), fc.constantFrom('[ req ]', 'distinguished_name = dn', '[ dn ]', 'CN = host.example.net', 'prompt = no')), { maxLength: 20 }).map((l) => l.join('\n')),
    );
    await fc.assert(fc.asyncProperty(text, vars, check), fuzzParams());
  });

  it('mutated shipped templates and configs (hostile lines, metacharacters, control characters, broken quotes and sections)', { timeout: TEST_TIMEOUT_MS }, async () => {
    const mutated = fc.tuple(fc.nat(), fc.array(textMutation(HOSTILE_LINES), { minLength: 1, maxLength: 4 }))
      .map(([i, m]) => mutateText(seeds[i % seeds.length]!, m));
    const byteLevel = fc.tuple(fc.nat(), fc.array(byteMutation, { minLength: 1, maxLength: 3 }))
      .map(([i, m]) => Buffer.from(mutateBytes(Buffer.from(seeds[i % seeds.length]!, 'utf8'), m)).toString('utf8'));
    // Intact configs too, so hostile placeholder values alone are tried and the write/read round trip runs often.
    const intact = fc.nat().map((i) => seeds[i % seeds.length]!);
    await fc.assert(fc.asyncProperty(fc.oneof({ weight: 4, arbitrary: mutated }, { weight: 1, arbitrary: byteLevel }, { weight: 2, arbitrary: intact }), vars, check), fuzzParams());
  });

  it('templateVariables() never throws, on any text', { timeout: TEST_TIMEOUT_MS }, async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.constantFrom(...seeds)), async (text) => {
      const names = await withinBudget('templateVariables', () => templateVariables(text));
      expect(Array.isArray(names)).toBe(true);
    }), fuzzParams());
  });
});

describe('fuzz opensslReqCommand()', () => {
  // The shell itself is the oracle: bash runs the command with `openssl` replaced by a function that prints its arguments.
  const t = tempDir('certbench-fuzz-shell-');
  afterAll(() => t.cleanup());
  it('bash hands openssl exactly the given paths and runs nothing else, whatever the paths hold', { timeout: TEST_TIMEOUT_MS }, async () => {
    const path = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 24 }),
      fc.constantFrom('key.pem', '-key.pem', 'a b.pem', "it's.pem", '$(touch pwned)', '`touch pwned`', 'a;touch pwned', 'a|b', '*.pem', '~/k.pem', 'a\nb', '\u00e9.pem', '"', '\\'),
    );
    await fc.assert(fc.asyncProperty(path, path, path, async (keyPath, configPath, csrPath) => {
      let cmd: string;
      try {
        cmd = opensslReqCommand({ keyPath, configPath, csrPath });
      } catch (e) {
        expectInputError(e, { codes: ['invalid-value'] });
        expect([keyPath, configPath, csrPath].some((p) => p.length === 0 || /[\u0000-\u001f\u007f]/.test(p))).toBe(true);
        return;
      }
      const script = `openssl() { printf '%s\\0' "$@"; }\n${cmd}`;
      const r = spawnSync('bash', ['--norc', '--noprofile', '-c', script], { encoding: 'utf8', cwd: t.dir, env: { PATH: '/usr/bin:/bin', HOME: t.dir } });
      expect(r.status, r.stderr).toBe(0);
      // Nothing in the paths ran: no file appeared where the command ran.
      expect(readdirSync(t.dir)).toEqual([]);
      const dash = (p: string): string => (p.startsWith('-') ? `./${p}` : p);
      expect(r.stdout.split('\0').slice(0, -1)).toEqual(['req', '-new', '-key', dash(keyPath), '-config', dash(configPath), '-out', dash(csrPath)]);
    }), fuzzParams(fewerRuns(2)));
  });
});
