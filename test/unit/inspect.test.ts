import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, decodeFile } from '../../src/core/pki/decode.js';
import { inspect, type Inspection } from '../../src/core/pki/inspect.js';
import { describeCsr } from '../../src/core/pki/csr.js';
import { lint } from '../../src/core/pki/lint.js';
import { toPem } from '../../src/core/pki/pem.js';
import { signedParts } from '../../src/core/pki/signature.js';
import type { DecodedItem } from '../../src/core/pki/types.js';
import { openssl, opensslBytes, opensslTry, tempDir } from '../helpers/openssl.js';
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

describe('names and extensions read from the certificate x509 has already parsed', () => {
  const t = tempDir('certbench-inspect-parsed-');
  afterAll(() => t.cleanup());
  beforeAll(() => {
    writeFileSync(t.path('req.cnf'), '[req]\ndistinguished_name = dn\n[dn]\n');
    openssl(['genpkey', '-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', t.path('pss.key')]);
    chmodSync(t.path('pss.key'), 0o600);
  });

  // A self-signed certificate made by openssl (DER), with its extensions from `ext` when given.
  function selfSigned(name: string, keyPath: string, args: string[], ext?: string): Uint8Array {
    const extArgs = ext === undefined ? [] : (writeFileSync(t.path(`${name}.cnf`), `[req]\ndistinguished_name = dn\n[dn]\n[v]\n${ext}`), ['-config', t.path(`${name}.cnf`), '-extensions', 'v']);
    openssl(['req', '-new', '-x509', '-days', '365', ...(ext === undefined ? ['-config', t.path('req.cnf')] : extArgs), '-key', keyPath,
      '-subj', '/CN=sig.example.net', '-outform', 'DER', '-out', t.path(`${name}.der`), ...args]);
    return new Uint8Array(readFileSync(t.path(`${name}.der`)));
  }
  const inspectDer = async (der: Uint8Array): Promise<Inspection> => inspect(await decode(der, { file: 'x.der' }))[0]!;
  // What openssl prints for the outer AlgorithmIdentifier (the last "Signature Algorithm" line).
  const opensslOuterSigAlg = (der: Uint8Array): string => {
    writeFileSync(t.path('probe.der'), der);
    const names = [...openssl(['x509', '-inform', 'DER', '-in', t.path('probe.der'), '-noout', '-text']).matchAll(/Signature Algorithm: (\S+)/g)];
    return names[names.length - 1]![1]!;
  };

  const sigCases: { name: string; key: () => string; args: string[]; want: string }[] = [
    { name: 'RSA, SHA-384', key: () => pki().path('leaf.key'), args: ['-sha384'], want: 'sha384WithRSAEncryption' },
    { name: 'RSA, SHA-512', key: () => pki().path('leaf.key'), args: ['-sha512'], want: 'sha512WithRSAEncryption' },
    { name: 'RSA key signing with PSS padding', key: () => pki().path('leaf.key'), args: ['-sigopt', 'rsa_padding_mode:pss'], want: 'rsassaPss' },
    { name: 'RSA-PSS key', key: () => t.path('pss.key'), args: ['-sha256'], want: 'rsassaPss' },
    { name: 'ECDSA, SHA-224', key: () => pki().path('ec.pkcs8.pem'), args: ['-sha224'], want: 'ecdsa-with-SHA224' },
    { name: 'ECDSA, SHA-512', key: () => pki().path('ec.pkcs8.pem'), args: ['-sha512'], want: 'ecdsa-with-SHA512' },
    { name: 'Ed25519', key: () => pki().path('ed25519.pem'), args: [], want: 'ED25519' },
  ];
  for (const c of sigCases) {
    it(`signature algorithm ${c.want} (${c.name}), as openssl names it`, async () => {
      const der = selfSigned(c.want, c.key(), c.args);
      const i = await inspectDer(der);
      expect(i.signatureAlgorithm).toBe(c.want);
      expect(i.signatureAlgorithm).toBe(opensslOuterSigAlg(der));
      // What the separate parse of the whole certificate, which inspect no longer runs, gives.
      expect(i.signatureAlgorithm).toBe(signedParts(der).algorithmName);
    });
  }

  // The certificate with its outer AlgorithmIdentifier (the last copy of ecdsa-with-SHA384) replaced.
  function withOuterAlgorithm(last: number): Uint8Array {
    const der = Buffer.from(selfSigned('outer', pki().path('ec.pkcs8.pem'), ['-sha384']));
    const oid = Buffer.from('06082a8648ce3d040303', 'hex');
    const at = der.lastIndexOf(oid);
    expect(at).toBeGreaterThan(der.indexOf(oid));
    const out = Buffer.from(der);
    out[at + oid.length - 1] = last;
    return new Uint8Array(out);
  }

  it('the outer signature algorithm is the one reported when it differs from the one inside the signed part', async () => {
    const der = withOuterAlgorithm(0x02);
    const i = await inspectDer(der);
    expect(i.signatureAlgorithm).toBe('ecdsa-with-SHA256');
    expect(opensslOuterSigAlg(der)).toBe('ecdsa-with-SHA256');
  });

  it('an algorithm without a name is shown as its OID, as openssl shows it', async () => {
    const der = withOuterAlgorithm(0x09);
    const i = await inspectDer(der);
    expect(i.signatureAlgorithm).toBe('1.2.840.10045.4.3.9');
    expect(opensslOuterSigAlg(der)).toBe('1.2.840.10045.4.3.9');
  });

  it('long critical SAN with every name form, critical EKU with an unnamed OID, rare key usages', async () => {
    const dns = Array.from({ length: 12 }, (_, n) => `host${n}.a-rather-long-subdomain.example.net`);
    const der = selfSigned('ext', pki().path('leaf.key'), [], [
      `subjectAltName = critical,${dns.map((d) => `DNS:${d}`).join(',')},IP:2001:db8::1,IP:192.0.2.7,email:a@example.net,URI:https://example.net/x,otherName:1.3.6.1.4.1.311.20.2.3;UTF8:user@example.net,RID:1.2.3.4,dirName:dir`,
      'keyUsage = critical,digitalSignature,keyAgreement,encipherOnly,decipherOnly',
      'extendedKeyUsage = critical,clientAuth,1.2.3.4.5,OCSPSigning',
      '[dir]', 'CN = dir name', 'O = x', '',
    ].join('\n'));
    const text = openssl(['x509', '-inform', 'DER', '-in', t.path('ext.der'), '-noout', '-text']);
    expect(text).toMatch(/X509v3 Subject Alternative Name: critical/);
    const i = await inspectDer(der);
    expect(i.san).toEqual([...dns.map((d) => `DNS:${d}`), 'IP:2001:db8::1', 'IP:192.0.2.7', 'email:a@example.net', 'URI:https://example.net/x',
      'UPN:user@example.net', 'RID:1.2.3.4', 'DirName:CN=dir name, O=x']);
    // The DNS, email and URI names in openssl's order.
    const fromOpenssl = /Subject Alternative Name: critical\n\s+(.*)/.exec(text)![1]!.split(', ').filter((n) => /^(DNS|email|URI):/.test(n));
    expect(i.san!.filter((n) => /^(DNS|email|URI):/.test(n))).toEqual(fromOpenssl);
    expect(i.keyUsage).toEqual(['digitalSignature', 'keyAgreement', 'encipherOnly', 'decipherOnly']);
    expect(i.extendedKeyUsage).toEqual(['clientAuth', '1.2.3.4.5', 'OCSPSigning']);
    expect(i.findings.map((f) => f.code)).toContain('no-server-auth-eku');
  });

  it('a certificate without extensions has no SAN, key usage or EKU fields', async () => {
    const i = await inspectDer(selfSigned('noext', pki().path('leaf.key'), []));
    expect(i.san).toBeUndefined();
    expect(i.keyUsage).toBeUndefined();
    expect(i.extendedKeyUsage).toBeUndefined();
    expect(i.findings.map((f) => f.code)).toEqual(['self-signed', 'no-san', 'no-server-auth-eku']);
  });
});

describe('the same certificate in several files', () => {
  const files = ['fullchain.pem', 'reversed.pem', 'chain.pem', 'leaf.crt', 'leaf.p12'];
  const load = async (): Promise<DecodedItem[]> => (await Promise.all(files.map((f) => decodeFile(pki().path(f), { passphrase: PASSPHRASE })))).flat();

  it('each copy reads as it does when its file is inspected alone', async () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const items = await load();
    const together = inspect(items, { now });
    const alone = files.flatMap((f) => inspect(items.filter((i) => i.file === pki().path(f)), { now }));
    expect(together).toEqual(alone);
    // The leaf is in four of the files; the root is first in reversed.pem, where it carries that file's chain finding.
    expect(together.filter((i) => i.subject === together[0]!.subject)).toHaveLength(4);
    const roots = together.filter((i) => i.selfSigned);
    expect(roots.map((r) => r.findings.map((f) => f.code))).toEqual([['self-signed'], ['self-signed', 'chain-out-of-order'], ['self-signed'], ['self-signed']]);
  });

  it('each copy is its own object: changing one inspection leaves the others as they were', async () => {
    const got = inspect(await load());
    const leaves = got.filter((i) => i.subject === got[0]!.subject);
    leaves[0]!.san!.push('DNS:changed.example.net');
    leaves[0]!.key.bits = 1;
    leaves[0]!.findings.push({ severity: 'info', code: 'changed', message: 'changed by the caller' });
    for (const other of leaves.slice(1)) {
      expect(other.san).not.toContain('DNS:changed.example.net');
      expect(other.key.bits).toBe(2048);
      expect(other.findings.map((f) => f.code)).not.toContain('changed');
    }
  });
});
