import type { ItemKind, KeyInfo } from './types.js';

/** One lint result; `code` is stable (scripts and the UI key on it), `message` is for people. */
export interface Finding {
  severity: 'error' | 'warning' | 'info';
  code: string;
  message: string;
}

/** The facts about one item that the lint rules look at (a subset of an Inspection). */
export interface LintFacts {
  kind: ItemKind;
  key: KeyInfo;
  /** OpenSSL-style name, e.g. `sha256WithRSAEncryption`, `ecdsa-with-SHA1`. */
  signatureAlgorithm?: string;
  /** ISO 8601. */
  notBefore?: string;
  notAfter?: string;
  isCa?: boolean;
  selfSigned?: boolean;
  /** `DNS:x`, `IP:x`, `email:x`, `URI:x`; undefined when there is no SAN extension. */
  san?: string[];
  /** The subject's commonName values. */
  commonNames?: string[];
  /** Names (`serverAuth`) or dotted OIDs; undefined when there is no EKU extension. */
  extendedKeyUsage?: string[];
  /** For CSRs: whether the self-signature verifies (undefined when it could not be checked). */
  signatureValid?: boolean;
}

/** Options for {@link lint}. */
export interface LintParams {
  /** The moment validity is judged at; defaults to the current time. */
  now?: Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Keys below these sizes get weak-rsa / weak-ec (also the CIS Junos text's floor: RSA 2048, ECDSA 256). */
export const MIN_RSA_BITS = 2048;
export const MIN_EC_BITS = 256;
/** Certificates expiring within this many days get `expires-soon`. */
export const EXPIRES_SOON_DAYS = 30;

/**
 * Applies the lint rules to one item: expired, not-yet-valid, expires-soon, weak-rsa, weak-ec,
 * sha1-signature, no-san, cn-not-in-san, self-signed, no-server-auth-eku, csr-signature-invalid.
 * Name and EKU rules apply to end-entity certificates and CSRs only, never to CA certificates.
 */
export function lint(f: LintFacts, p: LintParams = {}): Finding[] {
  const now = p.now ?? new Date();
  const out: Finding[] = [];
  const add = (severity: Finding['severity'], code: string, message: string): void => void out.push({ severity, code, message });

  if (f.key.algorithm === 'rsa' && f.key.bits < MIN_RSA_BITS) {
    add('error', 'weak-rsa', `the RSA key has ${f.key.bits} bits; ${MIN_RSA_BITS} is the minimum clients and CAs accept`);
  }
  if (f.key.algorithm === 'ecdsa' && f.key.bits < MIN_EC_BITS) {
    add('error', 'weak-ec', `the EC key has ${f.key.bits} bits; P-256 is the minimum`);
  }
  if (f.kind === 'private-key' || f.kind === 'public-key') return out;

  if (f.signatureAlgorithm && /sha-?1(?![0-9])/i.test(f.signatureAlgorithm)) {
    add('error', 'sha1-signature', `signed with ${f.signatureAlgorithm}; SHA-1 signatures are rejected by current clients`);
  }
  if (f.kind === 'csr' && f.signatureValid === false) {
    add('error', 'csr-signature-invalid', 'the CSR signature does not verify with its own public key: the CSR was altered or is corrupt');
  }

  if (f.kind === 'certificate' && f.notBefore && f.notAfter) {
    const nb = Date.parse(f.notBefore);
    const na = Date.parse(f.notAfter);
    if (na < now.getTime()) {
      add('error', 'expired', `expired on ${f.notAfter} (${Math.floor((now.getTime() - na) / DAY_MS)} days ago)`);
    } else if (nb > now.getTime()) {
      add('error', 'not-yet-valid', `not valid before ${f.notBefore}: check the device clock or the issuing CA`);
    } else {
      const left = Math.floor((na - now.getTime()) / DAY_MS);
      if (left < EXPIRES_SOON_DAYS) add('warning', 'expires-soon', `expires on ${f.notAfter}, in ${left} days`);
    }
  }
  if (f.kind === 'certificate' && f.selfSigned) {
    if (f.isCa) add('info', 'self-signed', 'self-signed CA certificate (a root): clients must already trust it');
    else add('warning', 'self-signed', 'self-signed: no client trusts it unless it is installed on that client by hand');
  }
  if (f.isCa) return out;

  const names = (f.san ?? []).filter((s) => s.startsWith('DNS:') || s.startsWith('IP:')).map((s) => s.slice(s.indexOf(':') + 1).toLowerCase());
  if (f.san === undefined || f.san.length === 0) {
    add('warning', 'no-san', 'no subjectAltName: browsers and most TLS clients ignore the CN and will reject the name');
  } else {
    for (const cn of f.commonNames ?? []) {
      if (!names.includes(cn.toLowerCase())) {
        add('warning', 'cn-not-in-san', `the CN "${cn}" is not among the DNS/IP subjectAltNames (${names.join(', ') || 'none'})`);
      }
    }
  }
  const eku = f.extendedKeyUsage;
  if (eku !== undefined && !eku.includes('serverAuth') && !eku.includes('anyExtendedKeyUsage')) {
    add('warning', 'no-server-auth-eku', `extended key usage is ${eku.join(', ')} without serverAuth: TLS clients will refuse it as a server certificate`);
  } else if (eku === undefined && f.kind === 'certificate') {
    add('info', 'no-server-auth-eku', 'no extended key usage extension: some clients (Apple platforms) require serverAuth');
  }
  return out;
}
