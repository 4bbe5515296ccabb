// Kept apart from pkcs12.ts so that decoding a file that is not PKCS#12 never loads pkijs.
import * as asn1js from 'asn1js';
import { fail } from '../errors.js';

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

/**
 * Most key-derivation iterations certbench runs for one passphrase-protected item. OpenSSL writes 2048,
 * Windows 2000, Java 10000; a forged count of 2^31 would block for many minutes (PBKDF2 runs synchronously).
 */
export const MAX_PBE_ITERATIONS = 1_000_000;

const PBES2_OID = '1.2.840.113549.1.5.13';

/**
 * The iteration count of a password-based encryption AlgorithmIdentifier (DER): PBES2 with PBKDF2, the PKCS#12
 * PBE schemes or PKCS#5 v1.5 PBE. Undefined when it cannot be read; decryption then reports the damage.
 */
export function pbeIterations(algorithm: Uint8Array): number | undefined {
  try {
    const r = asn1js.fromBER(algorithm);
    if (r.offset === -1 || !(r.result instanceof asn1js.Sequence)) return undefined;
    const [oid, params] = r.result.valueBlock.value;
    if (!(oid instanceof asn1js.ObjectIdentifier) || !(params instanceof asn1js.Sequence)) return undefined;
    let pbeParams: asn1js.AsnType | undefined = params;
    if (oid.valueBlock.toString() === PBES2_OID) {
      // PBES2-params ::= SEQUENCE { keyDerivationFunc SEQUENCE { OID, PBKDF2-params }, encryptionScheme }
      const kdf = params.valueBlock.value[0];
      pbeParams = kdf instanceof asn1js.Sequence ? kdf.valueBlock.value[1] : undefined;
    }
    // PBKDF2-params and PBEParameter both are SEQUENCE { salt, iterationCount INTEGER, ... }.
    const count = pbeParams instanceof asn1js.Sequence ? pbeParams.valueBlock.value[1] : undefined;
    return count instanceof asn1js.Integer ? integerValue(count) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The value of a non-negative INTEGER: exact up to 6 bytes, Infinity beyond. (asn1js's own `valueDec`, which pkijs
 * uses, reads 4 bytes and more as 0.)
 */
export function integerValue(int: asn1js.Integer): number {
  const bytes = int.valueBlock.valueHexView;
  if (bytes.length > 6) return Number.POSITIVE_INFINITY;
  let n = 0;
  for (const b of bytes) n = n * 256 + b;
  return n;
}

/**
 * Refuses an iteration count above {@link MAX_PBE_ITERATIONS}.
 * @throws InputError `unsupported` naming `what` and the count
 */
export function checkIterationCount(n: number, what: string, file?: string): void {
  if (n > MAX_PBE_ITERATIONS) {
    const count = Number.isFinite(n) ? String(n) : 'an absurd number of';
    fail('unsupported', `${what} asks for ${count} key-derivation iterations; certbench runs at most ${MAX_PBE_ITERATIONS} (OpenSSL writes 2048) so that a damaged or hostile file cannot stall it`, file);
  }
}

/**
 * Refuses a password-based encryption AlgorithmIdentifier (DER) that asks for more than {@link MAX_PBE_ITERATIONS}.
 * @throws InputError `unsupported` naming `what` and the count
 */
export function checkPbeIterations(algorithm: Uint8Array, what: string, file?: string): void {
  const n = pbeIterations(algorithm);
  if (n !== undefined) checkIterationCount(n, what, file);
}

/** The AlgorithmIdentifier (DER) of an EncryptedPrivateKeyInfo, or undefined when the bytes are not one. */
export function encryptedKeyAlgorithm(der: Uint8Array): Uint8Array | undefined {
  const outer = readHeader(der, 0);
  if (!outer || der[0] !== 0x30 || der[outer.contentStart] !== 0x30) return undefined;
  const alg = readHeader(der, outer.contentStart);
  if (!alg || alg.length === null) return undefined;
  return der.subarray(outer.contentStart, alg.contentStart + alg.length);
}
