import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certbench } from '../helpers/cli.js';
import { openssl, opensslBytes, opensslTry, tempDir } from '../helpers/openssl.js';

const t = tempDir('certbench-cli-');
const p = t.path;

function spkiOf(args: string[]): string {
  const der = opensslBytes([...args, '-pubout', '-outform', 'DER']);
  return createHash('sha256').update(der).digest('hex');
}
function mode(path: string): number {
  return statSync(path).mode & 0o777;
}

beforeAll(() => {
  // An OpenSSL-made PKI: CA, a leaf key with a CSR and a CA-signed certificate, and a stranger key.
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', p('ca.key')]);
  openssl(['req', '-x509', '-new', '-key', p('ca.key'), '-subj', '/CN=Test Root CA', '-days', '30', '-out', p('ca.crt'),
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', p('leaf.key')]);
  openssl(['req', '-new', '-key', p('leaf.key'), '-subj', '/C=US/O=Lab/CN=router1.example.net', '-out', p('leaf.csr')]);
  writeFileSync(p('ext.cnf'), 'subjectAltName=DNS:router1.example.net,IP:192.0.2.1\nextendedKeyUsage=serverAuth\n');
  openssl(['x509', '-req', '-in', p('leaf.csr'), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial', '-days', '20',
    '-extfile', p('ext.cnf'), '-out', p('leaf.crt')]);
  writeFileSync(p('fullchain.pem'), readFileSync(p('leaf.crt'), 'utf8') + readFileSync(p('ca.crt'), 'utf8'));
  openssl(['x509', '-in', p('leaf.crt'), '-outform', 'DER', '-out', p('leaf.der')]);
  openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', p('other.key')]);
  writeFileSync(p('pass.txt'), 'correct horse battery staple\n');
  writeFileSync(p('wrong.txt'), 'not the passphrase\n');
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-aes-256-cbc', '-pass', `file:${p('pass.txt')}`, '-out', p('openssl-enc.key')]);
});
afterAll(() => t.cleanup());

describe('certbench --help', () => {
  for (const verb of ['', 'keygen', 'csr', 'inspect', 'match', 'convert']) {
    it(`${verb || 'top level'} --help exits 0 and describes the verb`, () => {
      const r = certbench(verb ? [verb, '--help'] : ['--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Usage: certbench/);
    });
  }
  it('an unknown verb is a usage error (exit 2)', () => {
    const r = certbench(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command/);
  });
});

describe('certbench keygen', () => {
  const cases = [
    { name: 'RSA-2048 PKCS#8', args: ['--alg', 'rsa'], want: { algorithm: 'rsa', bits: 2048, pem: 'BEGIN PRIVATE KEY' } },
    { name: 'RSA-3072 PKCS#1', args: ['--alg', 'rsa', '--bits', '3072', '--format', 'pkcs1'], want: { algorithm: 'rsa', bits: 3072, pem: 'BEGIN RSA PRIVATE KEY' } },
    { name: 'ECDSA P-256 SEC1', args: ['--alg', 'ecdsa', '--format', 'sec1'], want: { algorithm: 'ecdsa', bits: 256, pem: 'BEGIN EC PRIVATE KEY' } },
    { name: 'ECDSA P-384 PKCS#8', args: ['--alg', 'ecdsa', '--curve', 'P-384'], want: { algorithm: 'ecdsa', bits: 384, pem: 'BEGIN PRIVATE KEY' } },
    { name: 'Ed25519', args: ['--alg', 'ed25519'], want: { algorithm: 'ed25519', bits: 256, pem: 'BEGIN PRIVATE KEY' } },
  ];
  for (const c of cases) {
    it(`${c.name}: mode 0600, passes openssl pkey -check, JSON names the public key`, () => {
      const out = p(`gen-${c.name.replace(/\W+/g, '-')}.key`);
      const r = certbench(['keygen', ...c.args, '-o', out, '--json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const j = JSON.parse(r.stdout);
      expect(j).toMatchObject({ file: out, algorithm: c.want.algorithm, bits: c.want.bits, encrypted: false });
      expect(mode(out)).toBe(0o600);
      expect(readFileSync(out, 'utf8')).toContain(c.want.pem);
      if (c.want.algorithm !== 'ed25519') openssl(['pkey', '-in', out, '-check', '-noout']);
      expect(j.spkiSha256).toBe(spkiOf(['pkey', '-in', out]));
    });
  }
  it('encrypts with --passphrase-file so that openssl opens it with that passphrase only', () => {
    const out = p('enc.key');
    const r = certbench(['keygen', '--alg', 'ecdsa', '--passphrase-file', p('pass.txt'), '-o', out]);
    expect(r.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('BEGIN ENCRYPTED PRIVATE KEY');
    expect(openssl(['pkey', '-in', out, '-passin', `file:${p('pass.txt')}`, '-noout', '-text'])).toMatch(/P-256|prime256v1/);
    expect(opensslTry(['pkey', '-in', out, '-passin', `file:${p('wrong.txt')}`, '-noout']).status).not.toBe(0);
  });
  const bad = [
    { name: 'RSA below 2048 bits', args: ['--alg', 'rsa', '--bits', '1024'], want: /--bits/ },
    { name: 'SEC1 for an RSA key', args: ['--alg', 'rsa', '--format', 'sec1'], want: /SEC1 holds EC keys only/ },
    { name: 'PKCS#1 for Ed25519', args: ['--alg', 'ed25519', '--format', 'pkcs1'], want: /PKCS#1 holds RSA keys only/ },
    { name: 'a curve we do not generate', args: ['--alg', 'ecdsa', '--curve', 'P-192'], want: /--curve/ },
    { name: 'missing passphrase file', args: ['--alg', 'rsa', '--passphrase-file', '/nonexistent/pass'], want: /\/nonexistent\/pass/ },
    { name: 'output folder missing', args: ['--alg', 'ecdsa', '-o', '/nonexistent/dir/k.key'], want: /does not exist/ },
  ];
  for (const c of bad) {
    it(`refuses ${c.name} with exit 2 and writes nothing`, () => {
      const out = p(`bad-${c.name.replace(/\W+/g, '-')}.key`);
      const args = c.args.includes('-o') ? c.args : [...c.args, '-o', out];
      const before = readdirSync(t.dir).length;
      const r = certbench(['keygen', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(c.want);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(t.dir).length).toBe(before);
    });
  }
  it('never replaces an existing key without --force', () => {
    const out = p('keep.key');
    expect(certbench(['keygen', '--alg', 'ecdsa', '-o', out]).code).toBe(0);
    const before = readFileSync(out, 'utf8');
    const r = certbench(['keygen', '--alg', 'ecdsa', '-o', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/already exists/);
    expect(readFileSync(out, 'utf8')).toBe(before);
    expect(certbench(['keygen', '--alg', 'ecdsa', '-o', out, '--force']).code).toBe(0);
    expect(readFileSync(out, 'utf8')).not.toBe(before);
  });
});

describe('certbench csr', () => {
  it('builds a CSR that openssl verifies, with the subject in order and every SAN type', () => {
    const out = p('subj.csr');
    const r = certbench(['csr', '--key', p('leaf.key'), '--subject', 'C=US,ST=California,O=Lab,OU=NetOps,CN=router1.example.net',
      '--san', 'DNS:router1.example.net', '--san', 'IP:192.0.2.1', '--san', 'IP:2001:db8::1', '--san', 'email:noc@example.net',
      '--san', 'URI:https://router1.example.net/', '-o', out, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(opensslTry(['req', '-in', out, '-verify', '-noout']).stderr).toMatch(/verify OK|Certificate request self-signature verify OK/);
    const text = openssl(['req', '-in', out, '-noout', '-text']);
    expect(text).toMatch(/Subject: C\s*=\s*US, ST\s*=\s*California, O\s*=\s*Lab, OU\s*=\s*NetOps, CN\s*=\s*router1\.example\.net/);
    expect(text).toContain('DNS:router1.example.net');
    expect(text).toContain('IP Address:192.0.2.1');
    expect(text).toContain('IP Address:2001:DB8:0:0:0:0:0:1');
    expect(text).toContain('email:noc@example.net');
    expect(text).toContain('URI:https://router1.example.net/');
    expect(text).toContain('TLS Web Server Authentication');
    expect(text).toContain('sha256WithRSAEncryption');
    const csrPub = openssl(['req', '-in', out, '-pubkey', '-noout']);
    expect(createHash('sha256').update(opensslBytes(['pkey', '-pubin', '-outform', 'DER'], csrPub)).digest('hex')).toBe(spkiOf(['pkey', '-in', p('leaf.key')]));
  });

  it('builds from a KB37299-style template with {{placeholders}} and emits an OpenSSL config that regenerates the same request', () => {
    writeFileSync(p('tpl.cnf'), [
      '[ req ]', 'distinguished_name = req_distinguished_name', 'req_extensions = req_ext', 'prompt = no', '',
      '[ req_distinguished_name ]', 'countryName = US', 'organizationName = Lab', 'commonName = {{host}}.example.net', '',
      '[ req_ext ]', 'subjectAltName = @alt_names', '', '[ alt_names ]', 'DNS.1 = {{host}}.example.net', 'IP.1 = {{ip}}', '',
    ].join('\n'));
    const out = p('tpl.csr');
    const cnf = p('tpl-out.cnf');
    const r = certbench(['csr', '--key', p('leaf.key'), '--template', p('tpl.cnf'), '--var', 'host=sw7', '--var', 'ip=198.51.100.7',
      '--san', 'DNS:sw7-mgmt.example.net', '--emit-openssl-cnf', cnf, '-o', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('openssl req -new');
    const ours = openssl(['req', '-in', out, '-noout', '-text']);
    expect(ours).toMatch(/Subject: C\s*=\s*US, O\s*=\s*Lab, CN\s*=\s*sw7\.example\.net/);
    expect(ours).toContain('DNS:sw7.example.net, IP Address:198.51.100.7, DNS:sw7-mgmt.example.net');
    openssl(['req', '-new', '-key', p('leaf.key'), '-config', cnf, '-out', p('regen.csr')]);
    const theirs = openssl(['req', '-in', p('regen.csr'), '-noout', '-text']);
    const pick = (s: string) => [s.match(/Subject:.*$/m)?.[0], s.match(/Subject Alternative Name:[^\n]*\n\s*([^\n]*)/)?.[1], s.match(/Extended Key Usage:[^\n]*\n\s*([^\n]*)/)?.[1]];
    expect(pick(theirs)).toEqual(pick(ours));
  });

  it('writes the CSR and the config together or not at all: a failed config output keeps the old CSR', () => {
    const out = p('keep.csr');
    writeFileSync(out, 'the old request\n');
    const r = certbench(['csr', '--key', p('leaf.key'), '--subject', 'CN=x.example.net', '--san', 'DNS:x.example.net',
      '--emit-openssl-cnf', p('missing-dir/x.cnf'), '-o', out, '--force']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing-dir.*does not exist/);
    expect(readFileSync(out, 'utf8')).toBe('the old request\n');
    expect(readdirSync(t.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  const bad = [
    { name: 'a template placeholder left unfilled', args: (tpl: string) => ['--template', tpl, '--var', 'host=sw7'], want: /\{\{ip\}\}|ip/ },
    { name: 'an invalid IP SAN', args: () => ['--subject', 'CN=x', '--san', 'IP:999.1.1.1'], want: /999\.1\.1\.1/ },
    { name: 'a SAN with a control character', args: () => ['--subject', 'CN=x', '--san', 'DNS:bad\u0007host'], want: /DNS/ },
    { name: 'neither subject nor template', args: () => [], want: /--subject/ },
    { name: 'a certificate given as the key', args: () => ['--subject', 'CN=x'], key: 'leaf.crt', want: /expected a private key/ },
  ];
  for (const c of bad) {
    it(`refuses ${c.name} with exit 2 and writes nothing`, () => {
      const out = p(`bad-${c.name.replace(/\W+/g, '-')}.csr`);
      const r = certbench(['csr', '--key', p(c.key ?? 'leaf.key'), ...c.args(p('tpl.cnf')), '-o', out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(c.want);
      expect(existsSync(out)).toBe(false);
    });
  }
});

describe('certbench inspect', () => {
  it('describes a CA-signed certificate with fingerprints equal to openssl', () => {
    const r = certbench(['inspect', p('leaf.crt'), '--json']);
    expect(r.code).toBe(0);
    const [item] = JSON.parse(r.stdout).items;
    expect(item.kind).toBe('certificate');
    expect(item.subject).toContain('router1.example.net');
    expect(item.san).toEqual(expect.arrayContaining(['DNS:router1.example.net', 'IP:192.0.2.1']));
    expect(item.key).toMatchObject({ algorithm: 'rsa', bits: 2048 });
    const fp = openssl(['x509', '-in', p('leaf.crt'), '-noout', '-fingerprint', '-sha256']).split('=')[1]!.trim().replace(/:/g, '').toLowerCase();
    expect(item.sha256.replace(/:/g, '').toLowerCase()).toBe(fp);
    expect(item.spkiSha256).toBe(spkiOf(['pkey', '-in', p('leaf.key')]));
  });
  it('prints a readable report for a chain, a CSR and a key', () => {
    const r = certbench(['inspect', p('fullchain.pem'), p('leaf.csr'), p('leaf.key')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('fullchain.pem #1: certificate');
    expect(r.stdout).toContain('fullchain.pem #2: certificate');
    expect(r.stdout).toContain('leaf.csr #1: csr');
    expect(r.stdout).toContain('leaf.key #1: private-key');
    expect(r.stdout).not.toMatch(/BEGIN (RSA )?PRIVATE KEY/);
  });
  const bad = [
    { name: 'a missing file', file: () => p('nope.crt'), want: /nope\.crt/ },
    { name: 'an empty file', file: () => { writeFileSync(p('empty.crt'), ''); return p('empty.crt'); }, want: /empty\.crt/ },
    { name: 'junk', file: () => { writeFileSync(p('junk.bin'), 'hello, this is not a certificate\n'); return p('junk.bin'); }, want: /junk\.bin/ },
    { name: 'a truncated PEM', file: () => { writeFileSync(p('cut.crt'), readFileSync(p('leaf.crt'), 'utf8').slice(0, 300)); return p('cut.crt'); }, want: /cut\.crt.*(cut short|truncated)/ },
    { name: 'an encrypted key without a passphrase', file: () => p('openssl-enc.key'), want: /openssl-enc\.key.*passphrase/ },
  ];
  for (const c of bad) {
    it(`reports ${c.name} with exit 2, the file name and no stack trace`, () => {
      const r = certbench(['inspect', c.file()]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(c.want);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }
});

describe('secrets stay out of output', () => {
  it('a wrong passphrase is reported without echoing the passphrase or any key material', () => {
    const r = certbench(['inspect', p('openssl-enc.key'), '--passphrase-file', p('wrong.txt')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/openssl-enc\.key.*passphrase/);
    expect(r.stdout + r.stderr).not.toContain('not the passphrase');
    expect(r.stdout + r.stderr).not.toMatch(/BEGIN|MII/);
  });
  it('inspect --json of a private key holds only public facts', () => {
    const r = certbench(['inspect', p('leaf.key'), '--json']);
    expect(r.code).toBe(0);
    const body = readFileSync(p('leaf.key'), 'utf8').split('\n')[1]!;
    expect(r.stdout).not.toContain(body.slice(0, 40));
    expect(Object.keys(JSON.parse(r.stdout).items[0]).sort()).toEqual(['container', 'encoding', 'file', 'findings', 'index', 'key', 'kind', 'spkiSha256']);
  });
});

describe('certbench match', () => {
  it('says match for the key, the CSR and the certificate (PEM, DER and the chain bundle)', () => {
    const r = certbench(['match', p('leaf.key'), p('leaf.csr'), p('leaf.der'), p('fullchain.pem'), '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.match).toBe(true);
    expect(j.items.map((i: { kind: string }) => i.kind)).toEqual(['private-key', 'csr', 'certificate', 'certificate']);
    const want = spkiOf(['pkey', '-in', p('leaf.key')]);
    for (const i of j.items) expect(i.spkiSha256).toBe(want);
  });
  it('says mismatch with exit 1 and marks the key that differs', () => {
    const r = certbench(['match', p('leaf.crt'), p('other.key')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/MISMATCH/);
    expect(r.stdout).toMatch(/! private-key .*other\.key/);
    const j = JSON.parse(certbench(['match', p('leaf.crt'), p('other.key'), '--json']).stdout);
    expect(j.match).toBe(false);
  });
  it('reads pasted PEM from standard input (-) beside files', () => {
    const r = certbench(['match', '-', p('leaf.key'), '--json'], { input: `pasted from a ticket:\r\n${readFileSync(p('leaf.crt'), 'utf8').replace(/\n/g, '\r\n')}` });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).items.map((i: { file: string }) => i.file)).toEqual(['stdin', p('leaf.key')]);
    const bad = certbench(['inspect', '-'], { input: 'not a certificate at all' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^certbench: stdin: /);
  });
  it('needs two things to compare (exit 2)', () => {
    const r = certbench(['match', p('leaf.crt')]);
    expect(r.code).toBe(2);
  });
});

describe('certbench convert', () => {
  it('converts a PKCS#8 RSA key to PKCS#1 with mode 0600 and the same public key', () => {
    const out = p('leaf.pkcs1.pem');
    expect(certbench(['convert', p('leaf.key'), '--to', 'pkcs1', '-o', out]).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('BEGIN RSA PRIVATE KEY');
    expect(mode(out)).toBe(0o600);
    expect(spkiOf(['pkey', '-in', out])).toBe(spkiOf(['pkey', '-in', p('leaf.key')]));
  });
  it('converts a certificate to DER that openssl reads, and a bundle to DER is refused', () => {
    const out = p('leaf-out.der');
    expect(certbench(['convert', p('leaf.crt'), '--to', 'der', '-o', out]).code).toBe(0);
    expect(readFileSync(out)).toEqual(readFileSync(p('leaf.der')));
    const r = certbench(['convert', p('fullchain.pem'), '--to', 'der', '-o', p('bundle.der')]);
    expect(r.code).toBe(2);
    expect(existsSync(p('bundle.der'))).toBe(false);
  });
  it('builds a PKCS#12 that openssl opens (AES-256-CBC, SHA-256 MAC) and reads it back to PEM', () => {
    const out = p('leaf.p12');
    const r = certbench(['convert', p('leaf.key'), '--to', 'pkcs12', '--cert', p('leaf.crt'), '--chain', p('ca.crt'), '--out-passphrase-file', p('pass.txt'), '-o', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(mode(out)).toBe(0o600);
    const info = opensslTry(['pkcs12', '-in', out, '-info', '-noout', '-passin', `file:${p('pass.txt')}`]);
    expect(info.status).toBe(0);
    expect(info.stderr).toMatch(/MAC: sha256/);
    expect(info.stderr).toMatch(/AES-256-CBC/);
    const certs = openssl(['pkcs12', '-in', out, '-nokeys', '-passin', `file:${p('pass.txt')}`]);
    expect(certs.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    const back = p('from-p12.pem');
    expect(certbench(['convert', out, '--to', 'pem', '--passphrase-file', p('pass.txt'), '-o', back]).code).toBe(0);
    expect(mode(back)).toBe(0o600);
    expect(spkiOf(['pkey', '-in', back])).toBe(spkiOf(['pkey', '-in', p('leaf.key')]));
    const wrong = certbench(['convert', out, '--to', 'pem', '--passphrase-file', p('wrong.txt'), '-o', p('nope.pem')]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/leaf\.p12.*passphrase/);
    expect(existsSync(p('nope.pem'))).toBe(false);
  });
  it('refuses a PKCS#12 whose certificate does not belong to the key, writing nothing', () => {
    const out = p('mismatch.p12');
    const r = certbench(['convert', p('other.key'), '--to', 'pkcs12', '--cert', p('leaf.crt'), '--out-passphrase-file', p('pass.txt'), '-o', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/does not match/);
    expect(existsSync(out)).toBe(false);
  });
});
