import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureAlgorithmName, signedParts } from '../../src/core/pki/signature.js';
import { openssl, tempDir } from '../helpers/openssl.js';

const t = tempDir('certbench-signature-');
afterAll(() => t.cleanup());

const KEYS: Record<string, string[]> = {
  'rsa.key': ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
  'pss.key': ['-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048'],
  'ec.key': ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  'ed25519.key': ['-algorithm', 'ED25519'],
  'ed448.key': ['-algorithm', 'ED448'],
};

beforeAll(() => {
  // A config of our own, so the host's openssl.cnf cannot add anything.
  writeFileSync(t.path('req.cnf'), '[req]\ndistinguished_name = dn\n[dn]\n');
  for (const [name, args] of Object.entries(KEYS)) {
    openssl(['genpkey', ...args, '-out', t.path(name)]);
    chmodSync(t.path(name), 0o600);
  }
});

// DER of a self-signed certificate (or CSR) made by openssl, and the name openssl prints for its signature.
function made(kind: 'x509' | 'req', key: string, args: string[]): { der: Uint8Array; opensslName: string } {
  const out = t.path(`${kind}-${key}-${args.join('_').replace(/[^a-z0-9]/gi, '')}.der`);
  const cnf = t.path('req.cnf');
  openssl(['req', '-new', ...(kind === 'x509' ? ['-x509', '-days', '1'] : []), '-config', cnf, '-key', t.path(key), '-subj', '/CN=sig.example.net', '-outform', 'DER', '-out', out, ...args]);
  const text = openssl([kind, '-inform', 'DER', '-in', out, '-noout', '-text']);
  // The last "Signature Algorithm" line is the outer AlgorithmIdentifier, the one the signature was made with.
  const names = [...text.matchAll(/Signature Algorithm: (\S+)/g)].map((m) => m[1]!);
  return { der: new Uint8Array(readFileSync(out)), opensslName: names[names.length - 1]! };
}

describe('signatureAlgorithmName', () => {
  const cases: { name: string; kind: 'x509' | 'req'; key: string; args: string[]; want: string }[] = [
    { name: 'RSA, MD5', kind: 'x509', key: 'rsa.key', args: ['-md5'], want: 'md5WithRSAEncryption' },
    { name: 'RSA, SHA-1', kind: 'x509', key: 'rsa.key', args: ['-sha1'], want: 'sha1WithRSAEncryption' },
    { name: 'RSA, SHA-224', kind: 'x509', key: 'rsa.key', args: ['-sha224'], want: 'sha224WithRSAEncryption' },
    { name: 'RSA, SHA-256', kind: 'x509', key: 'rsa.key', args: ['-sha256'], want: 'sha256WithRSAEncryption' },
    { name: 'RSA, SHA-384', kind: 'x509', key: 'rsa.key', args: ['-sha384'], want: 'sha384WithRSAEncryption' },
    { name: 'RSA, SHA-512', kind: 'x509', key: 'rsa.key', args: ['-sha512'], want: 'sha512WithRSAEncryption' },
    { name: 'RSA key, PSS padding', kind: 'x509', key: 'rsa.key', args: ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32'], want: 'rsassaPss' },
    { name: 'RSA-PSS key', kind: 'x509', key: 'pss.key', args: [], want: 'rsassaPss' },
    { name: 'RSA-PSS key, SHA-512 CSR', kind: 'req', key: 'pss.key', args: ['-sha512'], want: 'rsassaPss' },
    { name: 'ECDSA, SHA-1', kind: 'x509', key: 'ec.key', args: ['-sha1'], want: 'ecdsa-with-SHA1' },
    { name: 'ECDSA, SHA-224', kind: 'x509', key: 'ec.key', args: ['-sha224'], want: 'ecdsa-with-SHA224' },
    { name: 'ECDSA, SHA-256 CSR', kind: 'req', key: 'ec.key', args: ['-sha256'], want: 'ecdsa-with-SHA256' },
    { name: 'ECDSA, SHA-384', kind: 'x509', key: 'ec.key', args: ['-sha384'], want: 'ecdsa-with-SHA384' },
    { name: 'ECDSA, SHA-512', kind: 'x509', key: 'ec.key', args: ['-sha512'], want: 'ecdsa-with-SHA512' },
    { name: 'Ed25519', kind: 'x509', key: 'ed25519.key', args: [], want: 'ED25519' },
    { name: 'Ed448 CSR', kind: 'req', key: 'ed448.key', args: [], want: 'ED448' },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.want}, as openssl names it, and as signedParts does`, () => {
      const m = made(c.kind, c.key, c.args);
      const parts = signedParts(m.der);
      expect(signatureAlgorithmName(parts.algorithmOid)).toBe(c.want);
      expect(signatureAlgorithmName(parts.algorithmOid)).toBe(m.opensslName);
      expect(parts.algorithmName).toBe(c.want);
    });
  }

  it('an OID without a name comes back as the dotted OID, as openssl prints it', () => {
    expect(signatureAlgorithmName('1.2.840.10045.4.3.9')).toBe('1.2.840.10045.4.3.9');
    expect(signatureAlgorithmName('1.2.156.10197.1.501')).toBe('1.2.156.10197.1.501');
    expect(signatureAlgorithmName('')).toBe('');
  });
});
