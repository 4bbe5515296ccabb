import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { openssl, opensslBytes, opensslTry, tempDir } from './openssl.js';

/** The one passphrase every encrypted fixture (PKCS#8, legacy PEM, PKCS#12) uses; the space is on purpose. */
export const PASSPHRASE = 'fixture pass';

/** An OpenSSL-made PKI in a temp dir. File names are listed in {@link buildPki}. */
export interface Pki {
  dir: string;
  path: (name: string) => string;
  read: (name: string) => Buffer;
  text: (name: string) => string;
  /** Why `weak.crt` / `weak.key` (RSA-1024) could not be made, or undefined when they exist. */
  weakRsaSkip?: string;
  cleanup: () => void;
}

// A config of our own, so the host's openssl.cnf cannot add extensions behind our back.
const REQ_CNF = '[req]\ndistinguished_name = dn\n[dn]\n';

const CA_CNF = (dir: string): string => `[ca]
default_ca = ca_default
[ca_default]
database = ${dir}/index.txt
new_certs_dir = ${dir}
serial = ${dir}/serial.txt
default_md = sha256
policy = pol
copy_extensions = copy
unique_subject = no
[pol]
commonName = supplied
`;

const LEAF_EXT = (san: string | undefined, eku = 'serverAuth'): string =>
  [
    '[v3]',
    'basicConstraints = critical,CA:FALSE',
    'keyUsage = critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage = ${eku}`,
    ...(san ? [`subjectAltName = ${san}`] : []),
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid',
  ].join('\n') + '\n';

/**
 * Builds the fixture PKI with OpenSSL (a few seconds; call once per test file).
 *
 * Certificates (PEM unless `.der`): root.crt (self-signed CA), int.crt (CA, signed by root),
 * leaf.crt/leaf.crt.der (CN+SAN host.example.com, serverAuth, signed by int, key leaf.key),
 * expired.crt (2020-2021, signed by int), selfsigned.crt (EC, SAN, serverAuth),
 * sha1.crt (ecdsa-with-SHA1 by int), weak.crt (RSA-1024 by int, may be skipped), nosan.crt,
 * cnmismatch.crt (CN other.example.com, SAN host.example.com), clientonly.crt (EKU clientAuth),
 * leaf.trusted.pem (TRUSTED CERTIFICATE with aux data).
 * Bundles: fullchain.pem (leaf, int, root), fullchain.crlf.pem, reversed.pem (root, int, leaf),
 * missing-int.pem (leaf, root), chain.pem (int, root), leaf.p12 (key + leaf + int + root),
 * bag.pem (`openssl pkcs12 -nodes` output with Bag Attributes: key and three certificates).
 * CSRs: leaf.csr, leaf.csr.der, leaf.newreq.pem (NEW CERTIFICATE REQUEST label), other.csr (other.key).
 * Keys of leaf (RSA-2048): leaf.key (PKCS#8 PEM), leaf.pkcs1.pem, leaf.pkcs1.crlf.pem, leaf.pkcs8.der,
 * leaf.pkcs1.der, leaf.enc.pem / leaf.enc.der (encrypted PKCS#8), leaf.legacy.pem (Proc-Type encrypted),
 * leaf.pub.pem / leaf.pub.der (SPKI), leaf.rsapub.pem (RSA PUBLIC KEY).
 * EC key of selfsigned.crt: ec.sec1.pem (with EC PARAMETERS), ec.sec1.der, ec.pkcs8.pem.
 * Others: ed25519.pem, other.key (a second RSA-2048 key).
 */
export function buildPki(): Pki {
  const t = tempDir('certbench-pki-');
  const p = t.path;
  const run = (args: string[], input?: string): string => openssl(args, input);
  const write = (name: string, text: string): void => writeFileSync(p(name), text);
  write('req.cnf', REQ_CNF);
  write('ca.cnf', CA_CNF(t.dir));
  write('index.txt', '');
  write('serial.txt', '1000\n');

  const csr = (key: string, subj: string, out: string, extra: string[] = []): void =>
    void run(['req', '-new', '-config', p('req.cnf'), '-key', p(key), '-subj', subj, '-out', p(out), ...extra]);
  let serial = 1;
  const sign = (o: { csr: string; out: string; ext: string; caCrt?: string; caKey?: string; selfKey?: string; md?: string; days?: string }): void => {
    const extName = `${o.out}.ext`;
    write(extName, o.ext);
    const signer = o.selfKey ? ['-signkey', p(o.selfKey)] : ['-CA', p(o.caCrt!), '-CAkey', p(o.caKey!)];
    run(['x509', '-req', '-in', p(o.csr), ...signer, '-set_serial', String(serial++), '-days', o.days ?? '825',
      `-${o.md ?? 'sha256'}`, '-extfile', p(extName), '-extensions', 'v3', '-out', p(o.out)]);
  };

  // Root and intermediate: EC P-256 so the fixture builds fast.
  run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', p('root.key')]);
  csr('root.key', '/O=Certbench Test/CN=Certbench Test Root CA', 'root.csr');
  sign({ csr: 'root.csr', out: 'root.crt', selfKey: 'root.key', days: '3650',
    ext: '[v3]\nbasicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\nsubjectKeyIdentifier = hash\n' });
  run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', p('int.key')]);
  csr('int.key', '/O=Certbench Test/CN=Certbench Test Intermediate CA', 'int.csr');
  sign({ csr: 'int.csr', out: 'int.crt', caCrt: 'root.crt', caKey: 'root.key', days: '3650',
    ext: '[v3]\nbasicConstraints = critical,CA:TRUE,pathlen:0\nkeyUsage = critical,keyCertSign,cRLSign\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n' });
  const byInt = { caCrt: 'int.crt', caKey: 'int.key' };

  // The leaf key in every encoding.
  run(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', p('leaf.key')]);
  run(['rsa', '-in', p('leaf.key'), '-traditional', '-out', p('leaf.pkcs1.pem')]);
  run(['rsa', '-in', p('leaf.key'), '-traditional', '-outform', 'DER', '-out', p('leaf.pkcs1.der')]);
  run(['pkcs8', '-topk8', '-nocrypt', '-in', p('leaf.key'), '-outform', 'DER', '-out', p('leaf.pkcs8.der')]);
  run(['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', p('leaf.key'), '-passout', `pass:${PASSPHRASE}`, '-out', p('leaf.enc.pem')]);
  run(['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', p('leaf.key'), '-passout', `pass:${PASSPHRASE}`, '-outform', 'DER', '-out', p('leaf.enc.der')]);
  run(['rsa', '-in', p('leaf.key'), '-aes256', '-traditional', '-passout', `pass:${PASSPHRASE}`, '-out', p('leaf.legacy.pem')]);
  run(['pkey', '-in', p('leaf.key'), '-pubout', '-out', p('leaf.pub.pem')]);
  run(['pkey', '-in', p('leaf.key'), '-pubout', '-outform', 'DER', '-out', p('leaf.pub.der')]);
  run(['rsa', '-in', p('leaf.key'), '-RSAPublicKey_out', '-out', p('leaf.rsapub.pem')]);
  write('leaf.pkcs1.crlf.pem', readFileSync(p('leaf.pkcs1.pem'), 'utf8').replace(/\n/g, '\r\n'));

  const leafSan = 'DNS:host.example.com,DNS:www.example.com,IP:192.0.2.10';
  csr('leaf.key', '/C=US/O=Certbench Test/CN=host.example.com', 'leaf.csr',
    ['-addext', `subjectAltName=${leafSan}`, '-addext', 'extendedKeyUsage=serverAuth']);
  run(['req', '-in', p('leaf.csr'), '-outform', 'DER', '-out', p('leaf.csr.der')]);
  write('leaf.newreq.pem', readFileSync(p('leaf.csr'), 'utf8').replace(/CERTIFICATE REQUEST/g, 'NEW CERTIFICATE REQUEST'));
  sign({ csr: 'leaf.csr', out: 'leaf.crt', ...byInt, ext: LEAF_EXT(leafSan) });
  run(['x509', '-in', p('leaf.crt'), '-outform', 'DER', '-out', p('leaf.crt.der')]);
  run(['x509', '-in', p('leaf.crt'), '-trustout', '-addtrust', 'serverAuth', '-out', p('leaf.trusted.pem')]);

  // A second key, for mismatches.
  run(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', p('other.key')]);
  csr('other.key', '/CN=host.example.com', 'other.csr', ['-addext', 'subjectAltName=DNS:host.example.com']);

  // EC key as `openssl ecparam -genkey` writes it (EC PARAMETERS block first), and Ed25519.
  run(['ecparam', '-name', 'prime256v1', '-genkey', '-out', p('ec.sec1.pem')]);
  run(['ec', '-in', p('ec.sec1.pem'), '-outform', 'DER', '-out', p('ec.sec1.der')]);
  run(['pkcs8', '-topk8', '-nocrypt', '-in', p('ec.sec1.pem'), '-out', p('ec.pkcs8.pem')]);
  run(['genpkey', '-algorithm', 'ED25519', '-out', p('ed25519.pem')]);

  // Certificates that each trip one lint rule.
  csr('ec.sec1.pem', '/CN=self.example.com', 'selfsigned.csr');
  sign({ csr: 'selfsigned.csr', out: 'selfsigned.crt', selfKey: 'ec.sec1.pem', ext: LEAF_EXT('DNS:self.example.com') });
  csr('ec.sec1.pem', '/CN=sha1.example.com', 'sha1.csr');
  sign({ csr: 'sha1.csr', out: 'sha1.crt', ...byInt, md: 'sha1', ext: LEAF_EXT('DNS:sha1.example.com') });
  csr('ec.sec1.pem', '/CN=nosan.example.com', 'nosan.csr');
  sign({ csr: 'nosan.csr', out: 'nosan.crt', ...byInt, ext: LEAF_EXT(undefined) });
  csr('ec.sec1.pem', '/CN=other.example.com', 'cnmismatch.csr');
  sign({ csr: 'cnmismatch.csr', out: 'cnmismatch.crt', ...byInt, ext: LEAF_EXT('DNS:host.example.com') });
  csr('ec.sec1.pem', '/CN=client.example.com', 'clientonly.csr');
  sign({ csr: 'clientonly.csr', out: 'clientonly.crt', ...byInt, ext: LEAF_EXT('DNS:client.example.com', 'clientAuth') });
  // `openssl x509 -req` cannot back-date (no negative -days in 3.0); `openssl ca` can.
  csr('ec.sec1.pem', '/CN=expired.example.com', 'expired.csr', ['-addext', 'subjectAltName=DNS:expired.example.com', '-addext', 'extendedKeyUsage=serverAuth']);
  run(['ca', '-batch', '-config', p('ca.cnf'), '-cert', p('int.crt'), '-keyfile', p('int.key'), '-in', p('expired.csr'),
    '-out', p('expired.pem.tmp'), '-startdate', '20200101000000Z', '-enddate', '20210101000000Z', '-notext']);
  run(['x509', '-in', p('expired.pem.tmp'), '-out', p('expired.crt')]);

  let weakRsaSkip: string | undefined;
  const weak = opensslTry(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024', '-out', p('weak.key')]);
  const weakCsr = weak.status === 0 ? opensslTry(['req', '-new', '-config', p('req.cnf'), '-key', p('weak.key'), '-subj', '/CN=weak.example.com', '-out', p('weak.csr')]) : weak;
  if (weakCsr.status !== 0) weakRsaSkip = `OpenSSL refused an RSA-1024 key at its default security level: ${weakCsr.stderr.trim().split('\n')[0]}`;
  else sign({ csr: 'weak.csr', out: 'weak.crt', ...byInt, ext: LEAF_EXT('DNS:weak.example.com') });

  // Bundles.
  const pem = (n: string): string => readFileSync(p(n), 'utf8');
  write('fullchain.pem', pem('leaf.crt') + pem('int.crt') + pem('root.crt'));
  write('fullchain.crlf.pem', (pem('leaf.crt') + pem('int.crt') + pem('root.crt')).replace(/\n/g, '\r\n'));
  write('reversed.pem', pem('root.crt') + pem('int.crt') + pem('leaf.crt'));
  write('missing-int.pem', pem('leaf.crt') + pem('root.crt'));
  write('chain.pem', pem('int.crt') + pem('root.crt'));
  run(['pkcs12', '-export', '-inkey', p('leaf.key'), '-in', p('leaf.crt'), '-certfile', p('chain.pem'), '-name', 'leaf',
    '-passout', `pass:${PASSPHRASE}`, '-out', p('leaf.p12')]);
  write('bag.pem', run(['pkcs12', '-in', p('leaf.p12'), '-nodes', '-passin', `pass:${PASSPHRASE}`]));

  return {
    dir: t.dir,
    path: p,
    read: (n) => readFileSync(p(n)),
    text: (n) => readFileSync(p(n), 'utf8'),
    ...(weakRsaSkip === undefined ? {} : { weakRsaSkip }),
    cleanup: t.cleanup,
  };
}

/** Registers beforeAll/afterAll that build the PKI once for the calling test file; call the result inside tests. */
export function usePki(): () => Pki {
  let pki: Pki | undefined;
  beforeAll(() => {
    pki = buildPki();
  });
  afterAll(() => pki?.cleanup());
  return () => {
    if (!pki) throw new Error('usePki(): the PKI is built in beforeAll; call the getter inside a test');
    return pki;
  };
}

/** SHA-256 (lowercase hex) of bytes, computed by `openssl dgst` so the oracle is OpenSSL end to end. */
export function opensslSha256(bytes: Uint8Array): string {
  return /([0-9a-f]{64})/.exec(openssl(['dgst', '-sha256', '-r'], bytes))![1]!;
}

/** `openssl pkey [-passin] -pubout -outform DER | sha256` for a key file in any encoding OpenSSL reads. */
export function opensslKeySpkiSha256(path: string, passphrase?: string): string {
  const pass = passphrase === undefined ? [] : ['-passin', `pass:${passphrase}`];
  return opensslSha256(opensslBytes(['pkey', '-in', path, ...pass, '-pubout', '-outform', 'DER']));
}

/** `openssl x509 -pubkey | openssl pkey -pubin -outform DER | sha256` for a certificate file. */
export function opensslCertSpkiSha256(path: string): string {
  const pub = openssl(['x509', '-in', path, '-noout', '-pubkey']);
  return opensslSha256(opensslBytes(['pkey', '-pubin', '-outform', 'DER'], pub));
}

/** `openssl x509 -noout -fingerprint -sha256|-sha1`: colon-separated uppercase hex. */
export function opensslFingerprint(path: string, alg: 'sha256' | 'sha1'): string {
  return openssl(['x509', '-in', path, '-noout', '-fingerprint', `-${alg}`]).trim().split('=')[1]!;
}
