import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { describeCertificateNames, describeCsr, type San, type SubjectAttr } from '../../src/core/pki/csr.js';
import { parsePem } from '../../src/core/pki/pem.js';
import { openssl, tempDir } from '../helpers/openssl.js';

const PKI = fileURLToPath(new URL('../fixtures/pki/', import.meta.url));
const der = (path: string): Uint8Array => parsePem(readFileSync(path, 'utf8'))[0]!.der;

const tmp = tempDir('certbench-names-');
afterAll(() => tmp.cleanup());

describe('describeCertificateNames', () => {
  const CASES: { name: string; input: string; want: { subject: SubjectAttr[]; sans: San[] } }[] = [
    { name: 'RSA leaf with DNS and IP names', input: 'rsa.crt', want: {
      subject: [{ type: 'C', value: 'US' }, { type: 'ST', value: 'California' }, { type: 'L', value: 'Sunnyvale' },
        { type: 'O', value: 'Certbench Lab' }, { type: 'OU', value: 'Network' }, { type: 'CN', value: 'router1.example.net' }],
      sans: [{ type: 'DNS', value: 'router1.example.net' }, { type: 'DNS', value: 'router1' }, { type: 'IP', value: '192.0.2.1' }] } },
    { name: 'EC leaf', input: 'ec.crt', want: {
      subject: [{ type: 'C', value: 'US' }, { type: 'O', value: 'Certbench Lab' }, { type: 'CN', value: 'apstra.example.net' }],
      sans: [{ type: 'DNS', value: 'apstra.example.net' }, { type: 'IP', value: '192.0.2.2' }] } },
    { name: 'Ed25519 leaf', input: 'ed.crt', want: {
      subject: [{ type: 'C', value: 'US' }, { type: 'O', value: 'Certbench Lab' }, { type: 'CN', value: 'sps.example.net' }],
      sans: [{ type: 'DNS', value: 'sps.example.net' }] } },
    { name: 'self-signed leaf', input: 'selfsigned.crt', want: {
      subject: [{ type: 'CN', value: 'router1.example.net' }], sans: [{ type: 'DNS', value: 'router1.example.net' }] } },
    { name: 'CA without subjectAltName', input: 'root.crt', want: {
      subject: [{ type: 'O', value: 'Certbench Lab' }, { type: 'CN', value: 'Certbench Lab Root CA' }], sans: [] } },
  ];
  for (const c of CASES) {
    it(c.name, () => {
      expect(describeCertificateNames(der(join(PKI, c.input)))).toEqual(c.want);
    });
  }

  it('reads the same names as describeCsr reads from the request the CA signed', () => {
    for (const name of ['rsa', 'ec', 'ed']) {
      const csr = describeCsr(der(join(PKI, `${name}.csr`)));
      expect(describeCertificateNames(der(join(PKI, `${name}.crt`))), name).toEqual({ subject: csr.subject, sans: csr.sans });
    }
  });

  it('reads IPv6, email and URI names and the emailAddress attribute of an OpenSSL-made certificate, skipping other attribute types', () => {
    openssl(['req', '-x509', '-new', '-key', join(PKI, 'rsa.key'), '-config', join(PKI, 'req.cnf'), '-days', '1',
      '-subj', '/CN=v6.example.net/serialNumber=42/emailAddress=ops@example.net',
      '-addext', 'subjectAltName=DNS:v6.example.net,IP:2001:db8:0:0:0:0:0:1,email:ops@example.net,URI:https://v6.example.net/',
      '-out', tmp.path('v6.crt')]);
    expect(describeCertificateNames(der(tmp.path('v6.crt')))).toEqual({
      subject: [{ type: 'CN', value: 'v6.example.net' }, { type: 'emailAddress', value: 'ops@example.net' }],
      sans: [{ type: 'DNS', value: 'v6.example.net' }, { type: 'IP', value: '2001:db8::1' }, { type: 'email', value: 'ops@example.net' },
        { type: 'URI', value: 'https://v6.example.net/' }],
    });
  });

  it('refuses a CSR and bytes that are no certificate with unknown-content', () => {
    for (const input of [der(join(PKI, 'rsa.csr')), new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]), new Uint8Array(0)]) {
      let err: unknown;
      try { describeCertificateNames(input); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).code).toBe('unknown-content');
      expect((err as InputError).message).toMatch(/not an X\.509 certificate/);
    }
  });
});
