import type { San, SubjectAttr } from '../pki/csr.js';

// Letters, digits, dots and hyphens only: the value goes unquoted into command lines people paste.
const HOSTNAME_RE = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/;

/**
 * The leaf's first plain DNS name (else its CN when that looks like one), for TLS SNI in the commands a
 * target's sheet or script prints; empty when none is usable. Certificate names are not trusted input:
 * a SAN such as `a.example.net;touch x` must never reach a shell line.
 */
export function serverName(names: { subject: SubjectAttr[]; sans: San[] }): string {
  const dns = names.sans.find((s) => s.type === 'DNS' && HOSTNAME_RE.test(s.value));
  if (dns) return dns.value;
  const cn = names.subject.find((a) => a.type === 'CN' && HOSTNAME_RE.test(a.value) && /[A-Za-z]/.test(a.value));
  return cn?.value ?? '';
}
