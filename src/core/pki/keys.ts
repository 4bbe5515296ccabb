import { createPublicKey, generateKeyPair, webcrypto, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { fail } from '../errors.js';
import type { X509Crypto } from './crypto.js';
import type { EcCurve, KeyAlgorithm, KeyInfo } from './types.js';

// The same provider crypto.ts registers, named here without importing it: keygen and match would
// otherwise load @peculiar/x509 (and reflect-metadata) for nothing.
const defaultCrypto = webcrypto as unknown as NonNullable<X509Crypto>;

const generateKeyPairAsync = promisify(generateKeyPair);

/** What key to generate; RSA defaults to 2048 bits, ECDSA to P-256. */
export interface KeygenParams {
  alg: KeyAlgorithm;
  /** RSA modulus size: 2048, 3072 or 4096 (ignored for ECDSA and Ed25519). */
  bits?: number;
  /** ECDSA curve: P-256 or P-384 (ignored for RSA and Ed25519). */
  curve?: string;
}

const RSA_BITS = [2048, 3072, 4096] as const;
const GENERATED_CURVES = ['P-256', 'P-384'] as const;

/**
 * Generates a private key without blocking the event loop (RSA-4096 takes seconds).
 * @throws InputError `invalid-value` for an unknown algorithm, an RSA size other than 2048/3072/4096, or a curve other than P-256/P-384
 */
export async function generatePrivateKey(p: KeygenParams): Promise<KeyObject> {
  switch (p.alg) {
    case 'rsa': {
      const bits = p.bits ?? 2048;
      if (!(RSA_BITS as readonly number[]).includes(bits)) {
        const why = Number.isInteger(bits) && bits < 2048 ? 'keys shorter than 2048 bits are too weak to use' : 'only 2048, 3072 and 4096 are offered';
        fail('invalid-value', `RSA key size ${String(bits)} is not allowed: ${why}`);
      }
      const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: bits, publicExponent: 0x10001 });
      return privateKey;
    }
    case 'ecdsa': {
      const curve = p.curve ?? 'P-256';
      if (!(GENERATED_CURVES as readonly string[]).includes(curve)) {
        fail('invalid-value', `EC curve "${curve}" is not offered: choose P-256 or P-384`);
      }
      const { privateKey } = await generateKeyPairAsync('ec', { namedCurve: curve });
      return privateKey;
    }
    case 'ed25519': {
      const { privateKey } = await generateKeyPairAsync('ed25519');
      return privateKey;
    }
    default:
      return fail('invalid-value', `key algorithm "${String(p.alg)}" is not known: choose rsa, ecdsa or ed25519`);
  }
}

// Node reports OpenSSL's curve names; certbench speaks the NIST ones.
const CURVES: Record<string, { curve: EcCurve; bits: number }> = {
  prime256v1: { curve: 'P-256', bits: 256 },
  secp384r1: { curve: 'P-384', bits: 384 },
  secp521r1: { curve: 'P-521', bits: 521 },
};

/**
 * Family, size and curve of a public or private key.
 * @throws InputError `unsupported` for key types certbench does not handle (DSA, X25519, Ed448, other curves), `wrong-kind` for a secret key
 */
export function keyInfo(key: KeyObject): KeyInfo {
  if (key.type === 'secret') fail('wrong-kind', 'expected a public or private key, got a secret (symmetric) key');
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss':
      return { algorithm: 'rsa', bits: details.modulusLength ?? 0 };
    case 'ec': {
      const c = CURVES[details.namedCurve ?? ''];
      if (!c) fail('unsupported', `EC curve "${details.namedCurve ?? 'unknown'}" is not supported (P-256, P-384 and P-521 are)`);
      return { algorithm: 'ecdsa', bits: c.bits, curve: c.curve };
    }
    case 'ed25519':
      return { algorithm: 'ed25519', bits: 256 };
    default:
      return fail('unsupported', `key type "${key.asymmetricKeyType ?? 'unknown'}" is not supported (RSA, ECDSA and Ed25519 are)`);
  }
}

/** Private key encodings: PKCS#8 (any key), PKCS#1 (RSA only), SEC1 (EC only). */
/** A key as people name it: `RSA-2048`, `ECDSA P-256`, `Ed25519`. */
export function describeKey(k: KeyInfo): string {
  if (k.algorithm === 'rsa') return `RSA-${k.bits}`;
  if (k.algorithm === 'ecdsa') return `ECDSA ${k.curve ?? `${k.bits}-bit`}`;
  return 'Ed25519';
}

export type KeyFormat = 'pkcs8' | 'pkcs1' | 'sec1';

/** How to write a private key. */
export interface ExportKeyParams {
  format: KeyFormat;
  /** DER bytes instead of PEM text. */
  der?: boolean;
  /** Encrypts as PKCS#8 PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC); only with `pkcs8`. */
  passphrase?: string;
}

/**
 * Encodes a private key as PEM text, or DER bytes when `der` is set.
 * @throws InputError `unsupported` for pkcs1 with a non-RSA key, sec1 with a non-EC key, or a passphrase with pkcs1/sec1; `wrong-kind` for a public key; `invalid-value` for an empty passphrase
 */
export function exportPrivateKey(key: KeyObject, p: ExportKeyParams): string | Buffer {
  if (key.type !== 'private') fail('wrong-kind', `expected a private key, got a ${key.type} key`);
  const type = key.asymmetricKeyType;
  let opts: { type: KeyFormat; cipher?: string; passphrase?: string };
  switch (p.format) {
    case 'pkcs1':
      if (type !== 'rsa') fail('unsupported', `PKCS#1 holds only RSA keys; this is ${describeType(type)} key (use pkcs8${type === 'ec' ? ' or sec1' : ''})`);
      if (p.passphrase !== undefined) fail('unsupported', 'a passphrase needs the pkcs8 format: PKCS#1 keys are written unencrypted');
      opts = { type: 'pkcs1' };
      break;
    case 'sec1':
      if (type !== 'ec') fail('unsupported', `SEC1 holds only EC keys; this is ${describeType(type)} key (use pkcs8${type === 'rsa' ? ' or pkcs1' : ''})`);
      if (p.passphrase !== undefined) fail('unsupported', 'a passphrase needs the pkcs8 format: SEC1 keys are written unencrypted');
      opts = { type: 'sec1' };
      break;
    case 'pkcs8':
      if (p.passphrase === undefined) {
        opts = { type: 'pkcs8' };
      } else {
        if (p.passphrase.length === 0) fail('invalid-value', 'the passphrase is empty: give a non-empty passphrase or none');
        // OpenSSL 3 turns this into PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC.
        opts = { type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: p.passphrase };
      }
      break;
    default:
      return fail('unsupported', `key format "${String(p.format)}" is not known: choose pkcs8, pkcs1 or sec1`);
  }
  return p.der ? key.export({ ...opts, format: 'der' }) : (key.export({ ...opts, format: 'pem' }) as string);
}

function describeType(type: string | undefined): string {
  switch (type) {
    case 'rsa': return 'an RSA';
    case 'ec': return 'an EC';
    case 'ed25519': return 'an Ed25519';
    default: return `a ${type ?? 'unknown'}`;
  }
}

function publicOf(key: KeyObject): KeyObject {
  if (key.type === 'secret') fail('wrong-kind', 'expected a public or private key, got a secret (symmetric) key');
  return key.type === 'public' ? key : createPublicKey(key);
}

/** The public part of a public or private key as a SubjectPublicKeyInfo PEM ("PUBLIC KEY"). @throws InputError `wrong-kind` for a secret key */
export function exportPublicKeyPem(key: KeyObject): string {
  return publicOf(key).export({ type: 'spki', format: 'pem' }) as string;
}

/** SubjectPublicKeyInfo DER of the public part of a public or private key. @throws InputError `wrong-kind` for a secret key */
export function spkiDer(key: KeyObject): Buffer {
  return publicOf(key).export({ type: 'spki', format: 'der' });
}

/** A WebCrypto key pair and the signature algorithm @peculiar/x509 should sign with. */
export interface SigningKeyPair {
  keys: { privateKey: webcrypto.CryptoKey; publicKey: webcrypto.CryptoKey };
  signingAlgorithm: webcrypto.AlgorithmIdentifier | webcrypto.EcdsaParams | webcrypto.RsaHashedImportParams;
}

/**
 * Imports a private key into WebCrypto for @peculiar/x509 signing: RSASSA-PKCS1-v1_5/SHA-256,
 * ECDSA with SHA-256 (P-256), SHA-384 (P-384) or SHA-512 (P-521), or Ed25519.
 * @throws InputError `wrong-kind` for a public key, `unsupported` for other key types
 */
export async function toCryptoKeyPair(key: KeyObject, crypto: X509Crypto = defaultCrypto): Promise<SigningKeyPair> {
  if (key.type !== 'private') fail('wrong-kind', `signing needs a private key, got a ${key.type} key`);
  const info = keyInfo(key);
  if (key.asymmetricKeyType === 'rsa-pss') fail('unsupported', 'RSA-PSS keys are not supported for signing; use a plain RSA key');
  let importAlg: webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams | webcrypto.Algorithm;
  let signingAlgorithm: SigningKeyPair['signingAlgorithm'];
  switch (info.algorithm) {
    case 'rsa':
      importAlg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
      signingAlgorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as webcrypto.RsaHashedImportParams;
      break;
    case 'ecdsa': {
      const hash = info.curve === 'P-384' ? 'SHA-384' : info.curve === 'P-521' ? 'SHA-512' : 'SHA-256';
      importAlg = { name: 'ECDSA', namedCurve: info.curve! };
      signingAlgorithm = { name: 'ECDSA', hash };
      break;
    }
    case 'ed25519':
      importAlg = { name: 'Ed25519' };
      signingAlgorithm = { name: 'Ed25519' };
      break;
  }
  // Casts: x509's crypto type is the DOM one, structurally Node's webcrypto.
  const subtle = (crypto as unknown as webcrypto.Crypto).subtle;
  const pkcs8 = key.export({ type: 'pkcs8', format: 'der' });
  const privateKey = await subtle.importKey('pkcs8', pkcs8, importAlg, false, ['sign']);
  const publicKey = await subtle.importKey('spki', spkiDer(key), importAlg, true, ['verify']);
  return { keys: { privateKey, publicKey }, signingAlgorithm };
}
