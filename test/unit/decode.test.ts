import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decode, decodeFile, publicKeyOf, spkiSha256 } from '../../src/core/pki/decode.js';
import { toPem } from '../../src/core/pki/pem.js';
import { MAX_INPUT_BYTES, type DecodedItem } from '../../src/core/pki/types.js';
import { InputError } from '../../src/core/errors.js';
import { opensslCertSpkiSha256, opensslKeySpkiSha256, PASSPHRASE, usePki } from '../helpers/fixtures.js';

const pki = usePki();

type Want = { kinds: string[]; container?: string; encodings?: string[] };

// Each fixture decodes to these kinds, in file order.
const fixtures: { name: string; file: string; passphrase?: string; want: Want }[] = [
  { name: 'root CA PEM', file: 'root.crt', want: { kinds: ['certificate'], container: 'pem' } },
  { name: 'leaf PEM', file: 'leaf.crt', want: { kinds: ['certificate'], container: 'pem' } },
  { name: 'leaf DER', file: 'leaf.crt.der', want: { kinds: ['certificate'], container: 'der' } },
  { name: 'TRUSTED CERTIFICATE with aux data', file: 'leaf.trusted.pem', want: { kinds: ['certificate'] } },
  { name: 'expired', file: 'expired.crt', want: { kinds: ['certificate'] } },
  { name: 'self-signed', file: 'selfsigned.crt', want: { kinds: ['certificate'] } },
  { name: 'sha1', file: 'sha1.crt', want: { kinds: ['certificate'] } },
  { name: 'full chain', file: 'fullchain.pem', want: { kinds: ['certificate', 'certificate', 'certificate'] } },
  { name: 'full chain CRLF', file: 'fullchain.crlf.pem', want: { kinds: ['certificate', 'certificate', 'certificate'] } },
  { name: 'Bag Attributes (pkcs12 -nodes)', file: 'bag.pem', want: { kinds: ['certificate', 'certificate', 'certificate', 'private-key'], encodings: ['pkcs8'] } },
  { name: 'PKCS#12', file: 'leaf.p12', passphrase: PASSPHRASE, want: { kinds: ['private-key', 'certificate', 'certificate', 'certificate'], container: 'pkcs12', encodings: ['pkcs12'] } },
  { name: 'CSR PEM', file: 'leaf.csr', want: { kinds: ['csr'], container: 'pem' } },
  { name: 'CSR DER', file: 'leaf.csr.der', want: { kinds: ['csr'], container: 'der' } },
  { name: 'NEW CERTIFICATE REQUEST label', file: 'leaf.newreq.pem', want: { kinds: ['csr'] } },
  { name: 'PKCS#8 PEM', file: 'leaf.key', want: { kinds: ['private-key'], encodings: ['pkcs8'] } },
  { name: 'PKCS#1 PEM', file: 'leaf.pkcs1.pem', want: { kinds: ['private-key'], encodings: ['pkcs1'] } },
  { name: 'PKCS#1 PEM CRLF', file: 'leaf.pkcs1.crlf.pem', want: { kinds: ['private-key'], encodings: ['pkcs1'] } },
  { name: 'PKCS#8 DER', file: 'leaf.pkcs8.der', want: { kinds: ['private-key'], container: 'der', encodings: ['pkcs8'] } },
  { name: 'PKCS#1 DER', file: 'leaf.pkcs1.der', want: { kinds: ['private-key'], container: 'der', encodings: ['pkcs1'] } },
  { name: 'encrypted PKCS#8 PEM', file: 'leaf.enc.pem', passphrase: PASSPHRASE, want: { kinds: ['private-key'], encodings: ['pkcs8-encrypted'] } },
  { name: 'encrypted PKCS#8 DER', file: 'leaf.enc.der', passphrase: PASSPHRASE, want: { kinds: ['private-key'], container: 'der', encodings: ['pkcs8-encrypted'] } },
  { name: 'legacy Proc-Type encrypted RSA PEM', file: 'leaf.legacy.pem', passphrase: PASSPHRASE, want: { kinds: ['private-key'], encodings: ['pkcs1'] } },
  { name: 'SEC1 PEM with EC PARAMETERS', file: 'ec.sec1.pem', want: { kinds: ['private-key'], encodings: ['sec1'] } },
  { name: 'SEC1 DER', file: 'ec.sec1.der', want: { kinds: ['private-key'], container: 'der', encodings: ['sec1'] } },
  { name: 'EC PKCS#8 PEM', file: 'ec.pkcs8.pem', want: { kinds: ['private-key'], encodings: ['pkcs8'] } },
  { name: 'Ed25519 PKCS#8 PEM', file: 'ed25519.pem', want: { kinds: ['private-key'], encodings: ['pkcs8'] } },
  { name: 'SPKI PEM', file: 'leaf.pub.pem', want: { kinds: ['public-key'] } },
  { name: 'SPKI DER', file: 'leaf.pub.der', want: { kinds: ['public-key'], container: 'der' } },
  { name: 'RSA PUBLIC KEY PEM', file: 'leaf.rsapub.pem', want: { kinds: ['public-key'] } },
  { name: 'passphrase given but not needed', file: 'leaf.key', passphrase: 'unused', want: { kinds: ['private-key'] } },
];

async function errorOf(f: () => Promise<unknown>): Promise<InputError> {
  let err: unknown;
  try {
    await f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(InputError);
  return err as InputError;
}

describe('decode fixtures', () => {
  for (const c of fixtures) {
    it(c.name, async () => {
      const items = await decodeFile(pki().path(c.file), c.passphrase === undefined ? {} : { passphrase: c.passphrase });
      expect(items.map((i) => i.kind)).toEqual(c.want.kinds);
      expect(items.map((i) => i.index)).toEqual(c.want.kinds.map((_, i) => i));
      expect(items.every((i) => i.file === pki().path(c.file))).toBe(true);
      const container = c.want.container;
      if (container) expect(items.map((i) => i.container)).toEqual(c.want.kinds.map(() => container));
      if (c.want.encodings) {
        expect(items.flatMap((i) => (i.kind === 'private-key' ? [i.encoding] : []))).toEqual(c.want.encodings);
      }
    });
  }

  it('PEM text passed as a string decodes the same as bytes', async () => {
    const fromText = await decode(pki().text('fullchain.pem'), { file: 'pasted' });
    expect(fromText.map((i) => i.kind)).toEqual(['certificate', 'certificate', 'certificate']);
    expect(fromText[0]!.file).toBe('pasted');
  });

  it('base64 pasted without BEGIN/END lines is read as DER', async () => {
    const items = await decode(pki().read('leaf.crt.der').toString('base64'), { file: 'pasted' });
    expect(items.map((i) => i.kind)).toEqual(['certificate']);
  });
});

describe('spkiSha256 against OpenSSL', () => {
  // Every encoding of one key, and its certificate and CSR, have the public key OpenSSL computes.
  const groups: { name: string; oracle: string; files: string[] }[] = [
    { name: 'RSA leaf key', oracle: 'leaf.key',
      files: ['leaf.key', 'leaf.pkcs1.pem', 'leaf.pkcs1.crlf.pem', 'leaf.pkcs8.der', 'leaf.pkcs1.der', 'leaf.enc.pem', 'leaf.enc.der',
        'leaf.legacy.pem', 'leaf.pub.pem', 'leaf.pub.der', 'leaf.rsapub.pem', 'leaf.crt', 'leaf.crt.der', 'leaf.csr', 'leaf.csr.der', 'leaf.p12', 'bag.pem'] },
    { name: 'EC key', oracle: 'ec.sec1.pem', files: ['ec.sec1.pem', 'ec.sec1.der', 'ec.pkcs8.pem', 'selfsigned.crt', 'selfsigned.csr'] },
    { name: 'Ed25519 key', oracle: 'ed25519.pem', files: ['ed25519.pem'] },
  ];
  for (const g of groups) {
    it(`${g.name}: openssl pkey -pubout -outform DER | sha256`, async () => {
      const want = opensslKeySpkiSha256(pki().path(g.oracle));
      expect(want).toMatch(/^[0-9a-f]{64}$/);
      for (const f of g.files) {
        const items = await decodeFile(pki().path(f), { passphrase: PASSPHRASE });
        // In bundles, the leaf certificate and the key are the ones of this key pair.
        const mine = items.filter((i) => i.kind !== 'certificate' || i === items.find((x) => x.kind === 'certificate'));
        expect(mine.length, f).toBeGreaterThan(0);
        for (const i of mine) expect(spkiSha256(i), `${f} #${i.index}`).toBe(want);
      }
    });
  }

  it('certificates: openssl x509 -pubkey | openssl pkey -pubin -outform DER | sha256', async () => {
    for (const f of ['root.crt', 'int.crt', 'leaf.crt', 'expired.crt', 'sha1.crt', 'nosan.crt', 'clientonly.crt', 'selfsigned.crt']) {
      const [item] = await decodeFile(pki().path(f));
      expect(spkiSha256(item!), f).toBe(opensslCertSpkiSha256(pki().path(f)));
    }
  });

  it('a different key gives a different hash', async () => {
    const [a] = await decodeFile(pki().path('leaf.key'));
    const [b] = await decodeFile(pki().path('other.key'));
    expect(spkiSha256(a!)).not.toBe(spkiSha256(b!));
  });

  it('publicKeyOf returns public KeyObjects for every kind', async () => {
    const items: DecodedItem[] = [
      ...(await decodeFile(pki().path('leaf.crt'))), ...(await decodeFile(pki().path('leaf.csr'))),
      ...(await decodeFile(pki().path('leaf.key'))), ...(await decodeFile(pki().path('leaf.pub.pem'))),
    ];
    for (const i of items) expect(publicKeyOf(i).type).toBe('public');
  });
});

describe('bad input', () => {
  const pemCert = (): string => pki().text('leaf.crt');
  const der = (): Buffer => pki().read('leaf.crt.der');
  const cases: { name: string; input: () => Uint8Array | string; passphrase?: string; want: string }[] = [
    { name: 'empty', input: () => new Uint8Array(), want: 'empty' },
    { name: 'only whitespace', input: () => ' \r\n\t\n', want: 'empty' },
    { name: 'PEM cut short (no END line)', input: () => pemCert().slice(0, pemCert().length / 2), want: 'truncated' },
    { name: 'PEM whose DER is cut short', input: () => toPem('CERTIFICATE', der().subarray(0, 300)), want: 'truncated' },
    { name: 'DER cut short', input: () => der().subarray(0, 300), want: 'truncated' },
    { name: 'encrypted PKCS#8 DER cut short', input: () => pki().read('leaf.enc.der').subarray(0, 200), passphrase: PASSPHRASE, want: 'truncated' },
    { name: 'bad base64', input: () => pemCert().replace(/(-----BEGIN CERTIFICATE-----\r?\n)./, '$1*'), want: 'bad-base64' },
    { name: 'text junk', input: () => Buffer.from('hello, this is not a certificate\n'), want: 'unknown-content' },
    { name: 'text starting with "0" (0x30, the DER SEQUENCE tag)', input: () => '0123 is not a certificate\n', want: 'unknown-content' },
    { name: 'binary junk', input: () => new Uint8Array([0x00, 0xff, 0x13, 0x37, 0x42, 0x99, 0x10, 0x01]), want: 'unknown-content' },
    { name: 'DER of something else', input: () => new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x05]), want: 'unknown-content' },
    { name: 'PEM block of a valid-base64 non-certificate', input: () => toPem('CERTIFICATE', new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x05])), want: 'unknown-content' },
    { name: 'only EC PARAMETERS', input: () => pki().text('ec.sec1.pem').split('-----BEGIN EC PRIVATE KEY')[0]!, want: 'unknown-content' },
    { name: 'unsupported PEM label', input: () => toPem('PKCS7', der()), want: 'unsupported' },
    { name: 'over 1 MiB', input: () => new Uint8Array(MAX_INPUT_BYTES + 1).fill(0x41), want: 'too-large' },
    { name: 'over 1 MiB of text', input: () => 'A'.repeat(MAX_INPUT_BYTES + 1), want: 'too-large' },
    { name: 'encrypted PKCS#8 PEM, wrong passphrase', input: () => pki().read('leaf.enc.pem'), passphrase: 'wrong', want: 'wrong-passphrase' },
    { name: 'encrypted PKCS#8 DER, wrong passphrase', input: () => pki().read('leaf.enc.der'), passphrase: 'wrong', want: 'wrong-passphrase' },
    { name: 'legacy encrypted PEM, wrong passphrase', input: () => pki().read('leaf.legacy.pem'), passphrase: 'wrong', want: 'wrong-passphrase' },
    { name: 'PKCS#12, wrong passphrase', input: () => pki().read('leaf.p12'), passphrase: 'wrong', want: 'wrong-passphrase' },
    { name: 'encrypted PKCS#8 PEM, no passphrase', input: () => pki().read('leaf.enc.pem'), want: 'passphrase-required' },
    { name: 'encrypted PKCS#8 DER, no passphrase', input: () => pki().read('leaf.enc.der'), want: 'passphrase-required' },
    { name: 'legacy encrypted PEM, no passphrase', input: () => pki().read('leaf.legacy.pem'), want: 'passphrase-required' },
    { name: 'PKCS#12, no passphrase', input: () => pki().read('leaf.p12'), want: 'passphrase-required' },
  ];
  for (const c of cases) {
    it(`${c.name} -> ${c.want} (bytes)`, async () => {
      const p = { file: 'bad-input.pem', ...(c.passphrase === undefined ? {} : { passphrase: c.passphrase }) };
      const err = await errorOf(() => decode(c.input(), p));
      expect(err.code).toBe(c.want);
      expect(err.message).toMatch(/^bad-input\.pem: /);
      expect(err.file).toBe('bad-input.pem');
      expect(err.message).not.toMatch(/\n\s+at /);
    });
    it(`${c.name} -> ${c.want} (file)`, async () => {
      const path = pki().path(`bad-${c.name.replace(/[^a-z0-9]+/gi, '-')}.bin`);
      const input = c.input();
      writeFileSync(path, typeof input === 'string' ? input : Buffer.from(input));
      const err = await errorOf(() => decodeFile(path, c.passphrase === undefined ? {} : { passphrase: c.passphrase }));
      expect(err.code).toBe(c.want);
      expect(err.message.startsWith(`${path}: `)).toBe(true);
    });
  }

  it('a missing file -> not-found naming it', async () => {
    const err = await errorOf(() => decodeFile(pki().path('no-such-file.pem')));
    expect(err.code).toBe('not-found');
    expect(err.message).toContain('no-such-file.pem');
  });

  it('a directory -> invalid-value', async () => {
    const err = await errorOf(() => decodeFile(pki().dir));
    expect(err.code).toBe('invalid-value');
  });

  it('no key material in error messages', async () => {
    const keyPem = pki().text('leaf.pkcs1.pem');
    const broken = keyPem.replace(/-----END RSA PRIVATE KEY-----/, '-----END RSA PRIVATE KEY');
    const err = await errorOf(() => decode(broken, { file: 'k.pem' }));
    const body = keyPem.split('\n')[1]!;
    expect(err.message).not.toContain(body.slice(0, 20));
  });
});
