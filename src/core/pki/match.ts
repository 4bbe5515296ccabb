import { spkiSha256 } from './decode.js';
import type { DecodedItem } from './types.js';

/** Whether keys, certificates and CSRs share one public key, with each item's SPKI hash. */
export interface MatchResult {
  /** True when there are at least two items and all have the same SubjectPublicKeyInfo. */
  match: boolean;
  items: { file: string; kind: 'private-key' | 'certificate' | 'csr'; spkiSha256: string }[];
}

/**
 * Compares the public keys of private keys, CSRs and certificates. Per file, only the first
 * certificate counts (in a bundle it is the leaf; the rest is chain); bare public keys are left out.
 */
export function match(items: DecodedItem[]): MatchResult {
  const seenCertIn = new Set<string>();
  const out: MatchResult['items'] = [];
  for (const item of items) {
    if (item.kind === 'public-key') continue;
    if (item.kind === 'certificate') {
      if (seenCertIn.has(item.file)) continue;
      seenCertIn.add(item.file);
    }
    out.push({ file: item.file, kind: item.kind, spkiSha256: spkiSha256(item) });
  }
  const first = out[0]?.spkiSha256;
  return { match: out.length >= 2 && out.every((i) => i.spkiSha256 === first), items: out };
}

/**
 * The items whose key differs from the majority (ties go to the first item's key): the ones to name
 * in a mismatch message. Empty when everything matches.
 */
export function mismatched(r: MatchResult): MatchResult['items'] {
  const counts = new Map<string, number>();
  for (const i of r.items) counts.set(i.spkiSha256, (counts.get(i.spkiSha256) ?? 0) + 1);
  let reference = r.items[0]?.spkiSha256;
  for (const [h, n] of counts) if (n > (counts.get(reference ?? '') ?? 0)) reference = h;
  return r.items.filter((i) => i.spkiSha256 !== reference);
}

const MAX_NAMED = 10;

/** One line for people: "all 3 items share one public key" or which files/kinds differ. */
export function describeMatch(r: MatchResult): string {
  if (r.items.length < 2) return `nothing to compare: ${r.items.length} key, certificate or CSR found (two or more are needed)`;
  if (r.match) return `all ${r.items.length} items share one public key`;
  const odd = mismatched(r);
  // Over a folder of thousands of files the full list would be a line of many kilobytes.
  const shown = odd.slice(0, MAX_NAMED).map((i) => `${i.kind} in ${i.file}`).join(', ');
  const more = odd.length > MAX_NAMED ? ` and ${odd.length - MAX_NAMED} more` : '';
  return `the public keys differ: ${shown}${more} ${odd.length === 1 ? 'does' : 'do'} not match the other items`;
}
