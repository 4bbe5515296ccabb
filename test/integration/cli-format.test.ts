import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certbench } from '../helpers/cli.js';
import { openssl, opensslBytes, opensslTry, tempDir } from '../helpers/openssl.js';

// The committed lab PKI (test/fixtures/pki/make.sh): root -> int -> rsa/ec/ed leaves.
const pki = (name: string): string => fileURLToPath(new URL(`../fixtures/pki/${name}`, import.meta.url));
const t = tempDir('certbench-format-');
const p = t.path;

function mode(path: string): number {
  return statSync(path).mode & 0o777;
}
/** `bash -n` parses a script without running it. */
function bashSyntaxOk(path: string): boolean {
  return spawnSync('bash', ['-n', path]).status === 0;
}
function spki(args: string[]): string {
  return createHash('sha256').update(opensslBytes([...args, '-pubout', '-outform', 'DER'])).digest('hex');
}
/** Every PEM block of a file, each parsed by `openssl x509` or `openssl pkey`. */
function opensslReadsAll(path: string): number {
  const text = readFileSync(path, 'utf8');
  const blocks = text.match(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g) ?? [];
  for (const b of blocks) {
    const label = /BEGIN ([A-Z0-9 ]+)-----/.exec(b)![1]!;
    const args = label === 'CERTIFICATE' ? ['x509', '-noout'] : label === 'PUBLIC KEY' ? ['pkey', '-pubin', '-noout'] : ['pkey', '-noout'];
    const r = opensslTry(args, b);
    if (r.status !== 0) throw new Error(`${path}: openssl cannot read a ${label} block: ${r.stderr}`);
  }
  return blocks.length;
}

beforeAll(() => {
  writeFileSync(p('fullchain.pem'), ['rsa.crt', 'int.crt', 'root.crt'].map((f) => readFileSync(pki(f), 'utf8')).join(''));
  // An impostor intermediate: same name as the real one, another key, so the leaf's signature cannot verify.
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', p('fake-int.key')]);
  openssl(['req', '-x509', '-new', '-key', p('fake-int.key'), '-subj', '/O=Certbench Lab/CN=Certbench Lab Issuing CA', '-days', '30',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-out', p('fake-int.crt')]);
  writeFileSync(p('pass.txt'), 'lab passphrase\n');
  openssl(['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', pki('rsa.key'), '-passout', `file:${p('pass.txt')}`, '-out', p('rsa.enc.key')]);
});
afterAll(() => t.cleanup());

describe('certbench format: each target', () => {
  const cases: { target: string; args: string[]; want: { files: string[]; secret: string[] } }[] = [
    { target: 'junos', args: ['--cert', pki('rsa.crt'), '--key', pki('rsa.key'), '--chain', pki('int.crt'), '--chain', pki('root.crt'), '--cert-id', 'router1-web'],
      want: { files: ['router1-web.crt', 'router1-web.key', 'ca-chain.pem', 'junos-commands.txt', 'trusted-cert.txt'], secret: ['router1-web.key'] } },
    { target: 'apstra', args: ['--cert', pki('ec.crt'), '--key', pki('ec.key'), '--chain', pki('int.crt'), '--chain', pki('root.crt'), '--csr', pki('ec.csr')],
      want: { files: ['nginx.crt', 'nginx.key', 'openssl-san.cnf', 'apstra-commands.sh'], secret: ['nginx.key'] } },
    { target: 'sps', args: ['--cert', pki('rsa.crt'), '--key', pki('rsa.key'), '--chain', pki('int.crt'), '--chain', pki('root.crt')],
      want: { files: ['x509.json', 'sps-commands.sh'], secret: ['x509.json'] } },
    { target: 'sdcloud', args: ['--cert', pki('rsa.crt'), '--key', pki('rsa.key'), '--chain', pki('int.crt'), '--chain', pki('root.crt')],
      want: { files: ['public-key.pem', 'jwks.json', 'sdcloud-notes.txt'], secret: [] } },
  ];
  for (const c of cases) {
    it(`${c.target}: writes its files with the right modes, and OpenSSL reads every PEM`, () => {
      const out = p(`out-${c.target}`);
      const r = certbench(['format', '--target', c.target, ...c.args, '-o', out]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(readdirSync(out).sort()).toEqual([...c.want.files].sort());
      expect(mode(out)).toBe(0o700);
      for (const f of c.want.files) {
        const path = `${out}/${f}`;
        expect(mode(path), f).toBe(c.want.secret.includes(f) ? 0o600 : f.endsWith('.sh') ? 0o755 : 0o644);
        expect(r.stdout).toContain(f);
        if (f.endsWith('.sh')) expect(bashSyntaxOk(path), f).toBe(true);
        if (/\.(crt|key|pem)$/.test(f)) expect(opensslReadsAll(path), f).toBeGreaterThan(0);
      }
      expect(r.stdout).toMatch(/^next: /m);
    });
  }

  it('--json lists every file with its hash, and never the content of a file holding the key', () => {
    const out = p('out-json');
    const r = certbench(['format', '--target', 'junos', '--cert', pki('rsa.crt'), '--key', pki('rsa.key'), '--chain', pki('int.crt'), '--chain', pki('root.crt'), '-o', out, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { target: string; certId: string; files: { name: string; secret: boolean; sha256: string; content?: string }[]; warnings: { code: string }[] };
    expect(j.target).toBe('junos');
    expect(j.certId).toBe('router1.example.net');
    for (const f of j.files) {
      const bytes = readFileSync(`${out}/${f.name}`);
      expect(f.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      if (f.secret) expect(f.content).toBeUndefined();
      else expect(f.content).toBe(bytes.toString('utf8'));
    }
    expect(r.stdout).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY/);
    const keyFile = j.files.find((f) => f.secret)!;
    expect(spki(['pkey', '-in', `${out}/${keyFile.name}`])).toBe(spki(['pkey', '-in', pki('rsa.key')]));
  });

  it('a full-chain bundle given as --cert supplies the chain, and an encrypted key is read with its passphrase', () => {
    const out = p('out-bundle');
    const r = certbench(['format', '--target', 'junos', '--cert', p('fullchain.pem'), '--key', p('rsa.enc.key'), '--passphrase-file', p('pass.txt'), '-o', out]);
    expect(r.code).toBe(0);
    const chain = readFileSync(`${out}/ca-chain.pem`, 'utf8');
    expect(chain).toBe(readFileSync(pki('int.crt'), 'utf8') + readFileSync(pki('root.crt'), 'utf8'));
    // The key is written unencrypted for the device, with mode 0600.
    expect(opensslTry(['pkey', '-in', `${out}/router1.example.net.key`, '-passin', 'pass:', '-noout']).status).toBe(0);
    expect(mode(`${out}/router1.example.net.key`)).toBe(0o600);
  });

  it('an existing folder is used; an existing file is replaced only with --force', () => {
    const out = p('out-existing');
    mkdirSync(out);
    writeFileSync(`${out}/keep.txt`, 'mine');
    const args = ['format', '--target', 'sdcloud', '--cert', pki('ec.crt'), '--key', pki('ec.key'), '-o', out];
    expect(certbench(args).code).toBe(0);
    const before = readFileSync(`${out}/jwks.json`, 'utf8');
    writeFileSync(`${out}/jwks.json`, 'old');
    writeFileSync(`${out}/public-key.pem`, 'old');
    const again = certbench(args);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/public-key\.pem: the file already exists.*--force/);
    expect(readFileSync(`${out}/jwks.json`, 'utf8')).toBe('old');
    expect(readFileSync(`${out}/public-key.pem`, 'utf8')).toBe('old');
    expect(certbench([...args, '--force']).code).toBe(0);
    expect(readFileSync(`${out}/jwks.json`, 'utf8')).toBe(before);
    expect(readFileSync(`${out}/keep.txt`, 'utf8')).toBe('mine');
  });
});

describe('certbench format: refusals write nothing', () => {
  const base = (target: string, cert: string, key: string): string[] => ['format', '--target', target, '--cert', cert, '--key', key];
  const cases: { name: string; args: string[]; want: RegExp }[] = [
    { name: 'key does not match the certificate', args: base('junos', pki('rsa.crt'), pki('other.key')),
      want: /refused|cannot format for junos[\s\S]*other\.key does not match the certificate in .*rsa\.crt/ },
    { name: 'CSR made for another key', args: [...base('apstra', pki('rsa.crt'), pki('rsa.key')), '--csr', pki('ec.csr')],
      want: /CSR in .*ec\.csr was made for another key/ },
    { name: 'chain in the wrong order (root before intermediate)', args: [...base('apstra', pki('rsa.crt'), pki('rsa.key')), '--chain', pki('root.crt'), '--chain', pki('int.crt')],
      want: /not in leaf-to-root order/ },
    { name: 'chain missing its intermediate', args: [...base('junos', pki('rsa.crt'), pki('rsa.key')), '--chain', pki('root.crt')],
      want: /an intermediate is missing/ },
    { name: 'chain with an impostor intermediate (signature does not verify)', args: [...base('sps', pki('rsa.crt'), pki('rsa.key')), '--chain', 'FAKE'],
      want: /signature does not verify/ },
    { name: 'SPS with an EC key', args: base('sps', pki('ec.crt'), pki('ec.key')), want: /ECDSA P-256 key: SPS takes RSA private keys in PKCS#1 only/ },
    { name: 'SPS with an Ed25519 key', args: base('sps', pki('ed.crt'), pki('ed.key')), want: /Ed25519 key: SPS takes RSA/ },
    { name: 'Junos with an Ed25519 key', args: base('junos', pki('ed.crt'), pki('ed.key')), want: /Junos PKI loads RSA and ECDSA/ },
    { name: 'Apstra with an Ed25519 key', args: base('apstra', pki('ed.crt'), pki('ed.key')), want: /browsers do not accept Ed25519/ },
    { name: 'a key given as the certificate', args: base('junos', pki('rsa.key'), pki('rsa.crt')), want: /rsa\.crt: expected a private key but the file holds certificate/ },
    { name: 'a key in the chain', args: [...base('junos', pki('rsa.crt'), pki('rsa.key')), '--chain', pki('other.key')], want: /other\.key: a chain file holds certificates only/ },
    { name: 'a certificate given as the CSR', args: [...base('apstra', pki('rsa.crt'), pki('rsa.key')), '--csr', pki('int.crt')], want: /int\.crt: expected one certificate signing request/ },
    { name: 'an encrypted key without its passphrase', args: base('junos', pki('rsa.crt'), 'ENC'), want: /rsa\.enc\.key.*passphrase/ },
    { name: 'a certificate-id with shell metacharacters', args: [...base('junos', pki('rsa.crt'), pki('rsa.key')), '--cert-id', 'a;rm -rf ~'], want: /--cert-id.*not a usable certificate-id/ },
    { name: 'a certificate-id with a path', args: [...base('junos', pki('rsa.crt'), pki('rsa.key')), '--cert-id', '../etc/x'], want: /not a usable certificate-id/ },
    { name: '--cert-id for a target without one', args: [...base('apstra', pki('rsa.crt'), pki('rsa.key')), '--cert-id', 'x'], want: /--cert-id.*apstra does not use it/ },
    { name: 'a missing certificate file', args: base('junos', 'NOPE', pki('rsa.key')), want: /nope\.crt.*(no such file|not found|does not exist)/i },
    { name: 'an unknown target', args: base('cisco', pki('rsa.crt'), pki('rsa.key')), want: /argument 'cisco' is invalid|Allowed choices/ },
  ];
  for (const [i, c] of cases.entries()) {
    it(c.name, () => {
      const out = p(`refused-${i}`);
      const args = c.args.map((a) => (a === 'FAKE' ? p('fake-int.crt') : a === 'ENC' ? p('rsa.enc.key') : a === 'NOPE' ? p('nope.crt') : a));
      const r = certbench([...args, '-o', out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(c.want);
      expect(r.stdout).toBe('');
      expect(existsSync(out), 'the output folder must not be created').toBe(false);
      expect(r.stderr).not.toMatch(/-----BEGIN|MII[A-Za-z0-9+/]{20}/);
    });
  }

  it('a refusal into an existing folder leaves it exactly as it was', () => {
    const out = p('refused-existing');
    mkdirSync(out);
    writeFileSync(`${out}/nginx.crt`, 'old cert');
    const r = certbench(['format', '--target', 'apstra', '--cert', pki('rsa.crt'), '--key', pki('other.key'), '-o', out, '--force']);
    expect(r.code).toBe(2);
    expect(readdirSync(out)).toEqual(['nginx.crt']);
    expect(readFileSync(`${out}/nginx.crt`, 'utf8')).toBe('old cert');
  });

  it('-o naming a file is refused', () => {
    writeFileSync(p('a-file'), 'x');
    const r = certbench(['format', '--target', 'junos', '--cert', pki('rsa.crt'), '--key', pki('rsa.key'), '-o', p('a-file')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/a-file: is a file; -o names the output folder/);
    expect(readFileSync(p('a-file'), 'utf8')).toBe('x');
  });
});
