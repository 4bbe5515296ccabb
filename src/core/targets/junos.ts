import { X509Certificate } from 'node:crypto';
import { fail } from '../errors.js';
import { isSelfSigned } from '../pki/chain.js';
import { describeCertificateNames } from '../pki/csr.js';
import { describeKey, exportPrivateKey, keyInfo } from '../pki/keys.js';
import { toPem } from '../pki/pem.js';
import { serverName } from './names.js';
import { certIdFor } from './preflight.js';
import type { Bundle, Finding, FormatParams, TargetFile } from './types.js';

/** Where the files are copied on the device: the one writable scratch folder every Junos release has. */
export const JUNOS_UPLOAD_DIR = '/var/tmp';

/**
 * The outbound-https `trusted-cert` value: the chain (intermediates then root, as given) or, without
 * a chain, the certificate itself, as PEM with every CR and LF removed (Juniper: "remove all newlines").
 */
export function junosTrustedCert(b: Bundle): string {
  const certs = b.chain.length > 0 ? b.chain : [b.cert];
  return certs.map((der) => toPem('CERTIFICATE', der)).join('').replace(/[\r\n]/g, '');
}

/**
 * Formats a bundle for Junos: the leaf, its key in the traditional OpenSSL form every Junos release
 * reads (PKCS#1 for RSA, SEC1 for ECDSA), the CA chain, the outbound-https trusted-cert value and a
 * step-by-step command sheet. Assumes {@link preflight} has accepted the bundle.
 * @throws InputError `refused` for a key Junos cannot load (RSA-PSS, Ed25519); `invalid-value` for a bad certificate-id
 */
export function formatJunos(b: Bundle, p: FormatParams): { files: TargetFile[]; warnings: Finding[] } {
  const id = certIdFor(b, p);
  const leaf = new X509Certificate(b.cert);
  const chain = b.chain.map((der) => new X509Certificate(der));
  const info = keyInfo(b.key);

  let keyPem: string;
  switch (b.key.asymmetricKeyType) {
    case 'rsa':
      keyPem = exportPrivateKey(b.key, { format: 'pkcs1' }) as string;
      break;
    case 'ec':
      keyPem = exportPrivateKey(b.key, { format: 'sec1' }) as string;
      break;
    default:
      // RSA-PSS passes the "RSA" rule of preflight but has no PKCS#1 form; Junos would reject it.
      return fail('refused', `cannot format for junos: ${b.files.key} holds an ${b.key.asymmetricKeyType ?? 'unknown'} key; Junos loads RSA (PKCS#1) and ECDSA (SEC1) keys only`);
  }

  const leafPem = toPem('CERTIFICATE', b.cert);
  const trusted = junosTrustedCert(b);
  const files: TargetFile[] = [
    { name: `${id}.crt`, content: leafPem, secret: false, description: `the certificate, for request security pki local-certificate load (certificate-id ${id})` },
    { name: `${id}.key`, content: keyPem, secret: true,
      description: `the private key, unencrypted ${info.algorithm === 'rsa' ? 'PKCS#1 (RSA PRIVATE KEY)' : 'SEC1 (EC PRIVATE KEY)'}; delete it from /var/tmp right after loading` },
  ];
  if (chain.length > 0) {
    files.push({ name: 'ca-chain.pem', content: b.chain.map((der) => toPem('CERTIFICATE', der)).join(''), secret: false,
      description: 'the CA certificates (intermediates then root), for the CA profile group' });
  }
  files.push(
    { name: 'trusted-cert.txt', content: `${trusted}\n`, secret: false,
      description: 'the outbound-https trusted-cert value: the chain PEM (or the certificate itself) on one line' },
    { name: 'junos-commands.txt', content: commandSheet(id, leaf, chain, describeKey(info), trusted),
      secret: false, description: 'step-by-step Junos commands: copy, load, bind to REST and J-Web, commit confirmed, verify' },
  );

  const warnings: Finding[] = [];
  const last = chain[chain.length - 1];
  if (last && !isSelfSigned(last)) {
    warnings.push({ severity: 'warning', code: 'junos-chain-without-root',
      message: `the chain (${[...new Set(b.files.chain)].join(', ')}) ends at "${oneLine(last.subject)}" without its root CA "${oneLine(last.issuer)}": ` +
        'Junos cannot complete the CA profile group, and the outbound-https trusted-cert needs the root too; add the root certificate to the chain' });
  }
  if (chain.length === 0 && !isSelfSigned(leaf)) {
    warnings.push({ severity: 'warning', code: 'junos-no-chain',
      message: `no chain was given for ${b.files.cert}, which is issued by "${oneLine(leaf.issuer)}": Junos gets no CA certificates to load, ` +
        'and trusted-cert.txt holds the certificate itself, which authenticates only a gRPC server presenting exactly this certificate; give the issuing CA and root as the chain' });
  }
  return { files, warnings };
}

function oneLine(dn: string): string {
  return dn.split('\n').join(', ');
}

function isoDate(openSslDate: string): string {
  return new Date(openSslDate).toISOString().replace('T', ' ').replace('.000Z', ' UTC');
}

// The lines the sheet shows for one certificate; the fingerprint is written exactly as
// `openssl x509 -noout -fingerprint -sha256` (OpenSSL 3) prints it, so engineers can compare by eye or grep.
function describeCert(c: X509Certificate, indent: string): string[] {
  return [
    `${indent}Subject: ${oneLine(c.subject)}`,
    `${indent}Issuer:  ${oneLine(c.issuer)}`,
    `${indent}Valid:   ${isoDate(c.validFrom)} to ${isoDate(c.validTo)}`,
    `${indent}sha256 Fingerprint=${c.fingerprint256}`,
  ];
}

function commandSheet(id: string, leaf: X509Certificate, chain: X509Certificate[], keyDesc: string, trusted: string): string {
  const dir = JUNOS_UPLOAD_DIR;
  // A CA profile name is a Junos identifier like the certificate-id: keep it within the same 63 characters.
  const caName = `${id.slice(0, 60)}-ca`;
  // SNI takes host names only; without one s_client sends none, which is what browsers do for an IP.
  const name = serverName(describeCertificateNames(new Uint8Array(leaf.raw)));
  const sni = name ? ` -servername ${name}` : '';
  const uploads = [`${id}.crt`, `${id}.key`, ...(chain.length > 0 ? ['ca-chain.pem'] : [])];
  const fp = `sha256 Fingerprint=${leaf.fingerprint256}`;
  const lines: string[] = [];
  const add = (...l: string[]): void => void lines.push(...l);
  let step = 0;
  const heading = (title: string): void => {
    step += 1;
    add('', `${step}. ${title}`);
  };

  add(
    `Junos: install certificate-id ${id} for HTTPS management (REST API and J-Web)`,
    'Made by certbench. Replace every <placeholder> before you run a line.',
    'Lines under "configure" are configuration mode; the others are operational mode (user@host>).',
    '',
    'Certificate',
    ...describeCert(leaf, '  '),
    `  Names:   ${leaf.subjectAltName ?? '(no subjectAltName)'}`,
    `  Key:     ${keyDesc}, in ${id}.key (unencrypted: keep it secret, delete it after loading)`,
  );
  if (chain.length > 0) {
    add('', 'CA chain (ca-chain.pem, in this order)');
    chain.forEach((c, i) => add(`  #${i + 1}`, ...describeCert(c, '    ')));
  }

  heading(`Copy the files to ${dir} on the device (from your workstation)`);
  add(`   scp ${uploads.join(' ')} <user>@<device>:${dir}/`);

  if (chain.length > 0) {
    heading('Define a CA profile and load the CA certificates');
    // `ca-profile-group load` takes the whole chain file in one command (the per-profile
    // `request security pki ca-certificate load ca-profile P filename F` takes one CA certificate per
    // profile, so a chain would need a file and a profile per CA). Syntax as in Juniper's trusted-CA
    // documentation ("request security pki ca-certificate ca-profile-group load") and field SRX configs.
    add(
      '   configure',
      `   set security pki ca-profile ${caName} ca-identity ${caName}`,
      '   commit and-quit',
      `   request security pki ca-certificate ca-profile-group load ca-group-name ${caName} filename ${dir}/ca-chain.pem`,
      '   show security pki ca-certificate detail',
      '   (each CA must show the fingerprint listed under "CA chain" above)',
    );
  }

  heading('Load the certificate with its key, then delete the key file at once');
  add(
    `   request security pki local-certificate load certificate-id ${id} filename ${dir}/${id}.crt key ${dir}/${id}.key`,
    `   file delete ${dir}/${id}.key`,
    `   show security pki local-certificate certificate-id ${id} detail`,
    '   (check the subject and validity above)',
  );

  heading('Use it for the REST API and J-Web (HTTPS)');
  add(
    '   configure',
    `   set system services rest https server-certificate ${id}`,
    `   set system services web-management https pki-local-certificate ${id}`,
    '   commit confirmed 5',
    '   (Junos rolls this back by itself in 5 minutes unless you confirm in step ' + String(step + 2) + ':',
    '   if you lose HTTPS access, wait, and nothing stays changed)',
  );

  heading('Verify, within those 5 minutes (the device session stays in configuration mode)');
  add(
    `   run show security pki local-certificate certificate-id ${id} detail`,
    '   From a workstation (J-Web on 443; the REST API on its `rest https port`, 3443 by default):',
    `   openssl s_client -connect <device>:443${sni} </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256`,
    `   openssl s_client -connect <device>:<rest-port>${sni} </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256`,
    '   Both must print exactly:',
    `   ${fp}`,
  );

  heading('Confirm the commit (still in configuration mode)');
  add('   commit', '   exit');

  add(
    '',
    'Outbound HTTPS (device-initiated gRPC to a management system; Junos OS 20.3R1 and later, Junos OS Evolved 22.4R1 and later)',
    '   trusted-cert is how the device authenticates the gRPC server: use this value when that server presents',
    `   ${chain.length > 0 ? 'a certificate issued by the CA chain above.' : isSelfSigned(leaf) ? 'exactly this self-signed certificate.' : 'exactly this certificate (no chain was given; with one, the value holds the CAs).'}`,
    '   <grpc-server> must match the CN (host name) or a subjectAltName IP address of the server\'s certificate.',
    '   The same value is in trusted-cert.txt (that PEM text with every newline removed).',
    '   configure',
    `   set system services outbound-https client <client-id> device-id <device-id>`,
    `   set system services outbound-https client <client-id> secret "<shared-secret>"`,
    `   set system services outbound-https client <client-id> address <grpc-server> port <port> trusted-cert "${trusted}"`,
    '   commit',
    '   The outbound HTTPS extension service reads this stanza: it must also be configured at',
    '   [edit system extensions extension-service application file nc_grpc_app.pyc].',
  );
  return `${lines.join('\n')}\n`;
}
