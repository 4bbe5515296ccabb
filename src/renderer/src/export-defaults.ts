import type { ItemView } from '../../shared/contract.js';

/** The leaf to suggest for a key: a non-CA certificate with the key's public key, else any non-CA certificate. */
export function suggestLeaf(key: ItemView | undefined, certs: ItemView[]): ItemView | undefined {
  const leaves = certs.filter((c) => !c.isCa);
  return leaves.find((c) => key && c.spkiSha256 === key.spkiSha256) ?? leaves[0];
}

/**
 * The chain to suggest for a leaf: follow issuer to subject through the session's other certificates,
 * intermediates first, up to a self-signed root (names compared as the core prints them).
 */
export function suggestChain(leaf: ItemView | undefined, certs: ItemView[]): ItemView[] {
  const chain: ItemView[] = [];
  let current = leaf;
  while (current && !current.selfSigned && chain.length < 8) {
    const issuer = current.issuer;
    const next = certs.find((c) => c.id !== leaf?.id && !chain.includes(c) && c.subject === issuer && c.isCa);
    if (!next) break;
    chain.push(next);
    current = next;
  }
  return chain;
}

/** The certificate-id certbench derives when none is typed: first DNS SAN, else CN, made safe (as the core does). */
export function derivedCertId(leaf: ItemView | undefined): string {
  if (!leaf) return '';
  const dns = leaf.san?.find((s) => s.startsWith('DNS:'))?.slice(4);
  const cn = /(?:^|,\s*)CN=([^,]*)/.exec(leaf.subject ?? '')?.[1];
  const id = (dns ?? cn ?? '').replace(/^\*\./, 'wildcard.').replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 63);
  return id.length > 0 ? id : 'certbench';
}

/** Whether a typed Junos certificate-id is usable (1-63 letters, digits, '.', '_' or '-', starting with a letter or digit). */
export function certIdOk(id: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(id);
}
