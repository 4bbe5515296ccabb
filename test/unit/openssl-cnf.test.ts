import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCsr, describeCsr } from '../../src/core/pki/csr.js';
import { opensslReqCommand, parseOpensslCnf, templateVariables, writeOpensslCnf, type CsrTemplate } from '../../src/core/pki/openssl-cnf.js';
import { InputError } from '../../src/core/errors.js';
import { parsePem } from '../../src/core/pki/pem.js';
import { openssl, opensslTry, tempDir } from '../helpers/openssl.js';

const TEMPLATES = join(import.meta.dirname, '../../resources/templates');

function errorOf(f: () => unknown): InputError {
  let err: unknown;
  try { f(); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(InputError);
  return err as InputError;
}

const tmp = tempDir('certbench-cnf-');
const keys: Record<string, KeyObject> = {};
beforeAll(() => {
  keys.rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  keys.p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  for (const [name, key] of Object.entries(keys)) writeFileSync(tmp.path(`${name}.key`), key.export({ type: 'pkcs8', format: 'pem' }));
});
afterAll(() => tmp.cleanup());

let n = 0;
/** Runs `openssl req -new -key K -config CNF` and describes the CSR it makes. */
function opensslReq(cnf: string, key = 'p256'): ReturnType<typeof describeCsr> {
  const path = tmp.path(`c${n++}.cnf`);
  writeFileSync(path, cnf);
  // -batch takes the _default values in prompt mode instead of asking.
  const pem = openssl(['req', '-new', '-batch', '-key', tmp.path(`${key}.key`), '-config', path]);
  return describeCsr(parsePem(pem)[0]!.der);
}

/** The same four things, as read from a CSR or a template. */
function fields(t: Pick<CsrTemplate, 'subject' | 'sans' | 'keyUsage' | 'extendedKeyUsage'>): unknown {
  return { subject: t.subject, sans: t.sans, keyUsage: t.keyUsage, extendedKeyUsage: t.extendedKeyUsage };
}

// Fills placeholders textually, as an engineer would before running openssl by hand.
function fill(text: string, vars: Record<string, string>): string {
  return text.replace(/\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g, (_m, k: string) => vars[k]!);
}

const KB37299 = `[req]
distinguished_name = req_distinguished_name
req_extensions = req_ext
prompt = no
[req_distinguished_name]
C = US
ST = CA
L = Sunnyvale
O = Juniper
OU = IT
CN = apstra.example.com
[req_ext]
subjectAltName = @alt_names
[alt_names]
DNS.1 = apstra.example.com
IP.1 = 10.0.0.10
`;

describe('parseOpensslCnf: configs OpenSSL also reads', () => {
  const cases: { name: string; input: string; vars?: Record<string, string>; want: Partial<CsrTemplate> }[] = [
    {
      name: 'KB37299 example',
      input: KB37299,
      want: {
        subject: [{ type: 'C', value: 'US' }, { type: 'ST', value: 'CA' }, { type: 'L', value: 'Sunnyvale' }, { type: 'O', value: 'Juniper' }, { type: 'OU', value: 'IT' }, { type: 'CN', value: 'apstra.example.com' }],
        sans: [{ type: 'DNS', value: 'apstra.example.com' }, { type: 'IP', value: '10.0.0.10' }],
        keyUsage: [], extendedKeyUsage: [],
      },
    },
    {
      name: 'long names, comments, spaces, defaults',
      input: `# Apstra server
HOME     = .
RANDFILE = $ENV::HOME/.rnd
[ req ]
default_keyfile    = $ENV::HOME/unused.key
default_bits       = 4096   # bigger
default_md         = sha384
utf8               = yes
prompt             = no
distinguished_name = dn
req_extensions     = v3_req
x509_extensions    = v3_ca

# the subject
[ dn ]
countryName            = DE
stateOrProvinceName    = Bayern
localityName           = München
organizationName       = "Example GmbH # not a comment"
organizationalUnitName = Net\\#Ops
commonName             = host.example.de
emailAddress           = pki@example.de

[ v3_req ]
basicConstraints = CA:FALSE
keyUsage         = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectAltName   = @alt

[ alt ]
DNS.1   = host.example.de
DNS.2   = *.host.example.de
IP.1    = 192.0.2.7
IP.2    = 2001:DB8::7
email.1 = pki@example.de
URI.1   = https://host.example.de/

[ v3_ca ]
basicConstraints = critical, CA:TRUE

[ ca ]
dir = $ENV::HOME/ca
`,
      want: {
        subject: [
          { type: 'C', value: 'DE' }, { type: 'ST', value: 'Bayern' }, { type: 'L', value: 'München' },
          { type: 'O', value: 'Example GmbH # not a comment' }, { type: 'OU', value: 'Net#Ops' },
          { type: 'CN', value: 'host.example.de' }, { type: 'emailAddress', value: 'pki@example.de' },
        ],
        sans: [
          { type: 'DNS', value: 'host.example.de' }, { type: 'DNS', value: '*.host.example.de' }, { type: 'IP', value: '192.0.2.7' },
          { type: 'IP', value: '2001:db8::7' }, { type: 'email', value: 'pki@example.de' }, { type: 'URI', value: 'https://host.example.de/' },
        ],
        keyUsage: ['digitalSignature', 'keyEncipherment'],
        extendedKeyUsage: ['serverAuth', 'clientAuth'],
        defaultBits: 4096,
        defaultMd: 'sha384',
      },
    },
    {
      name: 'inline SAN list, repeated OU with prefixes, continuation line',
      input: `[req]
prompt=no
distinguished_name=dn
req_extensions=ext
[dn]
0.OU=Lab
1.OU=Net Ops
CN=a.example
[ext]
subjectAltName=DNS:a.example, IP:10.1.1.1, \\
  email:ops@a.example,URI:urn:example:a
keyUsage=digitalSignature
`,
      want: {
        subject: [{ type: 'OU', value: 'Lab' }, { type: 'OU', value: 'Net Ops' }, { type: 'CN', value: 'a.example' }],
        sans: [{ type: 'DNS', value: 'a.example' }, { type: 'IP', value: '10.1.1.1' }, { type: 'email', value: 'ops@a.example' }, { type: 'URI', value: 'urn:example:a' }],
        keyUsage: ['digitalSignature'],
        extendedKeyUsage: [],
      },
    },
    {
      name: 'prompt mode: the _default values are the subject',
      input: `[req]
distinguished_name = dn
[dn]
countryName = Country Name (2 letter code)
countryName_default = US
countryName_min = 2
countryName_max = 2
organizationName = Organization
organizationName_default = Acme
organizationalUnitName = Unit (no default: skipped)
commonName = Common Name
commonName_default = acme.example
`,
      want: { subject: [{ type: 'C', value: 'US' }, { type: 'O', value: 'Acme' }, { type: 'CN', value: 'acme.example' }], sans: [] },
    },
    {
      name: 'placeholders filled',
      input: KB37299.replace('CN = apstra.example.com', 'CN = {{fqdn}}').replace('DNS.1 = apstra.example.com', 'DNS.1 = {{ fqdn }}').replace('10.0.0.10', '{{ip}}'),
      vars: { fqdn: 'aos.lab.example', ip: '2001:db8::5', unused: 'x' },
      want: { sans: [{ type: 'DNS', value: 'aos.lab.example' }, { type: 'IP', value: '2001:db8::5' }] },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = parseOpensslCnf(c.input, c.vars, 'in.cnf');
      expect(got).toMatchObject(c.want);
      // OpenSSL is the oracle: the same config through `openssl req` gives the same request.
      const theirs = opensslReq(c.vars ? fill(c.input, c.vars) : c.input, 'p256');
      expect(fields(got)).toEqual(fields(theirs));
    });
  }

  it('";" comment lines are accepted (OpenSSL itself would refuse them)', () => {
    const t = parseOpensslCnf(`; comment\n${KB37299}`, {}, 'in.cnf');
    expect(t.subject.at(-1)).toEqual({ type: 'CN', value: 'apstra.example.com' });
    expect(opensslTry(['req', '-new', '-key', tmp.path('p256.key'), '-config', '/dev/stdin'], `; comment\n${KB37299}`).status).not.toBe(0);
  });
});

describe('parseOpensslCnf: refused configs', () => {
  const base = (dn: string, alt = 'DNS.1 = a.example'): string =>
    `[req]\nprompt = no\ndistinguished_name = dn\nreq_extensions = ext\n[dn]\n${dn}\n[ext]\nsubjectAltName = @alt\n[alt]\n${alt}\n`;
  const cases: { name: string; input: string; vars?: Record<string, string>; want: string; shows?: string }[] = [
    { name: 'empty file', input: ' \n\n', want: 'empty' },
    { name: 'too large', input: `# ${'x'.repeat(1024 * 1024)}`, want: 'too-large' },
    { name: 'binary', input: 'a\u0000b', want: 'unknown-content' },
    { name: 'missing placeholder', input: base('CN = {{fqdn}}'), vars: {}, want: 'invalid-value', shows: '{{fqdn}}' },
    { name: 'two missing placeholders named', input: base('CN = {{fqdn}}', 'IP.1 = {{ip}}'), vars: {}, want: 'invalid-value', shows: '{{fqdn}}, {{ip}}' },
    { name: 'malformed placeholder', input: base('CN = {{bad name}}'), want: 'invalid-value', shows: 'placeholder' },
    { name: 'placeholder in a name', input: base('{{attr}} = x'), want: 'invalid-value' },
    { name: '$ENV::HOME expansion', input: base('CN = $ENV::HOME'), want: 'invalid-value', shows: '$ENV::HOME' },
    { name: '${var} expansion', input: base('CN = ${host}'), want: 'invalid-value', shows: '${host}' },
    { name: '$var expansion in a SAN', input: base('CN = a', 'DNS.1 = $host.example'), want: 'invalid-value', shows: '$host' },
    { name: 'expansion in [req]', input: '[req]\nprompt=no\ndistinguished_name = $dn\n[dn]\nCN=a\n', want: 'invalid-value' },
    { name: 'escaped $ still refused in a name', input: base('CN = a\\$b'), want: 'invalid-value' },
    { name: 'backticks in CN', input: base('CN = `reboot`'), want: 'invalid-value' },
    { name: '$( in a placeholder value', input: base('CN = {{cn}}'), vars: { cn: '$(reboot)' }, want: 'invalid-value' },
    { name: 'semicolon in O', input: base('CN = a\nO = x; reboot'), want: 'invalid-value' },
    { name: 'semicolon in DNS', input: base('CN = a', 'DNS.1 = a.example;reboot'), want: 'invalid-value' },
    { name: 'pipe in DNS', input: base('CN = a', 'DNS.1 = a.example|sh'), want: 'invalid-value' },
    { name: 'newline injected through a placeholder', input: base('CN = {{cn}}'), vars: { cn: 'a\n[req]\nprompt = yes' }, want: 'invalid-value' },
    { name: 'escaped newline in a value', input: base('CN = a\\nb'), want: 'invalid-value', shows: 'line 6' },
    { name: 'control character on a line', input: base('CN = a\u0007b'), want: 'invalid-value', shows: 'line 6' },
    { name: 'bad IP', input: base('CN = a', 'IP.1 = 999.1.1.1'), want: 'invalid-value', shows: 'line 10' },
    { name: 'bad hostname', input: base('CN = a', 'DNS.1 = bad host!'), want: 'invalid-value' },
    { name: 'unknown SAN type', input: base('CN = a', 'FOO.1 = x'), want: 'invalid-value' },
    { name: 'dirName SAN', input: base('CN = a', 'dirName.1 = dir_sect'), want: 'unsupported' },
    { name: 'email:copy', input: base('CN = a', 'email.1 = copy'), want: 'unsupported' },
    { name: 'unknown DN attribute', input: base('CN = a\nserialNumber = 1'), want: 'unsupported' },
    { name: 'multi-valued RDN', input: base('CN = a\n+OU = b'), want: 'unsupported' },
    { name: 'CN set twice', input: base('CN = a\nCN = b'), want: 'invalid-value', shows: 'twice' },
    { name: 'empty CN', input: base('CN ='), want: 'invalid-value' },
    { name: 'non-ASCII without utf8 = yes', input: base('L = München\nCN = a'), want: 'invalid-value', shows: 'utf8 = yes' },
    { name: 'CN too long', input: base(`CN = ${'a'.repeat(65)}`), want: 'invalid-value' },
    { name: 'no [req]', input: '[dn]\nCN = a\n', want: 'invalid-value' },
    { name: 'no distinguished_name', input: '[req]\nprompt = no\n', want: 'invalid-value' },
    { name: 'dn section missing', input: '[req]\nprompt = no\ndistinguished_name = nowhere\n', want: 'invalid-value', shows: 'nowhere' },
    { name: 'alt section missing', input: base('CN = a').replace('@alt', '@gone'), want: 'invalid-value', shows: 'gone' },
    { name: 'no subject values', input: '[req]\nprompt = no\ndistinguished_name = dn\n[dn]\n', want: 'invalid-value' },
    { name: 'line without "="', input: base('CN a'), want: 'invalid-value', shows: 'line 6' },
    { name: 'malformed section header', input: `${base('CN = a')}[oops\n`, want: 'invalid-value' },
    { name: '.include', input: `.include /etc/ssl/openssl.cnf\n${base('CN = a')}`, want: 'unsupported' },
    { name: 'unsupported extension', input: base('CN = a').replace('[ext]\n', '[ext]\nnsComment = hi\n'), want: 'unsupported' },
    { name: 'CA:TRUE', input: base('CN = a').replace('[ext]\n', '[ext]\nbasicConstraints = CA:TRUE\n'), want: 'unsupported' },
    { name: 'unknown key usage', input: base('CN = a').replace('[ext]\n', '[ext]\nkeyUsage = everything\n'), want: 'invalid-value' },
    { name: 'bad default_md', input: base('CN = a').replace('prompt = no', 'prompt = no\ndefault_md = md4'), want: 'invalid-value' },
    { name: 'bad default_bits', input: base('CN = a').replace('prompt = no', 'prompt = no\ndefault_bits = lots'), want: 'invalid-value' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const err = errorOf(() => parseOpensslCnf(c.input, c.vars ?? {}, 'evil.cnf'));
      expect(err.code).toBe(c.want);
      expect(err.message).toMatch(/^evil\.cnf: /);
      expect(err.file).toBe('evil.cnf');
      if (c.shows) expect(err.message).toContain(c.shows);
    });
  }
});

describe('templateVariables', () => {
  const cases: { name: string; input: string; want: string[] }[] = [
    { name: 'in order, each once', input: '[dn]\nCN = {{fqdn}}\nO = {{ org }}\n[alt]\nDNS.1 = {{fqdn}}\nIP.1 = {{ip}}\n', want: ['fqdn', 'org', 'ip'] },
    { name: 'comments do not count', input: '# use {{nothing}}\n[dn]\nCN = {{cn}} # or {{other}}\n', want: ['cn'] },
    { name: 'none', input: KB37299, want: [] },
    { name: 'broken config still lists them', input: '[dn\nCN = {{cn}}\n', want: ['cn'] },
  ];
  for (const c of cases) it(c.name, () => expect(templateVariables(c.input)).toEqual(c.want));
});

describe('writeOpensslCnf round trip through openssl req', () => {
  const cases: { name: string; key: string; input: CsrTemplate }[] = [
    {
      name: 'KB37299 subject, all SAN types, RSA',
      key: 'rsa',
      input: {
        subject: [{ type: 'C', value: 'US' }, { type: 'ST', value: 'CA' }, { type: 'L', value: 'Sunnyvale' }, { type: 'O', value: 'Juniper' }, { type: 'OU', value: 'IT' }, { type: 'CN', value: 'apstra.example.com' }],
        sans: [{ type: 'DNS', value: 'apstra.example.com' }, { type: 'IP', value: '10.0.0.10' }, { type: 'IP', value: '2001:db8::10' }, { type: 'DNS', value: 'apstra' }, { type: 'email', value: 'pki@example.com' }, { type: 'URI', value: 'https://apstra.example.com/' }],
        keyUsage: ['digitalSignature', 'keyEncipherment'],
        extendedKeyUsage: ['serverAuth'],
      },
    },
    {
      name: 'awkward characters, repeated OU, non-ASCII, EC',
      key: 'p256',
      input: {
        subject: [
          { type: 'O', value: `O'Reilly "Net" & Sons #1 \\ A+B, C=D` }, { type: 'OU', value: 'Lab' }, { type: 'OU', value: 'Ops' },
          { type: 'L', value: 'Zürich' }, { type: 'CN', value: 'host.example.ch' }, { type: 'emailAddress', value: 'a@example.ch' },
        ],
        sans: [{ type: 'URI', value: "https://x.example/a;b=$c?d=1&e='f'#frag" }, { type: 'IP', value: '::ffff:10.0.0.1' }, { type: 'DNS', value: '*.example.ch' }],
        keyUsage: ['digitalSignature'],
        extendedKeyUsage: ['serverAuth', 'clientAuth', '1.3.6.1.4.1.99999.7'],
        defaultMd: 'sha256',
      },
    },
    {
      name: 'no extensions at all',
      key: 'p256',
      input: { subject: [{ type: 'CN', value: 'bare' }], sans: [], keyUsage: [], extendedKeyUsage: [], defaultBits: 3072 },
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const cnf = writeOpensslCnf(c.input);
      const theirs = opensslReq(cnf, c.key);
      expect(theirs.signatureValid).toBe(true);
      const ours = describeCsr((await buildCsr({ key: keys[c.key]!, ...c.input })).der);
      expect(fields(theirs)).toEqual(fields(ours));
      expect(fields(theirs)).toEqual(fields(c.input));
      // And we read back what we wrote.
      expect(parseOpensslCnf(cnf, {}, 'out.cnf')).toEqual(c.input);
    });
  }

  const bad: { name: string; input: CsrTemplate }[] = [
    { name: 'empty subject', input: { subject: [], sans: [], keyUsage: [], extendedKeyUsage: [] } },
    { name: 'shell metacharacters in a value', input: { subject: [{ type: 'CN', value: 'a$(id)' }], sans: [], keyUsage: [], extendedKeyUsage: [] } },
    { name: 'newline in a value', input: { subject: [{ type: 'CN', value: 'a\n[req]' }], sans: [], keyUsage: [], extendedKeyUsage: [] } },
    { name: 'bad SAN', input: { subject: [{ type: 'CN', value: 'a' }], sans: [{ type: 'IP', value: '999.1.1.1' }], keyUsage: [], extendedKeyUsage: [] } },
    { name: 'bad default_md', input: { subject: [{ type: 'CN', value: 'a' }], sans: [], keyUsage: [], extendedKeyUsage: [], defaultMd: 'sha256; id' } },
  ];
  for (const c of bad) it(`refuses: ${c.name}`, () => expect(errorOf(() => writeOpensslCnf(c.input)).code).toBe('invalid-value'));
});

describe('shipped templates', () => {
  const files = readdirSync(TEMPLATES).filter((f) => f.endsWith('.cnf'));
  it('there are some', () => expect(files.length).toBeGreaterThanOrEqual(2));
  const sample: Record<string, string> = {
    country: 'US', state: 'CA', locality: 'Sunnyvale', organization: 'Juniper', unit: 'IT',
    fqdn: 'apstra.lab.example', hostname: 'apstra', domain: 'lab.example', ip: '10.0.0.10', mgmt_ip: '10.0.0.1',
  };
  for (const f of files) {
    it(`${f}: placeholders fill and OpenSSL agrees`, () => {
      const text = readFileSync(join(TEMPLATES, f), 'utf8');
      const names = templateVariables(text);
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) expect(sample).toHaveProperty(name);
      const t = parseOpensslCnf(text, sample, f);
      expect(t.sans.length).toBeGreaterThan(0);
      expect(t.extendedKeyUsage).toEqual(['serverAuth']);
      expect(fields(opensslReq(fill(text, sample), 'rsa'))).toEqual(fields(t));
      const missing = errorOf(() => parseOpensslCnf(text, {}, f));
      expect(missing.code).toBe('invalid-value');
      expect(missing.message).toContain(`{{${names[0]!}}}`);
    });
  }
});

describe('opensslReqCommand', () => {
  const cases: { name: string; input: { keyPath: string; configPath: string; csrPath: string }; want: string | { error: string } }[] = [
    { name: 'plain paths bare', input: { keyPath: 'nginx.key', configPath: 'openssl-san.cnf', csrPath: 'nginx.csr' }, want: 'openssl req -new -key nginx.key -config openssl-san.cnf -out nginx.csr' },
    { name: 'spaces and quotes', input: { keyPath: 'my key.pem', configPath: "it's.cnf", csrPath: '/tmp/a b/c.csr' }, want: `openssl req -new -key 'my key.pem' -config 'it'\\''s.cnf' -out '/tmp/a b/c.csr'` },
    { name: 'metacharacters quoted', input: { keyPath: '$(id).key', configPath: '`x`.cnf', csrPath: 'a;b.csr' }, want: `openssl req -new -key '$(id).key' -config '\`x\`.cnf' -out 'a;b.csr'` },
    { name: 'leading dash', input: { keyPath: '-k.pem', configPath: 'c.cnf', csrPath: 'o.csr' }, want: 'openssl req -new -key ./-k.pem -config c.cnf -out o.csr' },
    { name: 'newline refused', input: { keyPath: 'a\nb', configPath: 'c', csrPath: 'o' }, want: { error: 'invalid-value' } },
    { name: 'empty refused', input: { keyPath: '', configPath: 'c', csrPath: 'o' }, want: { error: 'invalid-value' } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      if (typeof c.want === 'string') expect(opensslReqCommand(c.input)).toBe(c.want);
      else expect(errorOf(() => opensslReqCommand(c.input)).code).toBe(c.want.error);
    });
  }

  it('runs under sh with awkward file names', () => {
    const dir = tempDir('certbench-cmd-');
    try {
      const key = "k ey's $(x).pem";
      const cnf = 'c;f`g`.cnf';
      const out = 'o u t.csr';
      writeFileSync(join(dir.dir, key), keys.p256!.export({ type: 'pkcs8', format: 'pem' }));
      writeFileSync(join(dir.dir, cnf), writeOpensslCnf({ subject: [{ type: 'CN', value: 'sh.example' }], sans: [{ type: 'DNS', value: 'sh.example' }], keyUsage: [], extendedKeyUsage: ['serverAuth'] }));
      const r = spawnSync('sh', ['-c', opensslReqCommand({ keyPath: key, configPath: cnf, csrPath: out })], { cwd: dir.dir, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(existsSync(join(dir.dir, out))).toBe(true);
      const d = describeCsr(parsePem(readFileSync(join(dir.dir, out), 'utf8'))[0]!.der);
      expect(d.subject).toEqual([{ type: 'CN', value: 'sh.example' }]);
    } finally {
      dir.cleanup();
    }
  });
});
