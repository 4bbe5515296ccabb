// Kept apart from pkcs12.ts so that decoding a file that is not PKCS#12 never loads pkijs.

/** One BER tag+length header: where the content starts, and its length (null: indefinite). */
export interface Header { contentStart: number; length: number | null }

/** Reads one BER tag+length header; a null length means indefinite (BER from Windows/Java exports). */
export function readHeader(der: Uint8Array, at: number): Header | null {
  if (at + 2 > der.length) return null;
  const first = der[at + 1]!;
  if (first < 0x80) return { contentStart: at + 2, length: first };
  if (first === 0x80) return { contentStart: at + 2, length: null };
  const n = first & 0x7f;
  if (n > 4 || at + 2 + n > der.length) return null;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + der[at + 2 + i]!;
  return { contentStart: at + 2 + n, length: len };
}

/** Cheap sniff for a PKCS#12 PFX: SEQUENCE { INTEGER 3, SEQUENCE (ContentInfo) ... }. */
export function looksLikePkcs12(der: Uint8Array): boolean {
  if (der.length < 8 || der[0] !== 0x30) return false;
  const outer = readHeader(der, 0);
  if (!outer) return false;
  const v = outer.contentStart;
  return der[v] === 0x02 && der[v + 1] === 0x01 && der[v + 2] === 0x03 && der[v + 3] === 0x30;
}

