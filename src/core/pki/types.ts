import type { KeyObject } from 'node:crypto';

/** Public-key algorithm families certbench handles. */
export type KeyAlgorithm = 'rsa' | 'ecdsa' | 'ed25519';
/** Named EC curves we generate (P-521 is read but not generated). */
export type EcCurve = 'P-256' | 'P-384' | 'P-521';

/** Size and family of a public key. */
export interface KeyInfo {
  algorithm: KeyAlgorithm;
  /** Modulus bits for RSA, field size for EC, 256 for Ed25519. */
  bits: number;
  curve?: EcCurve;
}

/** How a private key was (or is to be) encoded. */
export type PrivateKeyEncoding = 'pkcs1' | 'pkcs8' | 'pkcs8-encrypted' | 'sec1' | 'pkcs12';

/** What one decoded object is. */
export type ItemKind = 'certificate' | 'csr' | 'private-key' | 'public-key';

interface ItemBase {
  /** The file (or label) it came from. */
  file: string;
  /** Position in that file, 0-based, in order of appearance. */
  index: number;
  /** `pem`, `der` or `pkcs12` container it was read from. */
  container: 'pem' | 'der' | 'pkcs12';
}

/** An X.509 certificate. */
export interface CertificateItem extends ItemBase {
  kind: 'certificate';
  der: Uint8Array;
}

/** A PKCS#10 certificate signing request. */
export interface CsrItem extends ItemBase {
  kind: 'csr';
  der: Uint8Array;
}

/** A private key, decrypted. Never serialised to logs or the renderer. */
export interface PrivateKeyItem extends ItemBase {
  kind: 'private-key';
  key: KeyObject;
  encoding: PrivateKeyEncoding;
}

/** A bare public key (SubjectPublicKeyInfo or PKCS#1 RSAPublicKey). */
export interface PublicKeyItem extends ItemBase {
  kind: 'public-key';
  key: KeyObject;
}

/** Anything `decode` can return. */
export type DecodedItem = CertificateItem | CsrItem | PrivateKeyItem | PublicKeyItem;

/** Options for reading user input. */
export interface DecodeParams {
  /** Name used in errors and results (the path, or "pasted text"). */
  file?: string;
  /** Passphrase for encrypted PKCS#8, legacy encrypted PEM and PKCS#12. */
  passphrase?: string;
}

/** Largest input we read: anything bigger is not a certificate file. */
export const MAX_INPUT_BYTES = 1024 * 1024;
