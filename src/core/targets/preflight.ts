import { X509Certificate, createHash } from 'node:crypto';
import { fail } from '../errors.js';
import { checkChain } from '../pki/chain.js';
import { inspect } from '../pki/inspect.js';
import { describeKey, keyInfo, spkiDer } from '../pki/keys.js';
import type { KeyAlgorithm } from '../pki/types.js';
import type { Bundle, Finding, FormatParams, TargetName } from './types.js';
import { isJunosId } from '../../shared/push-cert-id.js';

/** Which keys a target takes, and why the others are refused. */
interface KeyRule {
  allowed: KeyAlgorithm[];
  why: string;
}

const KEY_RULES: Record<TargetName, KeyRule> = {
  junos: { allowed: ['rsa', 'ecdsa'], why: 'Junos PKI loads RSA and ECDSA local certificates only' },
  // nginx could load Ed25519, but browsers do not accept Ed25519 server certificates: the UI would be unreachable.
  apstra: { allowed: ['rsa', 'ecdsa'], why: 'browsers do not accept Ed25519 server certificates, so the Apstra UI would be unreachable; use RSA or ECDSA' },
  sps: { allowed: ['rsa'], why: 'SPS takes RSA private keys in PKCS#1 only ("only PKCS-1 is supported"); issue an RSA certificate for SPS' },
  sdcloud: { allowed: ['rsa', 'ecdsa', 'ed25519'], why: '' },
};


function short(hex: string): string {
  return `${hex.slice(0, 16)}…`;
}

/**
 * Checks that a bundle can be formatted for (or pushed to) a target: the key matches the certificate
 * (and the CSR, when given), the chain runs leaf -> intermediates -> root and each link verifies, and
 * the target takes this kind of key. Returns the warnings that do not stop it: weak keys, the leaf's
 * lint findings (expired, self-signed, no SAN...) and a chain that leaves out its root.
 * @throws InputError `refused` listing every reason, naming the files involved
 */
export function preflight(b: Bundle, target: TargetName, p: FormatParams = {}): Finding[] {
  const reasons: string[] = [];
  const warnings: Finding[] = [];
  if (b.key.type !== 'private') reasons.push(`${b.files.key} holds a ${b.key.type} key, not a private key`);

  const keyHash = createHash('sha256').update(spkiDer(b.key)).digest('hex');
  const leaf = new X509Certificate(b.cert);
  const certHash = createHash('sha256').update(leaf.publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
  if (keyHash !== certHash) {
    reasons.push(`the private key in ${b.files.key} does not match the certificate in ${b.files.cert} (public key SHA-256 ${short(keyHash)} vs ${short(certHash)})`);
  }
  if (b.csr) {
    const csrItem = inspect([{ kind: 'csr', der: b.csr, file: b.files.csr ?? 'CSR', index: 0, container: 'pem' }], p.now ? { now: p.now } : {})[0]!;
    if (csrItem.spkiSha256 !== keyHash) {
      reasons.push(`the CSR in ${b.files.csr ?? 'the CSR'} was made for another key than ${b.files.key} (public key SHA-256 ${short(csrItem.spkiSha256)} vs ${short(keyHash)})`);
    }
  }

  const report = checkChain([b.cert, ...b.chain]);
  for (const f of report.problems) {
    if (f.severity === 'error') reasons.push(`chain (${[b.files.cert, ...new Set(b.files.chain)].join(', ')}): ${f.message}`);
    else warnings.push(f);
  }

  const info = keyInfo(b.key);
  const rule = KEY_RULES[target];
  if (b.key.asymmetricKeyType === 'rsa-pss') {
    // An RSA-PSS-only key has no PKCS#1 or JWK form and is not a key type these devices load.
    reasons.push(`${b.files.key} is an RSA-PSS key (restricted to PSS signatures), which ${target} does not take; generate a plain RSA key (certbench keygen --alg rsa)`);
  } else if (!rule.allowed.includes(info.algorithm)) {
    reasons.push(`${b.files.key} is an ${describeKey(info)} key: ${rule.why}`);
  }

  if (reasons.length > 0) {
    fail('refused', `cannot format for ${target}, nothing was written:\n  - ${reasons.join('\n  - ')}`);
  }

  // The leaf's lint findings include weak-rsa / weak-ec (the key matches it), at the CIS text's floors.
  const leafFindings = inspect([{ kind: 'certificate', der: b.cert, file: b.files.cert, index: 0, container: 'pem' }], p.now ? { now: p.now } : {})[0]!.findings;
  warnings.unshift(...leafFindings);
  return warnings;
}


/**
 * Validates a Junos certificate-id (it becomes a file name and part of CLI commands), or derives one
 * from the leaf: its first DNS name, else its CN, with anything outside `[A-Za-z0-9._-]` replaced.
 * @throws InputError `invalid-value` for an id with other characters or over 63 characters
 */
export function certIdFor(b: Bundle, p: FormatParams = {}): string {
  if (p.certId !== undefined) {
    if (!isJunosId(p.certId)) {
      fail('invalid-value', `"${p.certId.replace(/[^\x20-\x7e]/g, '?')}" is not a usable certificate-id: use 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit`, '--cert-id');
    }
    return p.certId;
  }
  const leaf = new X509Certificate(b.cert);
  const dns = (leaf.subjectAltName ?? '').split(', ').find((s) => s.startsWith('DNS:'))?.slice(4);
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(leaf.subject)?.[1];
  const id = (dns ?? cn ?? '').replace(/^\*\./, 'wildcard.').replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 63);
  return id.length > 0 ? id : 'certbench';
}
