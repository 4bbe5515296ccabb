import { X509Certificate } from 'node:crypto';
import { fail } from '../errors.js';
import { certificateOf } from './decode.js';
import type { Finding } from './lint.js';

export type { Finding } from './lint.js';

/** What {@link checkChain} found. */
export interface ChainReport {
  /** Every certificate is followed by its issuer (as far as the issuers are present). */
  ordered: boolean;
  /** Every link verifies and the last certificate is a self-signed root. */
  complete: boolean;
  problems: Finding[];
}

/**
 * Checks a chain given leaf first: each certificate must be issued and signed by the next one, and the
 * last should be a self-signed root. Problems: chain-out-of-order (with the right order),
 * chain-incomplete (a missing issuer: an error inside the chain, info when only the root is left out),
 * chain-signature-invalid (names match but the signature does not verify).
 * @throws InputError `unknown-content` when an element is not a certificate
 */
export function checkChain(certs: Uint8Array[]): ChainReport {
  const problems: Finding[] = [];
  if (certs.length === 0) {
    return { ordered: true, complete: false, problems: [{ severity: 'error', code: 'chain-incomplete', message: 'no certificates were given' }] };
  }
  const parsed = certs.map((der, i) => {
    try {
      // The decoded certificate when decode() already parsed these bytes; parsed once otherwise.
      return certificateOf(der);
    } catch {
      return fail('unknown-content', `chain element #${i + 1} is not an X.509 certificate`);
    }
  });
  const name = (c: X509Certificate): string => c.subject.replace(/\n/g, ', ');

  let ordered = true;
  let complete = true;
  for (let i = 0; i < parsed.length; i++) {
    const c = parsed[i]!;
    const next = parsed[i + 1];
    if (next && issues(next, c)) {
      if (!c.verify(next.publicKey)) {
        complete = false;
        problems.push({ severity: 'error', code: 'chain-signature-invalid',
          message: `#${i + 1} (${name(c)}) names #${i + 2} as its issuer, but its signature does not verify with that issuer's key` });
      }
      continue;
    }
    if (isSelfSigned(c)) {
      // A root in the middle or at the front means the order is wrong, not that something is missing.
      if (next) ordered = false;
      continue;
    }
    const named = parsed.map((o, j) => (j !== i && issues(o, c) ? j : -1)).filter((j) => j >= 0);
    const issuerAt = named.find((j) => c.verify(parsed[j]!.publicKey)) ?? named[0] ?? -1;
    if (issuerAt >= 0) {
      ordered = false;
      if (!c.verify(parsed[issuerAt]!.publicKey)) {
        complete = false;
        problems.push({ severity: 'error', code: 'chain-signature-invalid',
          message: `#${i + 1} (${name(c)}) names #${issuerAt + 1} as its issuer, but its signature does not verify with that issuer's key` });
      }
      continue;
    }
    complete = false;
    if (next) {
      problems.push({ severity: 'error', code: 'chain-incomplete',
        message: `#${i + 1} (${name(c)}) is issued by "${c.issuer.replace(/\n/g, ', ')}", which is not in the chain: an intermediate is missing` });
    } else {
      problems.push({ severity: 'info', code: 'chain-incomplete',
        message: `the chain ends at #${i + 1} (${name(c)}), issued by "${c.issuer.replace(/\n/g, ', ')}", which is not included; fine when clients already trust that CA` });
    }
  }
  if (!ordered) {
    const order = suggestedOrder(parsed);
    problems.unshift({ severity: 'error', code: 'chain-out-of-order',
      message: `the certificates are not in leaf-to-root order; expected ${order.map((i) => `#${i + 1} (${name(parsed[i]!)})`).join(' -> ')}` });
  }
  if (ordered && complete && !isSelfSigned(parsed[parsed.length - 1]!)) complete = false;
  return { ordered, complete, problems };
}

/**
 * True when `issuer`'s subject is the issuer name of `cert`; the signature is checked separately.
 * (Not X509Certificate.checkIssued: that also rejects issuers without keyCertSign, which would
 * turn "wrong key usage" into "missing intermediate".)
 */
export function issues(issuer: X509Certificate, cert: X509Certificate): boolean {
  return cert.issuer === issuer.subject;
}

/** True when the certificate names itself as issuer and its signature verifies with its own key. */
export function isSelfSigned(cert: X509Certificate): boolean {
  return cert.issuer === cert.subject && cert.verify(cert.publicKey);
}

// Leaf (the certificate that issues none of the others) first, then each one's issuer.
function suggestedOrder(certs: X509Certificate[]): number[] {
  const issuesAnother = (i: number): boolean => certs.some((c, j) => j !== i && issues(certs[i]!, c));
  const start = certs.findIndex((_, i) => !issuesAnother(i));
  const order: number[] = [];
  for (let at = start < 0 ? 0 : start; at >= 0 && !order.includes(at);) {
    order.push(at);
    const c = certs[at]!;
    at = isSelfSigned(c) ? -1 : certs.findIndex((o, j) => j !== at && issues(o, c));
  }
  for (let i = 0; i < certs.length; i++) if (!order.includes(i)) order.push(i);
  return order;
}
