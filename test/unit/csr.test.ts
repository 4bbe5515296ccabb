import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCsr, describeCsr, parseSan, parseSubject, validateSan, type San, type SubjectAttr } from '../../src/core/pki/csr.js';
import { InputError } from '../../src/core/errors.js';
import { parsePem } from '../../src/core/pki/pem.js';
import { openssl, opensslTry, tempDir } from '../helpers/openssl.js';

function errorOf(f: () => unknown): InputError {
  let err: unknown;
  try { f(); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(InputError);
  return err as InputError;
}

async function asyncErrorOf(f: () => Promise<unknown>): Promise<InputError> {
  let err: unknown;
  try { await f(); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(InputError);
  return err as InputError;
}

const keys: Record<string, KeyObject> = {};
const tmp = tempDir('certbench-csr-');
beforeAll(() => {
  keys.rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  keys.p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  keys.p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
  keys.ed25519 = generateKeyPairSync('ed25519').privateKey;
  for (const [name, key] of Object.entries(keys)) writeFileSync(tmp.path(`${name}.key`), key.export({ type: 'pkcs8', format: 'pem' }));
});
afterAll(() => tmp.cleanup());

// Deliberately not the usual C..CN order, so the test sees that order is kept.
const subject: SubjectAttr[] = [
  { type: 'O', value: 'Juniper' },
  { type: 'OU', value: 'IT' },
  { type: 'OU', value: 'Net Ops' },
  { type: 'C', value: 'US' },
  { type: 'ST', value: 'CA' },
  { type: 'L', value: 'Sunnyvale' },
  { type: 'CN', value: 'apstra.example.com' },
  { type: 'emailAddress', value: 'pki@example.com' },
];
const sans: San[] = [
  { type: 'DNS', value: 'apstra.example.com' },
  { type: 'IP', value: '10.0.0.10' },
  { type: 'IP', value: '2001:db8::10' },
  { type: 'email', value: 'admin@example.com' },
  { type: 'URI', value: 'https://apstra.example.com/ui' },
  { type: 'DNS', value: '*.apstra.example.com' },
];

describe('buildCsr', () => {
  const cases: { name: string; key: string; want: { sig: string; ku: string[]; kuText: string } }[] = [
    { name: 'RSA 2048', key: 'rsa', want: { sig: 'sha256WithRSAEncryption', ku: ['digitalSignature', 'keyEncipherment'], kuText: 'Digital Signature, Key Encipherment' } },
    { name: 'ECDSA P-256', key: 'p256', want: { sig: 'ecdsa-with-SHA256', ku: ['digitalSignature'], kuText: 'Digital Signature' } },
    { name: 'ECDSA P-384', key: 'p384', want: { sig: 'ecdsa-with-SHA384', ku: ['digitalSignature'], kuText: 'Digital Signature' } },
    { name: 'Ed25519', key: 'ed25519', want: { sig: 'ED25519', ku: ['digitalSignature'], kuText: 'Digital Signature' } },
  ];
  for (const c of cases) {
    it(`${c.name}: OpenSSL verifies it and reads back subject, SANs, KU, EKU`, async () => {
      const csr = await buildCsr({ key: keys[c.key]!, subject, sans });
      expect(parsePem(csr.pem)[0]!.label).toBe('CERTIFICATE REQUEST');
      expect(parsePem(csr.pem)[0]!.der).toEqual(csr.der);
      const v = opensslTry(['req', '-verify', '-noout'], csr.pem);
      expect(v.status).toBe(0);
      expect(v.stdout + v.stderr).toMatch(/verify OK/);
      const text = openssl(['req', '-noout', '-text'], csr.pem);
      expect(text).toContain('Subject: O = Juniper, OU = IT, OU = Net Ops, C = US, ST = CA, L = Sunnyvale, CN = apstra.example.com, emailAddress = pki@example.com');
      expect(text).toContain('DNS:apstra.example.com, IP Address:10.0.0.10, IP Address:2001:DB8:0:0:0:0:0:10, email:admin@example.com, URI:https://apstra.example.com/ui, DNS:*.apstra.example.com');
      expect(text).toMatch(new RegExp(`X509v3 Key Usage: critical\\s+${c.want.kuText}\\n`));
      expect(text).toMatch(/X509v3 Extended Key Usage: \s*\n\s+TLS Web Server Authentication\n/);
      expect(text).toContain(`Signature Algorithm: ${c.want.sig}`);
      // OpenSSL's own string types: C PrintableString, emailAddress IA5String, the rest UTF8String.
      const asn = openssl(['asn1parse', '-inform', 'DER'], csr.der);
      expect(asn).toMatch(/PRINTABLESTRING\s+:US/);
      expect(asn).toMatch(/IA5STRING\s+:pki@example.com/);
      expect(asn).toMatch(/UTF8STRING\s+:Juniper/);

      const d = describeCsr(csr.der);
      expect(d.subject).toEqual(subject);
      expect(d.sans).toEqual(sans);
      expect(d.keyUsage).toEqual(c.want.ku);
      expect(d.extendedKeyUsage).toEqual(['serverAuth']);
      expect(d.signatureAlgorithm).toBe(c.want.sig);
      expect(d.signatureValid).toBe(true);
    });
  }

  it('explicit usages: [] leaves key usage out, EKU names and OIDs are kept', async () => {
    const csr = await buildCsr({ key: keys.p256!, subject: [{ type: 'CN', value: 'client' }], sans: [], keyUsage: [], extendedKeyUsage: ['clientAuth', 'serverAuth', '1.3.6.1.4.1.99999.1'] });
    const text = openssl(['req', '-noout', '-text'], csr.pem);
    expect(text).not.toContain('Key Usage: critical');
    expect(text).not.toContain('Subject Alternative Name');
    expect(text).toContain('TLS Web Client Authentication, TLS Web Server Authentication, 1.3.6.1.4.1.99999.1');
    const d = describeCsr(csr.der);
    expect(d.keyUsage).toEqual([]);
    expect(d.sans).toEqual([]);
    expect(d.extendedKeyUsage).toEqual(['clientAuth', 'serverAuth', '1.3.6.1.4.1.99999.1']);
  });

  it('non-ASCII subject values and an IDN hostname', async () => {
    const csr = await buildCsr({ key: keys.p256!, subject: [{ type: 'L', value: 'Zürich' }, { type: 'CN', value: 'bücher.example' }], sans: [parseSan('DNS:bücher.example')] });
    expect(opensslTry(['req', '-verify', '-noout'], csr.pem).status).toBe(0);
    const text = openssl(['req', '-noout', '-text', '-nameopt', 'utf8'], csr.pem);
    expect(text).toContain('Subject: L=Zürich, CN=bücher.example');
    expect(text).toContain('DNS:xn--bcher-kva.example');
  });

  const bad: { name: string; params: () => Parameters<typeof buildCsr>[0]; want: string }[] = [
    { name: 'public key', params: () => ({ key: generateKeyPairSync('ed25519').publicKey, subject, sans }), want: 'wrong-kind' },
    { name: 'empty subject', params: () => ({ key: keys.p256!, subject: [], sans }), want: 'invalid-value' },
    { name: 'bad SAN', params: () => ({ key: keys.p256!, subject, sans: [{ type: 'DNS', value: 'bad host!' }] }), want: 'invalid-value' },
    { name: 'bad subject value', params: () => ({ key: keys.p256!, subject: [{ type: 'CN', value: 'x`id`' }], sans }), want: 'invalid-value' },
    { name: 'unknown key usage', params: () => ({ key: keys.p256!, subject, sans, keyUsage: ['signEverything'] }), want: 'invalid-value' },
    { name: 'unknown EKU', params: () => ({ key: keys.p256!, subject, sans, extendedKeyUsage: ['webServer'] }), want: 'invalid-value' },
    { name: 'DSA key', params: () => ({ key: generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 224 }).privateKey, subject, sans }), want: 'unsupported' },
  ];
  for (const c of bad) {
    it(`refuses: ${c.name}`, async () => {
      const err = await asyncErrorOf(() => buildCsr(c.params()));
      expect(err.code).toBe(c.want);
    });
  }
});

describe('describeCsr', () => {
  const cases: { name: string; key: string; md: string; want: string }[] = [
    { name: 'RSA sha256', key: 'rsa', md: '-sha256', want: 'sha256WithRSAEncryption' },
    { name: 'RSA sha512', key: 'rsa', md: '-sha512', want: 'sha512WithRSAEncryption' },
    { name: 'P-256', key: 'p256', md: '-sha256', want: 'ecdsa-with-SHA256' },
    { name: 'P-384 sha384', key: 'p384', md: '-sha384', want: 'ecdsa-with-SHA384' },
    { name: 'Ed25519', key: 'ed25519', md: '', want: 'ED25519' },
  ];
  for (const c of cases) {
    it(`reads an OpenSSL-made CSR (${c.name}) and checks its signature`, () => {
      const args = ['req', '-new', '-key', tmp.path(`${c.key}.key`), '-subj', '/C=US/O=Org, Inc./CN=host.example', '-addext', 'subjectAltName=DNS:host.example,IP:::ffff:10.1.2.3', '-outform', 'DER'];
      if (c.md) args.push(c.md);
      openssl([...args, '-out', tmp.path(`${c.key}.csr`)]);
      const bytes = new Uint8Array(readFileSync(tmp.path(`${c.key}.csr`)));
      const d = describeCsr(bytes);
      expect(d.subject).toEqual([{ type: 'C', value: 'US' }, { type: 'O', value: 'Org, Inc.' }, { type: 'CN', value: 'host.example' }]);
      expect(d.sans).toEqual([{ type: 'DNS', value: 'host.example' }, { type: 'IP', value: '::ffff:10.1.2.3' }]);
      expect(d.signatureAlgorithm).toBe(c.want);
      expect(d.signatureValid).toBe(true);
      // Flip a bit inside the subject: the signature must no longer verify.
      const tampered = new Uint8Array(bytes);
      const at = Buffer.from(tampered).indexOf('host.example');
      tampered[at] = tampered[at]! ^ 0x01;
      expect(describeCsr(tampered).signatureValid).toBe(false);
    });
  }

  it('reads an RSA-PSS signed CSR', () => {
    const pem = openssl(['req', '-new', '-key', tmp.path('rsa.key'), '-subj', '/CN=pss', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32', '-sha256']);
    const d = describeCsr(parsePem(pem)[0]!.der);
    expect(d.signatureAlgorithm).toBe('rsassaPss');
    expect(d.signatureValid).toBe(true);
  });

  it('refuses bytes that are not a CSR', () => {
    expect(errorOf(() => describeCsr(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x05]))).code).toBe('unknown-content');
    expect(errorOf(() => describeCsr(new Uint8Array([1, 2, 3]))).code).toBe('unknown-content');
  });
});

describe('parseSubject', () => {
  const cases: { name: string; input: string; want: [string, string][] | { error: string } }[] = [
    { name: 'comma form', input: 'C=US,O=Org,CN=host', want: [['C', 'US'], ['O', 'Org'], ['CN', 'host']] },
    { name: 'slash form (openssl -subj)', input: '/C=US/O=Org/CN=host', want: [['C', 'US'], ['O', 'Org'], ['CN', 'host']] },
    { name: 'order kept, spaces around', input: ' CN = host , O = Org ,  C = us ', want: [['CN', 'host'], ['O', 'Org'], ['C', 'US']] },
    {
      name: 'long names',
      input: 'countryName=US,stateOrProvinceName=CA,localityName=Sunnyvale,organizationName=Juniper,organizationalUnitName=IT,commonName=apstra.example.com,emailAddress=pki@example.com',
      want: [['C', 'US'], ['ST', 'CA'], ['L', 'Sunnyvale'], ['O', 'Juniper'], ['OU', 'IT'], ['CN', 'apstra.example.com'], ['emailAddress', 'pki@example.com']],
    },
    { name: 'names in any case, E alias', input: 'cn=host,o=Org,E=a@b.example', want: [['CN', 'host'], ['O', 'Org'], ['emailAddress', 'a@b.example']] },
    { name: 'escaped comma', input: 'O=Example\\, Inc.,CN=host', want: [['O', 'Example, Inc.'], ['CN', 'host']] },
    { name: 'comma is literal in slash form', input: '/O=Example, Inc./CN=host', want: [['O', 'Example, Inc.'], ['CN', 'host']] },
    { name: 'escaped slash in slash form', input: '/O=A\\/B/CN=host', want: [['O', 'A/B'], ['CN', 'host']] },
    { name: 'escaped equals, backslash, plus', input: 'O=a\\=b \\\\ c\\+d', want: [['O', 'a=b \\ c+d']] },
    { name: 'RFC 4514 hex pairs', input: 'O=Caf\\C3\\A9\\2C Ltd,CN=h', want: [['O', 'Café, Ltd'], ['CN', 'h']] },
    { name: 'repeated OU', input: 'OU=a,OU=b,CN=h', want: [['OU', 'a'], ['OU', 'b'], ['CN', 'h']] },
    { name: 'unescaped "=" in value', input: 'CN=a=b', want: [['CN', 'a=b']] },
    { name: 'CN of 64 characters', input: `CN=${'a'.repeat(64)}`, want: [['CN', 'a'.repeat(64)]] },
    { name: 'CN of 65 characters', input: `CN=${'a'.repeat(65)}`, want: { error: 'invalid-value' } },
    { name: 'empty', input: '   ', want: { error: 'invalid-value' } },
    { name: 'no "="', input: 'C=US,hostname', want: { error: 'invalid-value' } },
    { name: 'unknown type', input: 'DC=com,CN=h', want: { error: 'invalid-value' } },
    { name: 'country of 3 letters', input: 'C=USA,CN=h', want: { error: 'invalid-value' } },
    { name: 'empty value', input: 'O=,CN=h', want: { error: 'invalid-value' } },
    { name: 'empty component', input: 'C=US,,CN=h', want: { error: 'invalid-value' } },
    { name: 'trailing comma', input: 'C=US,CN=h,', want: { error: 'invalid-value' } },
    { name: 'control character', input: 'CN=a\u0007b', want: { error: 'invalid-value' } },
    { name: 'escaped newline via hex', input: 'CN=a\\0Ab', want: { error: 'invalid-value' } },
    { name: 'backtick', input: 'CN=`reboot`', want: { error: 'invalid-value' } },
    { name: 'command substitution', input: 'CN=$(reboot)', want: { error: 'invalid-value' } },
    { name: 'semicolon', input: 'O=a; rm -rf /', want: { error: 'invalid-value' } },
    { name: 'lone trailing backslash', input: 'CN=host\\', want: { error: 'invalid-value' } },
    { name: 'invalid UTF-8 hex', input: 'CN=\\C3\\28', want: { error: 'invalid-value' } },
    { name: 'bad emailAddress', input: 'emailAddress=not-an-email', want: { error: 'invalid-value' } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      if ('error' in c.want) {
        const err = errorOf(() => parseSubject(c.input, '--subject'));
        expect(err.code).toBe(c.want.error);
        expect(err.message).toMatch(/^--subject: /);
        expect(err.file).toBe('--subject');
      } else {
        expect(parseSubject(c.input).map((a) => [a.type, a.value])).toEqual(c.want);
      }
    });
  }

  it('slash form means what openssl -subj means', async () => {
    const text = '/C=US/ST=CA/L=Sunnyvale/O=Example, Inc./OU=IT/OU=Lab/CN=host.example.com';
    const ours = describeCsr((await buildCsr({ key: keys.p256!, subject: parseSubject(text), sans: [] })).der);
    const theirs = describeCsr(parsePem(openssl(['req', '-new', '-key', tmp.path('p256.key'), '-subj', text]))[0]!.der);
    expect(ours.subject).toEqual(theirs.subject);
  });
});

describe('parseSan / validateSan', () => {
  const cases: { name: string; input: string; want: [string, string] | { error: string; shows?: string } }[] = [
    { name: 'DNS', input: 'DNS:apstra.example.com', want: ['DNS', 'apstra.example.com'] },
    { name: 'DNS lower-cased, trailing dot dropped', input: 'dns:Host.Example.COM.', want: ['DNS', 'host.example.com'] },
    { name: 'DNS single label', input: 'DNS:apstra', want: ['DNS', 'apstra'] },
    { name: 'DNS wildcard', input: 'DNS:*.example.com', want: ['DNS', '*.example.com'] },
    { name: 'DNS IDN to punycode', input: 'DNS:bücher.example', want: ['DNS', 'xn--bcher-kva.example'] },
    { name: 'IPv4', input: 'IP:10.0.0.1', want: ['IP', '10.0.0.1'] },
    { name: 'IPv6 compressed', input: 'IP:2001:db8::1', want: ['IP', '2001:db8::1'] },
    { name: 'IPv6 normalised (RFC 5952)', input: 'IP:2001:0DB8:0000:0000:0000:0000:0000:0001', want: ['IP', '2001:db8::1'] },
    { name: 'IPv6 longest zero run', input: 'IP:1:0:0:2:0:0:0:3', want: ['IP', '1:0:0:2::3'] },
    { name: 'IPv6 loopback', input: 'IP:::1', want: ['IP', '::1'] },
    { name: 'IPv4-mapped IPv6', input: 'IP:::FFFF:10.0.0.1', want: ['IP', '::ffff:10.0.0.1'] },
    { name: '"IP Address:" as openssl prints it', input: 'IP Address:192.0.2.1', want: ['IP', '192.0.2.1'] },
    { name: 'email', input: 'email:Admin@Example.com', want: ['email', 'Admin@example.com'] },
    { name: 'URI', input: 'URI:https://apstra.example.com/path?a=1&b=2#top', want: ['URI', 'https://apstra.example.com/path?a=1&b=2#top'] },
    { name: 'control character', input: 'DNS:a\u0007b.example', want: { error: 'invalid-value', shows: '\\u0007' } },
    { name: 'bidi override', input: 'DNS:a\u202eb.example', want: { error: 'invalid-value', shows: '\\u202e' } },
    { name: 'space and "!"', input: 'DNS:bad host!', want: { error: 'invalid-value', shows: 'bad host!' } },
    { name: '"!" without space', input: 'DNS:badhost!', want: { error: 'invalid-value', shows: 'badhost!' } },
    { name: 'IPv4 out of range', input: 'IP:999.1.1.1', want: { error: 'invalid-value', shows: '999.1.1.1' } },
    { name: 'IPv4 as DNS', input: 'DNS:999.1.1.1', want: { error: 'invalid-value', shows: '999.1.1.1' } },
    { name: 'IPv4 leading zero', input: 'IP:010.0.0.1', want: { error: 'invalid-value' } },
    { name: 'IPv4 three parts', input: 'IP:10.0.1', want: { error: 'invalid-value' } },
    { name: 'IPv6 too many groups', input: 'IP:1:2:3:4:5:6:7:8:9', want: { error: 'invalid-value' } },
    { name: 'IPv6 two "::"', input: 'IP:1::2::3', want: { error: 'invalid-value' } },
    { name: 'IPv6 zone', input: 'IP:fe80::1%eth0', want: { error: 'invalid-value' } },
    { name: 'hostname as IP', input: 'IP:host.example', want: { error: 'invalid-value' } },
    { name: 'empty DNS', input: 'DNS:', want: { error: 'invalid-value' } },
    { name: 'empty string', input: '', want: { error: 'invalid-value' } },
    { name: 'no type', input: 'host.example.com', want: { error: 'invalid-value' } },
    { name: 'unknown type', input: 'RID:1.2.3', want: { error: 'invalid-value' } },
    { name: 'wildcard over TLD', input: 'DNS:*.com', want: { error: 'invalid-value' } },
    { name: 'wildcard not leftmost', input: 'DNS:a.*.example.com', want: { error: 'invalid-value' } },
    { name: 'partial wildcard', input: 'DNS:web*.example.com', want: { error: 'invalid-value' } },
    { name: 'underscore', input: 'DNS:my_host.example.com', want: { error: 'invalid-value' } },
    { name: 'hyphen at label start', input: 'DNS:-host.example.com', want: { error: 'invalid-value' } },
    { name: 'empty label', input: 'DNS:host..example.com', want: { error: 'invalid-value' } },
    { name: 'label of 64', input: `DNS:${'a'.repeat(64)}.example`, want: { error: 'invalid-value' } },
    { name: 'shell metacharacters in DNS', input: 'DNS:$(reboot).example.com', want: { error: 'invalid-value' } },
    { name: 'semicolon in DNS', input: 'DNS:a.example;reboot', want: { error: 'invalid-value' } },
    { name: 'email without @', input: 'email:admin.example.com', want: { error: 'invalid-value' } },
    { name: 'email with space', input: 'email:a b@example.com', want: { error: 'invalid-value' } },
    { name: 'email with backtick', input: 'email:`id`@example.com', want: { error: 'invalid-value' } },
    { name: 'email wildcard domain', input: 'email:a@*.example.com', want: { error: 'invalid-value' } },
    { name: 'URI without scheme', input: 'URI:apstra.example.com/ui', want: { error: 'invalid-value' } },
    { name: 'URI with space', input: 'URI:https://x.example/a b', want: { error: 'invalid-value' } },
    { name: 'URI with backtick', input: 'URI:https://x.example/`id`', want: { error: 'invalid-value' } },
    { name: 'URI bad percent', input: 'URI:https://x.example/%zz', want: { error: 'invalid-value' } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      if (Array.isArray(c.want)) {
        const san = parseSan(c.input);
        expect([san.type, san.value]).toEqual(c.want);
        // Normalisation is stable.
        expect(validateSan(san)).toEqual(san);
      } else {
        const err = errorOf(() => parseSan(c.input));
        expect(err.code).toBe(c.want.error);
        if (c.want.shows) expect(err.message).toContain(c.want.shows);
      }
    });
  }

  it('validateSan refuses an unknown type', () => {
    expect(errorOf(() => validateSan({ type: 'RID' as 'DNS', value: '1.2.3' })).code).toBe('invalid-value');
  });

  it('the message says why', () => {
    expect(errorOf(() => parseSan('IP:999.1.1.1')).message).toMatch(/not a valid IPv4 address/);
    expect(errorOf(() => parseSan('DNS:*.com')).message).toMatch(/wildcard/);
  });
});
