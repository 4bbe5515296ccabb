import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { parsePem } from '../../src/core/pki/pem.js';
import { formatSps } from '../../src/core/targets/sps.js';
import { formatFor } from '../../src/core/targets/index.js';
import { opensslFingerprint } from '../helpers/fixtures.js';
import { openssl, opensslTry, tempDir } from '../helpers/openssl.js';
import { bundleOf, expectGolden, fileOf, goldenDir, NOW, PKI, writeFiles, type BundleInput } from '../helpers/golden.js';

const GOLDEN = goldenDir('sps');
type Input = BundleInput;
const file = fileOf;

interface X509Body { certificate: string; private_key: string; issuer_chain: string[] }

// What `openssl x509` prints for a certificate file, without the final line break (as the vendor's body has it).
const x509Pem = (path: string): string => openssl(['x509', '-in', path]).replace(/\n$/, '');

const CASES: { name: string; input: Input; want: { warnings: string[] } }[] = [
  { name: 'rsa-chain', input: { cert: 'rsa.crt', key: 'rsa.key', chain: ['int.crt', 'root.crt'] }, want: { warnings: [] } },
  { name: 'rsa-nochain', input: { cert: 'rsa.crt', key: 'rsa.key', chain: [] }, want: { warnings: ['chain-incomplete', 'sps-no-issuer-chain'] } },
];

const tmp = tempDir('certbench-sps-');
afterAll(() => tmp.cleanup());
let runs = 0;

describe('formatSps golden files', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const r = formatFor('sps', await bundleOf(c.input), { now: NOW });
      expect(r.target).toBe('sps');
      expect(r.files.map((f) => f.name)).toEqual(['x509.json', 'sps-commands.sh']);
      expect(r.files.filter((f) => f.secret).map((f) => f.name)).toEqual(['x509.json']);
      expect(r.warnings.map((w) => w.code)).toEqual(c.want.warnings);
      for (const f of r.files) expect(f.description.length, f.name).toBeGreaterThan(0);
      expectGolden(join(GOLDEN, c.name), r.files);
    });
  }
});

describe('x509.json, checked by OpenSSL', () => {
  for (const c of CASES) {
    it(`${c.name}: parses, holds the input certificate and chain, and the same key as unencrypted PKCS#1`, async () => {
      const r = formatFor('sps', await bundleOf(c.input), { now: NOW });
      const text = file(r, 'x509.json').content;
      expect(text.endsWith('}\n')).toBe(true);
      const body = JSON.parse(text) as X509Body;
      expect(Object.keys(body)).toEqual(['certificate', 'private_key', 'issuer_chain']);

      expect(body.certificate).toBe(x509Pem(join(PKI, c.input.cert)));
      expect(body.issuer_chain).toEqual(c.input.chain.map((f) => x509Pem(join(PKI, f))));
      for (const pem of [body.certificate, ...body.issuer_chain]) expect(pem.endsWith('-----END CERTIFICATE-----')).toBe(true);

      expect(body.private_key).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+\n-----END RSA PRIVATE KEY-----$/);
      const dir = tmp.path(`oracle-${c.name}`);
      mkdirSync(dir);
      writeFileSync(join(dir, 'pkcs1.pem'), `${body.private_key}\n`, { mode: 0o600 });
      const check = opensslTry(['rsa', '-in', join(dir, 'pkcs1.pem'), '-passin', 'pass:', '-check', '-noout']);
      expect(check.stdout).toContain('RSA key ok');
      expect(check.status).toBe(0);
      const modulus = (p: string): string => openssl(['rsa', '-in', p, '-noout', '-modulus']).trim();
      expect(modulus(join(dir, 'pkcs1.pem'))).toBe(modulus(join(PKI, c.input.key)));
      expect(modulus(join(dir, 'pkcs1.pem'))).toBe(openssl(['x509', '-in', join(PKI, c.input.cert), '-noout', '-modulus']).trim());
      // The certificate as OpenSSL reads it back out of the JSON string.
      writeFileSync(join(dir, 'leaf.pem'), `${body.certificate}\n`);
      expect(opensslFingerprint(join(dir, 'leaf.pem'), 'sha256')).toBe(opensslFingerprint(join(PKI, c.input.cert), 'sha256'));
    });
  }

  it('refuses EC and Ed25519 keys, naming PKCS#1', async () => {
    for (const k of ['ec', 'ed']) {
      const b = await bundleOf({ cert: `${k}.crt`, key: `${k}.key`, chain: ['int.crt', 'root.crt'] });
      let err: unknown;
      try { formatFor('sps', b, { now: NOW }); } catch (e) { err = e; }
      expect(err, k).toBeInstanceOf(InputError);
      expect((err as InputError).code).toBe('refused');
      expect((err as InputError).message).toMatch(/PKCS#1/);
    }
  });
});

const SAMPLE_CERTIFICATES = {
  body: {
    ca: { selection: 'identity', x509_identity: { key: 'fbd684e1-e1ac-4f34-ad25-86c560c51e24', meta: { href: '/api/configuration/x509/fbd684e1-e1ac-4f34-ad25-86c560c51e24' } } },
    server: { key: 'fd1c73e8-bcb8-4d13-991f-722f492dc074', meta: { href: '/api/configuration/x509/fd1c73e8-bcb8-4d13-991f-722f492dc074' } },
    tsa: { key: '20e72ede-78ef-460a-b843-68a35d994142', meta: { href: '/api/configuration/x509/20e72ede-78ef-460a-b843-68a35d994142' } },
  },
  key: 'certificates',
  meta: { href: '/api/configuration/management/certificates', transaction: '/api/transaction' },
};

// A stand-in for curl that answers like the SPS REST API (per the vendor text) and logs each request.
const FAKE_CURL = `#!/usr/bin/env bash
set -euo pipefail
method=GET url="" jar="" data="" cacert=""
while [ $# -gt 0 ]; do
  case $1 in
    --version) echo "curl 8.0.0 (fake)"; exit 0 ;;
    -X) method=$2; shift ;;
    --cookie-jar) jar=$2; shift ;;
    --cookie | -H | --user) shift ;;
    --cacert) cacert=$2; shift ;;
    --data) data=$2; shift ;;
    --silent | --show-error | --fail-with-body) ;;
    https://*) url=$1 ;;
    *) echo "fake curl: unexpected argument $1" >&2; exit 2 ;;
  esac
  shift
done
[ -f "$cacert" ] || { echo "fake curl: no --cacert file" >&2; exit 77; }
path="/\${url#https://*/}"
echo "$method $path" >> "$FAKE_DIR/log"
if [ "\${FAKE_FAIL:-}" = "$method $path" ]; then
  echo '{"error": {"type": "SyntacticError", "message": "fake SPS refuses this"}}'
  exit 22
fi
case "$method $path" in
  "GET /api/authentication") printf 'sps\\tFALSE\\t/\\tTRUE\\t0\\tsession_id\\tabc123\\n' > "$jar"; echo '{"meta": {}}' ;;
  "POST /api/transaction") echo '{"meta": {}}' ;;
  "POST /api/configuration/x509") cp "\${data#@}" "$FAKE_DIR/posted.json"; echo '{"key": "new-key-1", "meta": {}}' ;;
  "GET /api/configuration/x509/new-key-1") echo "{\\"body\\": {\\"fingerprint\\": {\\"digest\\": \\"$FAKE_DIGEST\\", \\"hash_algorithm\\": \\"sha256\\"}}}" ;;
  "GET /api/configuration/management/certificates") cat "$FAKE_DIR/certificates.json" ;;
  "PUT /api/configuration/management/certificates") printf '%s' "$data" > "$FAKE_DIR/put.json"; echo '{}' ;;
  "PUT /api/transaction") printf '%s' "$data" > "$FAKE_DIR/commit.json"; echo '{}' ;;
  "DELETE /api/transaction") echo '{}' ;;
  *) echo '{"error": {"type": "NotFound"}}'; exit 22 ;;
esac
`;

interface Run { code: number; stdout: string; stderr: string; log: string[]; fake: string; tmpdir: string }

/** Runs sps-commands.sh against the fake curl; the real jq and openssl do the rest. */
async function runScript(env: Record<string, string>, edit?: (work: string) => void): Promise<Run> {
  const r = formatFor('sps', await bundleOf({ cert: 'rsa.crt', key: 'rsa.key', chain: ['int.crt', 'root.crt'] }), { now: NOW });
  const base = tmp.path(`run-${runs++}`);
  const work = join(base, 'work');
  const fake = join(base, 'fake');
  const bin = join(base, 'bin');
  const tmpdir = join(base, 'tmp');
  for (const d of [fake, bin, tmpdir]) mkdirSync(d, { recursive: true });
  writeFiles(work, r.files);
  edit?.(work);
  writeFileSync(join(bin, 'curl'), FAKE_CURL, { mode: 0o755 });
  // SPS_CA is given relative to where the script is started (base), not to its own folder.
  writeFileSync(join(base, 'sps-ca.pem'), readFileSync(join(PKI, 'root.crt')));
  writeFileSync(join(fake, 'log'), '');
  writeFileSync(join(fake, 'certificates.json'), JSON.stringify(SAMPLE_CERTIFICATES, null, 2));
  const p = spawnSync('bash', [join(work, 'sps-commands.sh')], {
    cwd: base, encoding: 'utf8',
    env: {
      PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, TMPDIR: tmpdir, FAKE_DIR: fake,
      FAKE_DIGEST: opensslFingerprint(join(PKI, 'rsa.crt'), 'sha256').toLowerCase(),
      SPS: 'sps.example.net', SPS_CA: 'sps-ca.pem', VERIFY: '0', ...env,
    },
  });
  const log = readFileSync(join(fake, 'log'), 'utf8').split('\n').filter((l) => l.length > 0);
  return { code: p.status ?? -1, stdout: p.stdout, stderr: p.stderr, log, fake, tmpdir };
}

const HAPPY = [
  'GET /api/authentication',
  'POST /api/transaction',
  'POST /api/configuration/x509',
  'GET /api/configuration/x509/new-key-1',
  'GET /api/configuration/management/certificates',
  'PUT /api/configuration/management/certificates',
  'PUT /api/transaction',
];

describe('sps-commands.sh', () => {
  it('passes bash -n, never skips certificate checks, and runs the steps in order', async () => {
    const r = formatSps(await bundleOf({ cert: 'rsa.crt', key: 'rsa.key', chain: [] }), { now: NOW });
    const script = file(r, 'sps-commands.sh').content;
    const dir = tmp.path('syntax');
    writeFiles(dir, r.files);
    expect(spawnSync('bash', ['-n', join(dir, 'sps-commands.sh')]).status).toBe(0);
    expect(script).toMatch(/^#!\/usr\/bin\/env bash\n/);
    expect(script).toContain('set -euo pipefail');
    expect(script).not.toMatch(/(^|\s)(-k|--insecure)(\s|=|$)/m);
    expect(script).toContain('--cacert "$SPS_CA"');
    expect(script).toContain('--fail-with-body');
    expect(script).toContain('mktemp');
    const at = (s: string): number => {
      const i = script.indexOf(s);
      expect(i, s).toBeGreaterThan(0);
      return i;
    };
    const order = [
      at('api GET /api/authentication --user "$SPS_USER"'),
      at('api POST /api/transaction'),
      at('api POST /api/configuration/x509 --data @x509.json'),
      at('api PUT /api/configuration/management/certificates'),
      at(`api PUT /api/transaction --data '{"status": "commit"}'`),
    ];
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(script).toContain(`EXPECTED_SHA256="${opensslFingerprint(join(PKI, 'rsa.crt'), 'sha256')}"`);
  });

  it('authenticates, opens a transaction, posts x509.json, points server at it and commits', async () => {
    const run = await runScript({});
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.log).toEqual(HAPPY);
    expect(readFileSync(join(run.fake, 'posted.json'), 'utf8')).toContain('"private_key": "-----BEGIN RSA PRIVATE KEY-----\\n');
    const put = JSON.parse(readFileSync(join(run.fake, 'put.json'), 'utf8')) as Record<string, unknown>;
    expect(put).toEqual({
      ca: { selection: 'identity', x509_identity: 'fbd684e1-e1ac-4f34-ad25-86c560c51e24' },
      server: 'new-key-1',
      tsa: '20e72ede-78ef-460a-b843-68a35d994142',
    });
    expect(JSON.parse(readFileSync(join(run.fake, 'commit.json'), 'utf8'))).toEqual({ status: 'commit' });
    // The cookie jar (a mktemp file) is gone.
    expect(readdirSync(run.tmpdir)).toEqual([]);
  });

  it('rolls the transaction back and shows SPS\'s error when a step before the commit fails', async () => {
    const run = await runScript({ FAKE_FAIL: 'PUT /api/configuration/management/certificates' });
    expect(run.code).toBe(1);
    expect(run.log).toEqual([...HAPPY.slice(0, 6), 'DELETE /api/transaction']);
    expect(run.stderr).toContain('fake SPS refuses this');
    expect(run.stderr).toContain('rolled back');
    expect(readdirSync(run.tmpdir)).toEqual([]);
  });

  it('rolls back when SPS stored another certificate than the one sent', async () => {
    const run = await runScript({ FAKE_DIGEST: '00:11' });
    expect(run.code).toBe(1);
    expect(run.log).toEqual([...HAPPY.slice(0, 4), 'DELETE /api/transaction']);
    expect(run.stderr).toMatch(/SPS stored a certificate with sha256 fingerprint 00:11/);
  });

  it('opens no transaction when the login fails, and needs SPS, SPS_CA and the right x509.json', async () => {
    const login = await runScript({ FAKE_FAIL: 'GET /api/authentication' });
    expect(login.code).toBe(1);
    expect(login.log).toEqual(['GET /api/authentication']);

    const noCa = await runScript({ SPS_CA: '' });
    expect(noCa.code).toBe(2);
    expect(noCa.stderr).toMatch(/set SPS_CA/);
    expect(noCa.log).toEqual([]);

    const other = await runScript({}, (work) => {
      const body = JSON.parse(readFileSync(join(work, 'x509.json'), 'utf8')) as X509Body;
      body.certificate = readFileSync(join(PKI, 'ec.crt'), 'utf8');
      writeFileSync(join(work, 'x509.json'), JSON.stringify(body));
    });
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/x509\.json holds another certificate/);
    expect(other.log).toEqual([]);
  });

  it('x509.json holds PEMs as JSON strings that OpenSSL reads back', async () => {
    const r = formatSps(await bundleOf({ cert: 'rsa.crt', key: 'rsa.key', chain: ['int.crt'] }), { now: NOW });
    const body = JSON.parse(file(r, 'x509.json').content) as X509Body;
    expect(file(r, 'x509.json').content).toContain('-----BEGIN CERTIFICATE-----\\nMII');
    expect(parsePem(body.issuer_chain[0]!)[0]!.der).toEqual(parsePem(readFileSync(join(PKI, 'int.crt'), 'utf8'))[0]!.der);
  });
});
