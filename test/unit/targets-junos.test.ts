import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { formatFor } from '../../src/core/targets/index.js';
import { openssl, opensslBytes, opensslTry, tempDir } from '../helpers/openssl.js';
import { bundleOf, expectGolden, fileOf, goldenDir, NOW, PKI, writeFiles, type BundleInput } from '../helpers/golden.js';

const GOLDEN = goldenDir('junos');
type Input = BundleInput;
const file = fileOf;

// What `openssl x509` prints for a certificate file: the normalised PEM the formatter must reproduce.
const x509Pem = (path: string): string => openssl(['x509', '-in', path]);
const spki = (args: string[]): Buffer => opensslBytes(['pkey', ...args, '-pubout', '-outform', 'DER']);

const CASES: { name: string; input: Input; want: { id: string; files: string[]; warnings: string[]; keyLabel: string } }[] = [
  { name: 'rsa-chain', input: { cert: 'rsa.crt', key: 'rsa.key', chain: ['int.crt', 'root.crt'] },
    want: { id: 'router1.example.net', keyLabel: 'RSA PRIVATE KEY', warnings: [],
      files: ['router1.example.net.crt', 'router1.example.net.key', 'ca-chain.pem', 'trusted-cert.txt', 'junos-commands.txt'] } },
  { name: 'rsa-nochain', input: { cert: 'rsa.crt', key: 'rsa.key', chain: [] },
    want: { id: 'router1.example.net', keyLabel: 'RSA PRIVATE KEY', warnings: ['chain-incomplete', 'junos-no-chain'],
      files: ['router1.example.net.crt', 'router1.example.net.key', 'trusted-cert.txt', 'junos-commands.txt'] } },
  { name: 'ec-chain', input: { cert: 'ec.crt', key: 'ec.key', chain: ['int.crt', 'root.crt'] },
    want: { id: 'apstra.example.net', keyLabel: 'EC PRIVATE KEY', warnings: [],
      files: ['apstra.example.net.crt', 'apstra.example.net.key', 'ca-chain.pem', 'trusted-cert.txt', 'junos-commands.txt'] } },
  { name: 'rsa-int-only', input: { cert: 'rsa.crt', key: 'rsa.key', chain: ['int.crt'] },
    want: { id: 'router1.example.net', keyLabel: 'RSA PRIVATE KEY', warnings: ['chain-incomplete', 'junos-chain-without-root'],
      files: ['router1.example.net.crt', 'router1.example.net.key', 'ca-chain.pem', 'trusted-cert.txt', 'junos-commands.txt'] } },
  { name: 'rsa-selfsigned', input: { cert: 'selfsigned.crt', key: 'rsa.key', chain: [] },
    want: { id: 'router1.example.net', keyLabel: 'RSA PRIVATE KEY', warnings: ['self-signed', 'no-server-auth-eku'],
      files: ['router1.example.net.crt', 'router1.example.net.key', 'trusted-cert.txt', 'junos-commands.txt'] } },
];

describe('formatJunos golden files', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const r = formatFor('junos', await bundleOf(c.input), { now: NOW });
      expect(r.target).toBe('junos');
      expect(r.files.map((f) => f.name)).toEqual(c.want.files);
      expect(r.warnings.map((w) => w.code)).toEqual(c.want.warnings);
      expect(r.files.filter((f) => f.secret).map((f) => f.name)).toEqual([`${c.want.id}.key`]);
      for (const f of r.files) expect(f.description.length, f.name).toBeGreaterThan(0);
      expectGolden(join(GOLDEN, c.name), r.files);
    });
  }
});

describe('formatJunos against OpenSSL', () => {
  const tmp = tempDir('certbench-junos-');
  afterAll(() => tmp.cleanup());

  for (const c of CASES) {
    it(`${c.name}: OpenSSL reads every file and they hold the inputs`, async () => {
      const r = formatFor('junos', await bundleOf(c.input), { now: NOW });
      const dir = join(tmp.dir, c.name);
      writeFiles(dir, r.files);
      const id = c.want.id;

      // The leaf, exactly as OpenSSL re-encodes the input.
      expect(file(r, `${id}.crt`).content).toBe(x509Pem(join(PKI, c.input.cert)));

      // The key: traditional form, valid, and the same key as the input.
      const keyPath = join(dir, `${id}.key`);
      const keyText = file(r, `${id}.key`).content;
      expect(keyText.split('\n')[0]).toBe(`-----BEGIN ${c.want.keyLabel}-----`);
      expect(keyText.trimEnd().split('\n').at(-1)).toBe(`-----END ${c.want.keyLabel}-----`);
      expect(opensslTry(['pkey', '-in', keyPath, '-check', '-noout']).status).toBe(0);
      const legacy = c.want.keyLabel === 'RSA PRIVATE KEY' ? 'rsa' : 'ec';
      expect(opensslTry([legacy, '-in', keyPath, '-check', '-noout']).status).toBe(0);
      expect(spki(['-in', keyPath]).equals(spki(['-in', join(PKI, c.input.key)]))).toBe(true);

      // The CA chain: each input certificate, in the order given.
      if (c.input.chain.length > 0) {
        expect(file(r, 'ca-chain.pem').content).toBe(c.input.chain.map((f) => x509Pem(join(PKI, f))).join(''));
        expect(openssl(['storeutl', '-noout', '-certs', join(dir, 'ca-chain.pem')])).toContain(`Total found: ${c.input.chain.length}`);
      } else {
        expect(r.files.some((f) => f.name === 'ca-chain.pem')).toBe(false);
      }

      // trusted-cert.txt: the chain files (or the leaf) as they are on disk, every newline removed.
      const sources = c.input.chain.length > 0 ? c.input.chain : [c.input.cert];
      const want = sources.map((f) => readFileSync(join(PKI, f), 'utf8')).join('').replace(/[\r\n]/g, '');
      expect(readFileSync(join(dir, 'trusted-cert.txt'), 'utf8')).toBe(`${want}\n`);

      // The command sheet: the fingerprint as OpenSSL prints it, the real trusted-cert value, the id everywhere.
      const sheet = file(r, 'junos-commands.txt').content;
      const fp = openssl(['x509', '-in', join(PKI, c.input.cert), '-noout', '-fingerprint', '-sha256']).trim();
      expect(fp).toMatch(/^sha256 Fingerprint=([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      expect(sheet.split('\n').filter((l) => l.trim() === fp)).toHaveLength(2);
      expect(sheet).toContain(`set system services outbound-https client <client-id> address <grpc-server> port <port> trusted-cert "${want}"\n`);
      expect(sheet).toContain(`scp ${r.files.filter((f) => f.name !== 'junos-commands.txt' && f.name !== 'trusted-cert.txt').map((f) => f.name).join(' ')} <user>@<device>:/var/tmp/\n`);
      const lines = sheet.split('\n').map((l) => l.trim());
      const load = lines.indexOf(`request security pki local-certificate load certificate-id ${id} filename /var/tmp/${id}.crt key /var/tmp/${id}.key`);
      expect(load).toBeGreaterThan(0);
      expect(lines[load + 1]).toBe(`file delete /var/tmp/${id}.key`);
      const bind = lines.indexOf(`set system services rest https server-certificate ${id}`);
      expect(bind).toBeGreaterThan(load);
      expect(lines[bind + 1]).toBe(`set system services web-management https pki-local-certificate ${id}`);
      expect(lines[bind + 2]).toBe('commit confirmed 5');
      expect(lines.indexOf('commit', bind + 3)).toBeGreaterThan(bind + 2);
      expect(lines).toContain(`show security pki local-certificate certificate-id ${id} detail`);
      const caLoad = `request security pki ca-certificate ca-profile-group load ca-group-name ${id}-ca filename /var/tmp/ca-chain.pem`;
      if (c.input.chain.length > 0) {
        const profile = lines.indexOf(`set security pki ca-profile ${id}-ca ca-identity ${id}-ca`);
        expect(profile).toBeGreaterThan(0);
        expect(lines.indexOf(caLoad)).toBeGreaterThan(profile);
        expect(lines.indexOf(caLoad)).toBeLessThan(load);
      } else {
        expect(lines).not.toContain(caLoad);
        expect(sheet).not.toContain('ca-chain.pem');
      }
    });
  }

  it('trusted-cert.txt from CRLF chain files equals those files with every CR and LF removed', async () => {
    const dir = join(tmp.dir, 'crlf');
    mkdirSync(dir, { recursive: true });
    for (const f of ['rsa.crt', 'rsa.key', 'int.crt', 'root.crt']) {
      writeFileSync(join(dir, f), readFileSync(join(PKI, f), 'utf8').replace(/\r?\n/g, '\r\n'), { mode: 0o600 });
    }
    const r = formatFor('junos', await bundleOf({ cert: 'rsa.crt', key: 'rsa.key', chain: ['int.crt', 'root.crt'] }, dir), { now: NOW });
    const crlf = readFileSync(join(dir, 'int.crt'), 'utf8') + readFileSync(join(dir, 'root.crt'), 'utf8');
    expect(crlf).toContain('\r\n');
    const value = file(r, 'trusted-cert.txt').content;
    expect(value).toBe(`${crlf.replace(/[\r\n]/g, '')}\n`);
    expect(value.indexOf('\n')).toBe(value.length - 1);
    expect(value).not.toContain('\r');
    // Everything else is written with LF only, whatever the input used.
    for (const f of r.files) expect(f.content, f.name).not.toContain('\r');
  });

  it('a given certificate-id names the files and every command', async () => {
    const r = formatFor('junos', await bundleOf(CASES[0]!.input), { now: NOW, certId: 'r1-https' });
    expect(r.files.map((f) => f.name)).toEqual(['r1-https.crt', 'r1-https.key', 'ca-chain.pem', 'trusted-cert.txt', 'junos-commands.txt']);
    const sheet = file(r, 'junos-commands.txt').content;
    expect(sheet).toContain('request security pki local-certificate load certificate-id r1-https filename /var/tmp/r1-https.crt key /var/tmp/r1-https.key\n');
    expect(sheet).toContain('set system services web-management https pki-local-certificate r1-https\n');
    expect(sheet).not.toContain('certificate-id router1.example.net');
  });
});

describe('formatFor junos refuses what Junos cannot load', () => {
  const cases: { name: string; input: Input; want: { code: string; mentions: string[] } }[] = [
    { name: 'an Ed25519 key', input: { cert: 'ed.crt', key: 'ed.key', chain: ['int.crt', 'root.crt'] }, want: { code: 'refused', mentions: ['ed.key', 'Ed25519', 'Junos'] } },
    { name: 'a key that does not match the certificate', input: { cert: 'rsa.crt', key: 'other.key', chain: ['int.crt', 'root.crt'] },
      want: { code: 'refused', mentions: ['other.key', 'rsa.crt', 'does not match'] } },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const b = await bundleOf(c.input);
      let err: unknown;
      try {
        formatFor('junos', b, { now: NOW });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).code).toBe(c.want.code);
      for (const m of c.want.mentions) expect((err as InputError).message).toContain(m);
      expect((err as InputError).message).not.toContain('PRIVATE KEY');
    });
  }

  it('a certificate-id Junos cannot take', async () => {
    const b = await bundleOf(CASES[0]!.input);
    expect(() => formatFor('junos', b, { now: NOW, certId: 'bad id; commit' })).toThrow(expect.objectContaining({ code: 'invalid-value' }));
  });
});

describe('certificate names never reach a command line unchecked', () => {
  const t = tempDir('certbench-junos-names-');
  afterAll(() => t.cleanup());
  it('a SAN with shell metacharacters is left out of the pasted openssl lines', async () => {
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', t.path('evil.key')]);
    openssl(['req', '-x509', '-new', '-key', t.path('evil.key'), '-subj', '/CN=evil;id', '-days', '30', '-out', t.path('evil.crt'),
      '-addext', 'subjectAltName=DNS:a.example.net;touch pwned,DNS:b.example.net|id,DNS:safe.example.net']);
    const r = formatFor('junos', await bundleOf({ cert: 'evil.crt', key: 'evil.key', chain: [] }, t.dir), { certId: 'evil', now: NOW });
    const sheet = fileOf(r, 'junos-commands.txt').content;
    const sslLines = sheet.split('\n').filter((l) => l.includes('openssl s_client'));
    expect(sslLines.length).toBeGreaterThan(0);
    for (const l of sslLines) {
      expect(l).toContain('-servername safe.example.net ');
      expect(l).not.toMatch(/touch|\|id|;id/);
    }
  });
});
