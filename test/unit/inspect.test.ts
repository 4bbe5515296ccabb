import { describe, expect, it } from 'vitest';
import { decode, decodeFile } from '../../src/core/pki/decode.js';
import { inspect, type Inspection } from '../../src/core/pki/inspect.js';
import { describeCsr } from '../../src/core/pki/csr.js';
import { lint } from '../../src/core/pki/lint.js';
import { toPem } from '../../src/core/pki/pem.js';
import type { DecodedItem } from '../../src/core/pki/types.js';
import { openssl, opensslBytes, opensslTry } from '../helpers/openssl.js';
import { opensslFingerprint, PASSPHRASE, usePki } from '../helpers/fixtures.js';

const pki = usePki();
const DAY = 24 * 60 * 60 * 1000;

async function inspectFile(name: string, now?: Date): Promise<Inspection[]> {
  return inspect(await decodeFile(pki().path(name), { passphrase: PASSPHRASE }), now ? { now } : {});
}

function opensslSigAlg(args: string[]): string {
  return /Signature Algorithm: (\S+)/.exec(openssl([...args, '-noout', '-text']))![1]!;
}

describe('lint findings per fixture', () => {
  // Codes on each item of the file, in order (severity in brackets where it matters).
  const cases: { name: string; file: string; want: string[][]; skip?: () => string | undefined }[] = [
    { name: 'root CA: self-signed (info)', file: 'root.crt', want: [['self-signed[info]']] },
    { name: 'intermediate: clean', file: 'int.crt', want: [[]] },
    { name: 'leaf: clean', file: 'leaf.crt', want: [[]] },
    { name: 'expired', file: 'expired.crt', want: [['expired[error]']] },
    { name: 'self-signed leaf', file: 'selfsigned.crt', want: [['self-signed[warning]']] },
    { name: 'SHA-1 signature', file: 'sha1.crt', want: [['sha1-signature[error]']] },
    { name: 'RSA-1024', file: 'weak.crt', want: [['weak-rsa[error]']], skip: () => pki().weakRsaSkip },
    { name: 'RSA-1024 key', file: 'weak.key', want: [['weak-rsa[error]']], skip: () => pki().weakRsaSkip },
    { name: 'no SAN', file: 'nosan.crt', want: [['no-san[warning]']] },
    { name: 'CN not in SAN', file: 'cnmismatch.crt', want: [['cn-not-in-san[warning]']] },
    { name: 'clientAuth only', file: 'clientonly.crt', want: [['no-server-auth-eku[warning]']] },
    { name: 'CSR: clean', file: 'leaf.csr', want: [[]] },
    { name: 'CSR without SAN', file: 'selfsigned.csr', want: [['no-san[warning]']] },
    { name: 'key: clean', file: 'leaf.key', want: [[]] },
    { name: 'full chain in order', file: 'fullchain.pem', want: [[], [], ['self-signed[info]']] },
    { name: 'reversed chain', file: 'reversed.pem', want: [['self-signed[info]', 'chain-out-of-order[error]'], [], []] },
    { name: 'chain missing its intermediate', file: 'missing-int.pem', want: [['chain-incomplete[error]'], ['self-signed[info]']] },
    { name: 'PKCS#12 with chain', file: 'leaf.p12', want: [[], [], [], ['self-signed[info]']] },
    { name: 'Bag Attributes PEM', file: 'bag.pem', want: [[], [], ['self-signed[info]'], []] },
  ];
  for (const c of cases) {
    it(c.name, async (ctx) => {
      const reason = c.skip?.();
      if (reason) ctx.skip(reason);
      const got = await inspectFile(c.file);
      expect(got.map((i) => i.findings.map((f) => `${f.code}[${f.severity}]`).sort())).toEqual(c.want.map((w) => [...w].sort()));
      for (const i of got) for (const f of i.findings) expect(f.message.length).toBeGreaterThan(10);
    });
  }

  it('a CSR whose signed content was altered: csr-signature-invalid', async () => {
    const der = Buffer.from(pki().read('leaf.csr.der'));
    const at = der.indexOf(Buffer.from('host.example.com'));
    expect(at).toBeGreaterThan(0);
    der[at] = 'g'.charCodeAt(0);
    expect(describeCsr(der).signatureValid).toBe(false);
    const [i] = inspect(await decode(toPem('CERTIFICATE REQUEST', der), { file: 'tampered.csr' }));
    expect(i!.findings.map((f) => f.code)).toContain('csr-signature-invalid');
    // OpenSSL agrees the altered CSR does not verify.
    // (OpenSSL 3.0 exits 0 either way and only says so.)
    const r = opensslTry(['req', '-noout', '-verify'], toPem('CERTIFICATE REQUEST', der));
    expect(r.stdout + r.stderr).toMatch(/verify failure/);
  });

  it('CSR signatures verify for RSA, EC and Ed25519 keys', () => {
    expect(describeCsr(pki().read('leaf.csr.der')).signatureValid).toBe(true);
    expect(describeCsr(opensslBytes(['req', '-in', pki().path('selfsigned.csr'), '-outform', 'DER'])).signatureValid).toBe(true);
    const ed = openssl(['req', '-new', '-config', pki().path('req.cnf'), '-key', pki().path('ed25519.pem'), '-subj', '/CN=ed']);
    const edDer = Buffer.from(ed.split('-----')[2]!.replace(/\s+/g, ''), 'base64');
    expect(describeCsr(edDer).signatureValid).toBe(true);
  });
});

describe('validity with an injected now', () => {
  it('not yet valid, expires soon, valid, expired', async () => {
    const [leaf] = await inspectFile('leaf.crt');
    const nb = Date.parse(leaf!.notBefore!);
    const na = Date.parse(leaf!.notAfter!);
    const at = async (t: number): Promise<Inspection> => (await inspectFile('leaf.crt', new Date(t)))[0]!;
    const before = await at(nb - DAY);
    expect(before.findings.map((f) => f.code)).toEqual(['not-yet-valid']);
    const soon = await at(na - 10 * DAY);
    expect(soon.findings.map((f) => f.code)).toEqual(['expires-soon']);
    expect(soon.daysLeft).toBe(10);
    const fine = await at(na - 31 * DAY);
    expect(fine.findings).toEqual([]);
    expect(fine.daysLeft).toBe(31);
    const after = await at(na + 2 * DAY);
    expect(after.findings.map((f) => f.code)).toEqual(['expired']);
    expect(after.daysLeft).toBe(-2);
  });

  it('expired fixture: daysLeft is negative now', async () => {
    const [e] = await inspectFile('expired.crt');
    expect(e!.notAfter).toBe('2021-01-01T00:00:00.000Z');
    expect(e!.daysLeft).toBeLessThan(0);
  });
});

describe('certificate fields against OpenSSL', () => {
  const certs = ['root.crt', 'int.crt', 'leaf.crt', 'expired.crt', 'selfsigned.crt', 'sha1.crt', 'nosan.crt', 'clientonly.crt'];
  for (const f of certs) {
    it(`${f}: fingerprints, serial, dates, signature algorithm`, async () => {
      const [i] = await inspectFile(f);
      const path = pki().path(f);
      expect(i!.sha256).toBe(opensslFingerprint(path, 'sha256'));
      expect(i!.sha1).toBe(opensslFingerprint(path, 'sha1'));
      expect(i!.serial).toBe(openssl(['x509', '-in', path, '-noout', '-serial']).trim().split('=')[1]!.toUpperCase());
      const dates = openssl(['x509', '-in', path, '-noout', '-dates']);
      expect(Date.parse(i!.notBefore!)).toBe(Date.parse(/notBefore=(.*)/.exec(dates)![1]!));
      expect(Date.parse(i!.notAfter!)).toBe(Date.parse(/notAfter=(.*)/.exec(dates)![1]!));
      expect(i!.signatureAlgorithm).toBe(opensslSigAlg(['x509', '-in', path]));
    });
  }

  it('leaf: subject, issuer, SAN, key, usages', async () => {
    const [i] = await inspectFile('leaf.crt');
    expect(i).toMatchObject({
      kind: 'certificate',
      container: 'pem',
      subject: 'C=US, O=Certbench Test, CN=host.example.com',
      issuer: 'O=Certbench Test, CN=Certbench Test Intermediate CA',
      san: ['DNS:host.example.com', 'DNS:www.example.com', 'IP:192.0.2.10'],
      key: { algorithm: 'rsa', bits: 2048 },
      keyUsage: ['digitalSignature', 'keyEncipherment'],
      extendedKeyUsage: ['serverAuth'],
      isCa: false,
      selfSigned: false,
    });
    expect(i!.spkiSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('root and self-signed flags', async () => {
    const [root] = await inspectFile('root.crt');
    expect(root).toMatchObject({ isCa: true, selfSigned: true, keyUsage: ['keyCertSign', 'cRLSign'], key: { algorithm: 'ecdsa', bits: 256, curve: 'P-256' } });
    const [self] = await inspectFile('selfsigned.crt');
    expect(self).toMatchObject({ isCa: false, selfSigned: true });
  });

  it('CSR: subject, SAN, EKU, signature algorithm as OpenSSL names it', async () => {
    const [i] = await inspectFile('leaf.csr');
    expect(i).toMatchObject({
      kind: 'csr',
      subject: 'C=US, O=Certbench Test, CN=host.example.com',
      san: ['DNS:host.example.com', 'DNS:www.example.com', 'IP:192.0.2.10'],
      extendedKeyUsage: ['serverAuth'],
    });
    expect(i!.signatureAlgorithm).toBe(opensslSigAlg(['req', '-in', pki().path('leaf.csr')]));
    expect(i!.notAfter).toBeUndefined();
  });

  it('keys: encoding and size, no certificate fields', async () => {
    const got = await inspectFile('leaf.legacy.pem');
    expect(got[0]).toMatchObject({ kind: 'private-key', encoding: 'pkcs1', key: { algorithm: 'rsa', bits: 2048 } });
    expect(got[0]!.subject).toBeUndefined();
    const [ed] = await inspectFile('ed25519.pem');
    expect(ed!.key).toEqual({ algorithm: 'ed25519', bits: 256 });
    const [pub] = await inspectFile('leaf.pub.der');
    expect(pub).toMatchObject({ kind: 'public-key', container: 'der' });
  });
});

describe('lint rules directly', () => {
  const base = { kind: 'certificate' as const, key: { algorithm: 'rsa' as const, bits: 2048 }, san: ['DNS:a.example'], commonNames: ['a.example'], extendedKeyUsage: ['serverAuth'] };
  const cases: { name: string; input: Parameters<typeof lint>[0]; want: string[] }[] = [
    { name: 'clean', input: base, want: [] },
    { name: 'weak EC', input: { ...base, key: { algorithm: 'ecdsa', bits: 224 } }, want: ['weak-ec'] },
    { name: 'CN matches SAN case-insensitively', input: { ...base, commonNames: ['A.Example'] }, want: [] },
    { name: 'IP CN in IP SAN', input: { ...base, san: ['IP:10.0.0.1'], commonNames: ['10.0.0.1'] }, want: [] },
    { name: 'no EKU extension on a certificate', input: { ...base, extendedKeyUsage: undefined }, want: ['no-server-auth-eku'] },
    { name: 'no EKU on a CSR is normal', input: { ...base, kind: 'csr', extendedKeyUsage: undefined }, want: [] },
    { name: 'anyExtendedKeyUsage is enough', input: { ...base, extendedKeyUsage: ['anyExtendedKeyUsage'] }, want: [] },
    { name: 'CA certificates skip name rules', input: { ...base, isCa: true, san: undefined }, want: [] },
    { name: 'sha1WithRSAEncryption', input: { ...base, signatureAlgorithm: 'sha1WithRSAEncryption' }, want: ['sha1-signature'] },
    { name: 'sha256 is not sha1', input: { ...base, signatureAlgorithm: 'sha256WithRSAEncryption' }, want: [] },
    { name: 'CSR with a bad signature', input: { ...base, kind: 'csr', signatureValid: false }, want: ['csr-signature-invalid'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const input = { ...c.input };
      if ('extendedKeyUsage' in input && input.extendedKeyUsage === undefined) delete input.extendedKeyUsage;
      expect(lint(input).map((f) => f.code)).toEqual(c.want);
    });
  }
});

describe('inspect over several files', () => {
  it('keeps file and index per item and runs chain checks per file', async () => {
    const items: DecodedItem[] = [...(await decodeFile(pki().path('leaf.key'))), ...(await decodeFile(pki().path('reversed.pem')))];
    const got = inspect(items);
    expect(got.map((i) => [i.kind, i.index])).toEqual([['private-key', 0], ['certificate', 0], ['certificate', 1], ['certificate', 2]]);
    expect(got[1]!.findings.map((f) => f.code)).toContain('chain-out-of-order');
  });
});
