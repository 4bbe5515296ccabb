// Shared machinery for the property tests in test/fuzz (see test/fuzz/README.md for how to run them).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { expect } from 'vitest';
import { InputError, type InputErrorCode } from '../../src/core/errors.js';
import { openssl, tempDir } from './openssl.js';

// Failures deep inside asn1js/pkijs need more than the default 10 frames to show the certbench line that called them.
Error.stackTraceLimit = 50;

// ---------------------------------------------------------------------------------------------
// Run settings

const envInt = (name: string): number | undefined => {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name}=${v} is not a whole number`);
  return n;
};

/** Runs per property: CERTBENCH_FUZZ_RUNS, or a short pass of 200 (what `npm test` runs). */
export const FUZZ_RUNS = envInt('CERTBENCH_FUZZ_RUNS') ?? 200;

/** Runs for a property that costs more per input (a process spawned, a CSR signed): a fraction of FUZZ_RUNS. */
export function fewerRuns(divisor: number): number {
  return Math.max(10, Math.round(FUZZ_RUNS / divisor));
}

/** True for `npm run fuzz` (CERTBENCH_FUZZ_RUNS set): a time limit per property, and outcome counts printed. */
export const LONG_FUZZ = process.env.CERTBENCH_FUZZ_RUNS !== undefined && process.env.CERTBENCH_FUZZ_RUNS !== '';

// The fixed seed of the short pass, so `npm test` is deterministic.
const FIXED_SEED = 20240611;

/**
 * Seed for every property of this run: CERTBENCH_FUZZ_SEED (set by vitest.config.ts for `npm run fuzz`, or by hand
 * to replay a failure), else the fixed seed of the short pass, so that `npm test` is deterministic.
 */
export const FUZZ_SEED = envInt('CERTBENCH_FUZZ_SEED') ?? FIXED_SEED;

/**
 * Time bound for one input, in ms (CERTBENCH_FUZZ_INPUT_MS, default 5000). Real inputs take a few ms
 * (a PKCS#12 with OpenSSL's 2048 iterations about 80 ms), so only a hang or run-away work reaches it.
 */
export const INPUT_BUDGET_MS = envInt('CERTBENCH_FUZZ_INPUT_MS') ?? 5000;

/** Time limit per property in the long pass (CERTBENCH_FUZZ_PROPERTY_MS, default 10 minutes); runs left then are skipped, not failed. */
export const PROPERTY_LIMIT_MS = envInt('CERTBENCH_FUZZ_PROPERTY_MS') ?? 10 * 60_000;

/** Vitest timeout for one property test: the whole short pass of a property stays far below it. */
export const TEST_TIMEOUT_MS = LONG_FUZZ ? PROPERTY_LIMIT_MS + 5 * 60_000 : 120_000;

/**
 * fc.assert parameters: the run count, the seed, and `fc.timeout` so that an input whose promise never
 * settles (or settles after INPUT_BUDGET_MS of asynchronous work) fails instead of hanging the suite.
 * Synchronous work cannot be interrupted inside the same thread; {@link withinBudget} catches it once it ends.
 */
export function fuzzParams<T>(runs = FUZZ_RUNS): fc.Parameters<T> {
  return {
    numRuns: runs,
    seed: FUZZ_SEED,
    plugins: [
      ...(LONG_FUZZ ? [fc.interruptAfterTimeLimit(PROPERTY_LIMIT_MS)] : []),
      fc.timeout(INPUT_BUDGET_MS),
    ] as fc.Plugin<T>[],
  };
}

/**
 * Runs `f` on one input and fails when it took longer than INPUT_BUDGET_MS: super-linear parsing
 * (a backtracking regex, a loop over a forged length or iteration count) shows up here as a failure.
 */
export async function withinBudget<T>(what: string, f: () => T | Promise<T>): Promise<T> {
  const start = performance.now();
  let outcome: { ok: true; value: T } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: await f() };
  } catch (error) {
    outcome = { ok: false, error };
  }
  const ms = performance.now() - start;
  // Checked before the outcome: a slow input fails even when it ended in a proper refusal.
  if (ms > INPUT_BUDGET_MS) throw new Error(`${what} took ${Math.round(ms)} ms on one input, over the ${INPUT_BUDGET_MS} ms bound: treat it as a hang`);
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

/**
 * Counts outcomes (a result, or each error code) of one property, so a run can show that mutated inputs
 * reach deep into the parsers instead of all failing at the first check. Printed when CERTBENCH_FUZZ_STATS
 * is set or in the long pass.
 */
export class Outcomes {
  private readonly counts = new Map<string, number>();
  constructor(private readonly name: string) {}
  /** Records one outcome. */
  add(label: string): void {
    this.counts.set(label, (this.counts.get(label) ?? 0) + 1);
  }
  /** Records what `f` ended in, passing its result or error on. */
  async track<T>(f: () => Promise<T>): Promise<T> {
    try {
      const r = await f();
      this.add('ok');
      return r;
    } catch (e) {
      this.add(e instanceof InputError ? e.code : 'other');
      throw e;
    }
  }
  /** Prints the counts when asked for. */
  print(): void {
    if (!LONG_FUZZ && !process.env.CERTBENCH_FUZZ_STATS) return;
    const parts = [...this.counts.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`);
    process.stdout.write(`certbench fuzz outcomes, ${this.name}: ${parts.join(', ')}\n`);
  }
}

// ---------------------------------------------------------------------------------------------
// The error contract

/** Every code an InputError can carry. */
export const ALL_CODES: InputErrorCode[] = [
  'too-large', 'empty', 'bad-base64', 'truncated', 'unknown-content', 'passphrase-required', 'wrong-passphrase',
  'unsupported', 'invalid-value', 'not-found', 'wrong-kind', 'refused',
];

const LONG_BASE64_RE = /[A-Za-z0-9+/=]{40,}/;
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Asserts what every refusal must look like: an InputError (not a TypeError from a parser, not a plain
 * Error), one of `codes`, naming `file` when one was given, on one printable line, and without a run of
 * 40+ base64 characters (which is how key material would leak into a message).
 */
export function expectInputError(err: unknown, want: { codes: readonly InputErrorCode[]; file?: string }): asserts err is InputError {
  if (!(err instanceof InputError)) {
    const e = err as Error | undefined;
    // Re-thrown with its own stack, so the failing line inside certbench shows in the report.
    throw new Error(`expected an InputError, got ${e?.constructor?.name ?? typeof err}: ${e?.message ?? String(err)}\n${e?.stack ?? ''}`);
  }
  expect(want.codes, `unexpected code "${err.code}" (message: ${err.message})`).toContain(err.code);
  if (want.file !== undefined) {
    expect(err.file, `error does not name the file: ${err.message}`).toBe(want.file);
    expect(err.message).toContain(want.file);
  }
  expect(err.message, 'message is not one printable line').not.toMatch(CONTROL_RE);
  expect(err.message, 'message holds a long base64 run (key material?)').not.toMatch(LONG_BASE64_RE);
  expect(err.message.length, 'message is unreasonably long').toBeLessThan(600);
}

/** Runs `f`; returns its result, or undefined after checking that what it threw meets {@link expectInputError}. */
export async function resultOrInputError<T>(f: () => T | Promise<T>, want: { codes: readonly InputErrorCode[]; file?: string }): Promise<T | undefined> {
  try {
    return await f();
  } catch (err) {
    expectInputError(err, want);
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Corpus: real inputs to mutate

/** One valid input: bytes, the passphrase that opens it, and how to mutate it. */
export interface Seed {
  name: string;
  bytes: Uint8Array;
  /** `pem` and `cnf` are text; `der` is one DER object; `p12` is a PKCS#12 file. */
  form: 'pem' | 'der' | 'p12' | 'cnf';
  passphrase?: string;
}

/** The passphrase of every encrypted corpus file. */
export const CORPUS_PASSPHRASE = 'fixture pass';

const root = (rel: string): string => fileURLToPath(new URL(`../../${rel}`, import.meta.url));
const fixture = (name: string): string => root(`test/fixtures/pki/${name}`);

const PEM_FIXTURES = ['root.crt', 'int.crt', 'rsa.crt', 'ec.crt', 'ed.crt', 'selfsigned.crt', 'rsa.csr', 'ec.csr', 'ed.csr',
  'rsa.key', 'ec.key', 'ed.key'];

/** The OpenSSL configs a user would hand `csr --template`: the shipped templates and the fixture one. */
export function configSeeds(): Seed[] {
  const files: [string, string][] = [
    ['apstra-server.cnf', root('resources/templates/apstra-server.cnf')],
    ['junos-device.cnf', root('resources/templates/junos-device.cnf')],
    ['fixture-req.cnf', fixture('req.cnf')],
  ];
  const seeds: Seed[] = files.map(([name, path]) => ({ name, bytes: new Uint8Array(readFileSync(path)), form: 'cnf' }));
  // The interactive layout (NAME_default), quoting, escapes and an inline SAN list, so the fuzzer reaches those branches.
  const interactive = [
    '[ req ]', 'distinguished_name = dn', 'req_extensions = ext', 'utf8 = yes', '',
    '[ dn ]', 'commonName = Common Name', 'commonName_default = "{{host}}.example.net" # quoted', 'organizationName = Org',
    'organizationName_default = Lab\\, Inc', '0.organizationalUnitName_default = Net', '1.organizationalUnitName = OU',
    '1.organizationalUnitName_default = Ops', 'countryName_default = de', '',
    '[ ext ]', 'subjectAltName = critical, DNS:{{host}}.example.net, IP:2001:db8::1, email:ops@example.net, URI:https://{{host}}.example.net/',
    'keyUsage = critical, digitalSignature', 'extendedKeyUsage = serverAuth, clientAuth, 1.3.6.1.5.5.7.3.17', 'basicConstraints = CA:FALSE', '',
  ].join('\n');
  seeds.push({ name: 'interactive.cnf', bytes: new Uint8Array(Buffer.from(interactive)), form: 'cnf' });
  return seeds;
}

/** Values for every placeholder the shipped templates and {@link configSeeds} use. */
export const TEMPLATE_VARS: Record<string, string> = {
  country: 'US', state: 'California', locality: 'Sunnyvale', organization: 'Certbench Lab', unit: 'Network',
  fqdn: 'apstra.example.net', hostname: 'router1', domain: 'example.net', ip: '192.0.2.2', mgmt_ip: '192.0.2.1', host: 'sps',
};

/**
 * Builds the corpus: the committed fixture PEMs plus, made from them with OpenSSL in a temp dir, every other
 * encoding certbench reads (DER, PKCS#1, SEC1 with EC PARAMETERS, SPKI, encrypted PKCS#8 PEM and DER,
 * Proc-Type PEM, TRUSTED CERTIFICATE, Bag Attributes, bundles, PKCS#12 modern, legacy and without MAC).
 */
export function buildCorpus(): Seed[] {
  const t = tempDir('certbench-fuzz-');
  try {
    const p = t.path;
    const pass = `pass:${CORPUS_PASSPHRASE}`;
    const run = (args: string[]): void => void openssl(args);
    const seeds: Seed[] = PEM_FIXTURES.map((n) => ({ name: n, bytes: new Uint8Array(readFileSync(fixture(n))), form: 'pem' }));
    const text = (n: string): string => readFileSync(fixture(n), 'utf8');
    writeFileSync(p('chain.pem'), text('int.crt') + text('root.crt'));
    seeds.push({ name: 'fullchain.pem', bytes: new Uint8Array(Buffer.from(text('rsa.crt') + text('int.crt') + text('root.crt'))), form: 'pem' });

    const made: { name: string; args: string[]; form: Seed['form']; passphrase?: boolean }[] = [
      { name: 'rsa.crt.der', args: ['x509', '-in', fixture('rsa.crt'), '-outform', 'DER'], form: 'der' },
      { name: 'ec.csr.der', args: ['req', '-in', fixture('ec.csr'), '-outform', 'DER'], form: 'der' },
      { name: 'rsa.pkcs8.der', args: ['pkcs8', '-topk8', '-nocrypt', '-in', fixture('rsa.key'), '-outform', 'DER'], form: 'der' },
      { name: 'rsa.pkcs1.der', args: ['rsa', '-in', fixture('rsa.key'), '-traditional', '-outform', 'DER'], form: 'der' },
      { name: 'rsa.pkcs1.pem', args: ['rsa', '-in', fixture('rsa.key'), '-traditional'], form: 'pem' },
      { name: 'ec.sec1.der', args: ['ec', '-in', fixture('ec.key'), '-outform', 'DER'], form: 'der' },
      { name: 'ec.sec1.pem', args: ['ec', '-in', fixture('ec.key')], form: 'pem' },
      { name: 'ec.pub.der', args: ['pkey', '-in', fixture('ec.key'), '-pubout', '-outform', 'DER'], form: 'der' },
      { name: 'rsa.pub.pem', args: ['pkey', '-in', fixture('rsa.key'), '-pubout'], form: 'pem' },
      { name: 'rsa.rsapub.pem', args: ['rsa', '-in', fixture('rsa.key'), '-RSAPublicKey_out'], form: 'pem' },
      { name: 'ec.trusted.pem', args: ['x509', '-in', fixture('ec.crt'), '-trustout', '-addtrust', 'serverAuth'], form: 'pem' },
      { name: 'ec.enc.pem', args: ['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', fixture('ec.key'), '-passout', pass], form: 'pem', passphrase: true },
      { name: 'ed.enc.der', args: ['pkcs8', '-topk8', '-v2', 'aes-128-cbc', '-in', fixture('ed.key'), '-passout', pass, '-outform', 'DER'], form: 'der', passphrase: true },
      { name: 'rsa.legacy.pem', args: ['rsa', '-in', fixture('rsa.key'), '-aes128', '-traditional', '-passout', pass], form: 'pem', passphrase: true },
      { name: 'ec.p12', args: ['pkcs12', '-export', '-inkey', fixture('ec.key'), '-in', fixture('ec.crt'), '-certfile', p('chain.pem'), '-passout', pass], form: 'p12', passphrase: true },
      { name: 'ec.legacy.p12', args: ['pkcs12', '-export', '-legacy', '-inkey', fixture('ec.key'), '-in', fixture('ec.crt'), '-passout', pass], form: 'p12', passphrase: true },
      { name: 'ec.nomac.p12', args: ['pkcs12', '-export', '-nomac', '-inkey', fixture('ec.key'), '-in', fixture('ec.crt'), '-passout', pass], form: 'p12', passphrase: true },
    ];
    for (const m of made) {
      run([...m.args, '-out', p(m.name)]);
      seeds.push({ name: m.name, bytes: new Uint8Array(readFileSync(p(m.name))), form: m.form, ...(m.passphrase ? { passphrase: CORPUS_PASSPHRASE } : {}) });
    }
    // `openssl ecparam -genkey` writes an EC PARAMETERS block before the key.
    const ecWithParams = openssl(['ecparam', '-name', 'prime256v1']) + readFileSync(p('ec.sec1.pem'), 'utf8');
    seeds.find((s) => s.name === 'ec.sec1.pem')!.bytes = new Uint8Array(Buffer.from(ecWithParams));
    run(['pkcs12', '-in', p('ec.p12'), '-nodes', '-passin', pass, '-out', p('bag.pem')]);
    seeds.push({ name: 'bag.pem', bytes: new Uint8Array(readFileSync(p('bag.pem'))), form: 'pem' });
    return seeds;
  } finally {
    t.cleanup();
  }
}

// ---------------------------------------------------------------------------------------------
// Mutations

/** Offsets of every BER length field in `der`, walking into constructed values and DER inside OCTET/BIT STRINGs. */
export function asn1LengthFields(der: Uint8Array): { at: number; size: number; value: number }[] {
  const out: { at: number; size: number; value: number }[] = [];
  const walk = (start: number, end: number, depth: number): boolean => {
    let i = start;
    while (i < end) {
      if (out.length > 4000 || depth > 40) return false;
      const tag = der[i]!;
      if ((tag & 0x1f) === 0x1f) return false;
      const first = der[i + 1];
      if (first === undefined) return false;
      let len: number;
      let size: number;
      if (first < 0x80) { len = first; size = 1; } else {
        const n = first & 0x7f;
        if (n === 0 || n > 4 || i + 2 + n > end) return false;
        len = 0;
        for (let k = 0; k < n; k++) len = len * 256 + der[i + 2 + k]!;
        size = 1 + n;
      }
      const contentStart = i + 1 + size;
      if (contentStart + len > end) return false;
      out.push({ at: i + 1, size, value: len });
      if (tag & 0x20) {
        if (!walk(contentStart, contentStart + len, depth + 1)) return false;
      } else if ((tag === 0x04 || tag === 0x03) && len > 2) {
        // Encapsulated DER (PKCS#8 key, extensions, PKCS#12 bags): try it, and forget it if it is not.
        const skip = tag === 0x03 ? 1 : 0;
        const mark = out.length;
        if (der[contentStart + skip] === 0x30 && !walk(contentStart + skip, contentStart + len, depth + 1)) out.length = mark;
      }
      i = contentStart + len;
    }
    return true;
  };
  walk(0, der.length, 0);
  return out;
}

function encodeLength(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return [0x80 | bytes.length, ...bytes];
}

interface Asn1Node { tag: number; content: Uint8Array; children?: Asn1Node[]; encapsulated?: boolean }

// A strict DER tree (definite lengths, one-byte tags), reading DER inside OCTET and BIT STRINGs as children.
function parseTree(der: Uint8Array, depth = 0): Asn1Node[] | undefined {
  const nodes: Asn1Node[] = [];
  let i = 0;
  while (i < der.length) {
    const tag = der[i]!;
    const first = der[i + 1];
    if ((tag & 0x1f) === 0x1f || first === undefined || depth > 40) return undefined;
    let len = first;
    let size = 1;
    if (first >= 0x80) {
      const n = first & 0x7f;
      if (n === 0 || n > 4 || i + 2 + n > der.length) return undefined;
      len = 0;
      for (let k = 0; k < n; k++) len = len * 256 + der[i + 2 + k]!;
      size = 1 + n;
    }
    const start = i + 1 + size;
    if (start + len > der.length) return undefined;
    const content = der.subarray(start, start + len);
    const node: Asn1Node = { tag, content };
    if (tag & 0x20) {
      const kids = parseTree(content, depth + 1);
      if (!kids) return undefined;
      node.children = kids;
    } else if (tag === 0x04 && content[0] === 0x30) {
      const kids = parseTree(content, depth + 1);
      if (kids) { node.children = kids; node.encapsulated = true; }
    }
    nodes.push(node);
    i = start + len;
  }
  return nodes;
}

function encodeTree(nodes: Asn1Node[]): Uint8Array {
  return concat(...nodes.map((n) => {
    const content = n.children ? encodeTree(n.children) : n.content;
    return concat(Uint8Array.from([n.tag, ...encodeLength(content.length)]), content);
  }));
}

/**
 * Sets the `which`-th INTEGER (in document order, inside encapsulated DER too) to `value` and re-encodes
 * every enclosing length, so the structure stays well-formed and the parser meets the forged number itself
 * (a PBKDF2 iteration count, a version, a key size, a serial).
 */
export function setAsn1Integer(der: Uint8Array, which: number, value: Uint8Array): Uint8Array {
  const tree = parseTree(der);
  if (!tree) return der;
  const ints: Asn1Node[] = [];
  const walk = (ns: Asn1Node[]): void => { for (const n of ns) { if (n.tag === 0x02) ints.push(n); if (n.children) walk(n.children); } };
  walk(tree);
  if (ints.length === 0) return der;
  ints[which % ints.length]!.content = value;
  return encodeTree(tree);
}

/** INTEGER contents worth forging: huge and negative counts, zero, empty, over-long. */
export const FORGED_INTEGERS = [
  [0x7f, 0xff, 0xff, 0xff], [0x00, 0xff, 0xff, 0xff, 0xff], [0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00], [0x0f, 0x42, 0x41],
  [0xff], [0x80, 0x00, 0x00, 0x00], [0x00], [], [0x00, 0x00, 0x08, 0x00], [0x01], [0x03],
].map((b) => Uint8Array.from(b));

/** One byte-level change; positions are taken modulo the input length so any number is valid. */
export type ByteMutation =
  | { op: 'flip'; at: number; mask: number }
  | { op: 'set'; at: number; value: number }
  | { op: 'truncate'; at: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; len: number }
  | { op: 'duplicate'; at: number; len: number; to: number }
  | { op: 'splice'; other: number; at: number; from: number }
  | { op: 'asn1-length'; which: number; form: 'zero' | 'minus1' | 'plus1' | 'indefinite' | 'huge' | 'long-form-same' | 'too-many-bytes' | 'random'; random: number }
  | { op: 'asn1-tag'; which: number; value: number }
  | { op: 'asn1-integer'; which: number; value: number };

/** Arbitrary byte mutations, including ASN.1-aware length and tag changes. */
export const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: fc.constantFrom(0x00, 0x30, 0x80, 0x81, 0x82, 0x84, 0xff, 0x7f, 0x02, 0x04, 0x05, 0x06, 0xa0) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 256 }), to: fc.nat() }),
  fc.record({ op: fc.constant('splice' as const), other: fc.nat(), at: fc.nat(), from: fc.nat() }),
  fc.record({
    op: fc.constant('asn1-length' as const), which: fc.nat(), random: fc.nat({ max: 0xffffff }),
    form: fc.constantFrom('zero' as const, 'minus1' as const, 'plus1' as const, 'indefinite' as const, 'huge' as const, 'long-form-same' as const, 'too-many-bytes' as const, 'random' as const),
  }),
  fc.record({ op: fc.constant('asn1-tag' as const), which: fc.nat(), value: fc.constantFrom(0x00, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0c, 0x13, 0x17, 0x30, 0x31, 0xa0, 0xa3, 0x1f, 0xff) }),
  fc.record({ op: fc.constant('asn1-integer' as const), which: fc.nat(), value: fc.nat({ max: FORGED_INTEGERS.length - 1 }) }),
);

/** Applies byte mutations in order; `others` are the inputs `splice` may take a tail from. */
export function mutateBytes(input: Uint8Array, muts: ByteMutation[], others: Uint8Array[] = []): Uint8Array {
  let b: Uint8Array = Uint8Array.from(input);
  for (const m of muts) {
    const n = b.length;
    const pos = (x: number, inclusiveEnd = false): number => (n === 0 ? 0 : x % (inclusiveEnd ? n + 1 : n));
    switch (m.op) {
      case 'flip': if (n > 0) b[pos(m.at)]! ^= m.mask; break;
      case 'set': if (n > 0) b[pos(m.at)] = m.value; break;
      case 'truncate': b = b.slice(0, pos(m.at)); break;
      case 'insert': { const at = pos(m.at, true); b = concat(b.subarray(0, at), m.bytes, b.subarray(at)); break; }
      case 'delete': { const at = pos(m.at); b = concat(b.subarray(0, at), b.subarray(at + m.len)); break; }
      case 'duplicate': {
        if (n === 0) break;
        const at = pos(m.at);
        const piece = b.slice(at, at + m.len);
        const to = pos(m.to, true);
        b = concat(b.subarray(0, to), piece, b.subarray(to));
        break;
      }
      case 'splice': {
        const other = others.length > 0 ? others[m.other % others.length]! : b;
        b = concat(b.subarray(0, pos(m.at, true)), other.subarray(other.length === 0 ? 0 : m.from % other.length));
        break;
      }
      case 'asn1-length': {
        const fields = asn1LengthFields(b);
        if (fields.length === 0) break;
        const f = fields[m.which % fields.length]!;
        let enc: number[];
        switch (m.form) {
          case 'zero': enc = [0]; break;
          case 'minus1': enc = encodeLength(Math.max(0, f.value - 1)); break;
          case 'plus1': enc = encodeLength(f.value + 1); break;
          case 'indefinite': enc = [0x80]; break;
          case 'huge': enc = [0x84, 0xff, 0xff, 0xff, 0xff]; break;
          case 'long-form-same': enc = [0x84, (f.value >>> 24) & 0xff, (f.value >>> 16) & 0xff, (f.value >>> 8) & 0xff, f.value & 0xff]; break;
          case 'too-many-bytes': enc = [0x89, 0, 0, 0, 0, 0, 0, 0, 0, 1]; break;
          case 'random': enc = encodeLength(m.random % (b.length + 16)); break;
        }
        b = concat(b.subarray(0, f.at), Uint8Array.from(enc), b.subarray(f.at + f.size));
        break;
      }
      case 'asn1-tag': {
        const fields = asn1LengthFields(b);
        if (fields.length === 0) break;
        const f = fields[m.which % fields.length]!;
        b[f.at - 1] = m.value;
        break;
      }
      case 'asn1-integer': b = Uint8Array.from(setAsn1Integer(b, m.which, FORGED_INTEGERS[m.value]!)); break;
    }
  }
  return b;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let off = 0;
  for (const p of parts) { out.set(p, off); off += p.length; }
  return out;
}

/** Characters that break parsers: line endings, NUL, escape, BOM, Unicode line separators, lookalikes. */
export const HOSTILE_CHARS = ['\r', '\n', '\0', '\x1b', '\t', '\v', '\f', '\x7f', '\u0085', '\u00a0', '\u2028', '\ufeff', '\u202e', 'é', '-', '=', '*', ' ', '\\', '"', "'", '#', '$', '{', '}', '[', ']', ';', '`', '|'];

/** One text-level change for PEM text or an OpenSSL config. */
export type TextMutation =
  | { op: 'replace-char'; at: number; ch: string }
  | { op: 'insert-char'; at: number; ch: string }
  | { op: 'insert-text'; at: number; text: string }
  | { op: 'drop-line'; line: number }
  | { op: 'dup-line'; line: number; to: number }
  | { op: 'swap-lines'; a: number; b: number }
  | { op: 'truncate'; at: number }
  | { op: 'dup-range'; at: number; len: number; to: number }
  | { op: 'line-endings'; eol: '\r\n' | '\r' | '\n\n' }
  | { op: 'insert-line'; line: number; text: string };

const BASE64_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=';

/** Text mutations; `lines` are whole lines worth inserting (PEM armour lines, hostile config lines). */
export function textMutation(lines: string[]): fc.Arbitrary<TextMutation> {
  const ch = fc.oneof(fc.constantFrom(...HOSTILE_CHARS), fc.constantFrom(...BASE64_CHARS.split('')));
  return fc.oneof(
    fc.record({ op: fc.constant('replace-char' as const), at: fc.nat(), ch }),
    fc.record({ op: fc.constant('insert-char' as const), at: fc.nat(), ch }),
    fc.record({ op: fc.constant('insert-text' as const), at: fc.nat(), text: fc.string({ unit: 'binary', maxLength: 12 }) }),
    fc.record({ op: fc.constant('drop-line' as const), line: fc.nat() }),
    fc.record({ op: fc.constant('dup-line' as const), line: fc.nat(), to: fc.nat() }),
    fc.record({ op: fc.constant('swap-lines' as const), a: fc.nat(), b: fc.nat() }),
    fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({ op: fc.constant('dup-range' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 4000 }), to: fc.nat() }),
    fc.record({ op: fc.constant('line-endings' as const), eol: fc.constantFrom('\r\n' as const, '\r' as const, '\n\n' as const) }),
    fc.record({ op: fc.constant('insert-line' as const), line: fc.nat(), text: fc.oneof(fc.constantFrom(...lines), fc.string({ unit: 'grapheme-ascii', maxLength: 30 })) }),
  );
}

/** Applies text mutations in order. */
export function mutateText(input: string, muts: TextMutation[]): string {
  let s = input;
  for (const m of muts) {
    const n = s.length;
    const at = (x: number, inclusiveEnd = false): number => (n === 0 ? 0 : x % (inclusiveEnd ? n + 1 : n));
    const lines = s.split('\n');
    const li = (x: number): number => x % lines.length;
    switch (m.op) {
      case 'replace-char': if (n > 0) { const i = at(m.at); s = s.slice(0, i) + m.ch + s.slice(i + 1); } break;
      case 'insert-char': { const i = at(m.at, true); s = s.slice(0, i) + m.ch + s.slice(i); break; }
      case 'insert-text': { const i = at(m.at, true); s = s.slice(0, i) + m.text + s.slice(i); break; }
      case 'drop-line': lines.splice(li(m.line), 1); s = lines.join('\n'); break;
      case 'dup-line': lines.splice(m.to % (lines.length + 1), 0, lines[li(m.line)]!); s = lines.join('\n'); break;
      case 'swap-lines': { const a = li(m.a); const b = li(m.b); [lines[a], lines[b]] = [lines[b]!, lines[a]!]; s = lines.join('\n'); break; }
      case 'truncate': s = s.slice(0, at(m.at)); break;
      case 'dup-range': { const i = at(m.at); const to = at(m.to, true); s = s.slice(0, to) + s.slice(i, i + m.len) + s.slice(to); break; }
      case 'line-endings': s = s.replace(/\n/g, m.eol); break;
      case 'insert-line': lines.splice(m.line % (lines.length + 1), 0, m.text); s = lines.join('\n'); break;
    }
  }
  return s;
}

/** Lines that matter to a PEM reader, to splice into PEM text. */
export const PEM_LINES = [
  '-----BEGIN CERTIFICATE-----', '-----END CERTIFICATE-----', '-----BEGIN PRIVATE KEY-----', '-----END PRIVATE KEY-----',
  '-----BEGIN ENCRYPTED PRIVATE KEY-----', '-----BEGIN RSA PRIVATE KEY-----', '-----END RSA PRIVATE KEY-----',
  '-----BEGIN EC PRIVATE KEY-----', '-----BEGIN EC PARAMETERS-----', '-----END EC PARAMETERS-----', '-----BEGIN PUBLIC KEY-----',
  '-----BEGIN CERTIFICATE REQUEST-----', '-----BEGIN TRUSTED CERTIFICATE-----', '-----BEGIN PKCS7-----', '-----BEGIN X-----', '-----END X-----',
  '-----BEGIN CERTIFICATE----', '----BEGIN CERTIFICATE-----', '-----BEGIN  CERTIFICATE-----', '-----BEGIN -----', '-----END -----',
  'Proc-Type: 4,ENCRYPTED', 'DEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF', 'DEK-Info: DES-EDE3-CBC,zz', 'Proc-Type: 4,',
  'Bag Attributes', '    localKeyId: 01 02 03', 'subject=CN = x', '====', 'A===', 'AAAA', '', ' ',
];
