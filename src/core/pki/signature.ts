import * as asn1js from 'asn1js';
import { InputError } from '../errors.js';

// OpenSSL's names for the signature algorithms certbench meets in certificates and CSRs.
const SIG_NAMES: Record<string, string> = {
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'rsassaPss',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.14': 'sha224WithRSAEncryption',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.1': 'ecdsa-with-SHA224',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.3.101.112': 'ED25519',
  '1.3.101.113': 'ED448',
};

/** OpenSSL's name for a signature algorithm OID (sha256WithRSAEncryption, ecdsa-with-SHA384, ED25519, rsassaPss, ...), or the OID itself when it has none. */
export function signatureAlgorithmName(oid: string): string {
  return SIG_NAMES[oid] ?? oid;
}

/** Node digest names for the hash-then-sign algorithms, keyed by OpenSSL's algorithm name. */
export const SIGNATURE_HASH: Record<string, string> = {
  md5WithRSAEncryption: 'md5', sha1WithRSAEncryption: 'sha1', sha224WithRSAEncryption: 'sha224',
  sha256WithRSAEncryption: 'sha256', sha384WithRSAEncryption: 'sha384', sha512WithRSAEncryption: 'sha512',
  'ecdsa-with-SHA1': 'sha1', 'ecdsa-with-SHA224': 'sha224', 'ecdsa-with-SHA256': 'sha256',
  'ecdsa-with-SHA384': 'sha384', 'ecdsa-with-SHA512': 'sha512',
};

/** The outer parts of a signed X.509 structure (certificate, CSR, CRL). */
export interface SignedParts {
  /** The signed bytes exactly as encoded (the signature covers these, not a re-encoding). */
  tbs: Uint8Array;
  algorithmOid: string;
  /** OpenSSL's name (sha256WithRSAEncryption, ecdsa-with-SHA384, ED25519, ...), or the OID when unknown. */
  algorithmName: string;
}

/**
 * Splits `SEQUENCE { tbs, AlgorithmIdentifier, BIT STRING }` into its signed bytes and algorithm.
 * @throws InputError `unknown-content` when the bytes do not have that shape
 */
export function signedParts(der: Uint8Array): SignedParts {
  try {
    const parsed = asn1js.fromBER(der);
    if (parsed.offset === -1) throw new Error(parsed.result.error);
    const top = (parsed.result as asn1js.Sequence).valueBlock.value;
    const tbs = top[0]!.valueBeforeDecodeView;
    const algorithmOid = ((top[1] as asn1js.Sequence).valueBlock.value[0] as asn1js.ObjectIdentifier).valueBlock.toString();
    return { tbs: new Uint8Array(tbs), algorithmOid, algorithmName: signatureAlgorithmName(algorithmOid) };
  } catch (e) {
    throw new InputError('unknown-content', 'the data is not a signed X.509 structure', { cause: e });
  }
}
