import type * as ForgeModule from 'node-forge';
import { fail } from '../errors.js';

type Forge = typeof ForgeModule;

// node-forge's typings leave out pki.pbe; this is the one function used from it.
interface ForgePbe {
  getCipherForPBES2(oid: string, params: ForgeModule.asn1.Asn1, password: string): ForgeModule.cipher.BlockCipher;
}

const PBES2 = '1.2.840.113549.1.5.13';

// PKCS#12 PBE schemes (RFC 7292 appendix C): key and IV lengths in bytes, and the cipher forge runs.
const PKCS12_PBE: Record<string, { keyLen: number; cipher: 'rc2-40' | 'rc2-128' | '3des' | '2des' }> = {
  '1.2.840.113549.1.12.1.3': { keyLen: 24, cipher: '3des' },
  '1.2.840.113549.1.12.1.4': { keyLen: 16, cipher: '2des' },
  '1.2.840.113549.1.12.1.5': { keyLen: 16, cipher: 'rc2-128' },
  '1.2.840.113549.1.12.1.6': { keyLen: 5, cipher: 'rc2-40' },
};

// PBES2 encryption schemes forge decrypts and WebCrypto (so pkijs) does not.
const PBES2_SCHEMES = new Set(['1.2.840.113549.3.7' /* des-ede3-cbc */, '1.3.14.3.2.7' /* des-cbc */]);

let forgeLoad: Promise<Forge> | undefined;

// Loaded on first use only, so the CLI and files under modern algorithms never pay for node-forge.
function loadForge(): Promise<Forge> {
  forgeLoad ??= import('node-forge').then((m) => ((m as { default?: Forge }).default ?? (m as unknown as Forge)));
  return forgeLoad;
}

/**
 * Whether {@link decryptLegacy} handles this algorithm: the PKCS#12 PBE schemes with 3DES or RC2,
 * or PBES2 with DES/3DES. Checked from the OIDs alone, without loading node-forge.
 */
export function isLegacyDecryptable(algorithmOid: string, pbes2SchemeOid?: string): boolean {
  if (algorithmOid in PKCS12_PBE) return true;
  return algorithmOid === PBES2 && pbes2SchemeOid !== undefined && PBES2_SCHEMES.has(pbes2SchemeOid);
}

function binary(u: Uint8Array): string {
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('binary');
}

/**
 * Decrypts data under a legacy password-based scheme (see {@link isLegacyDecryptable}) with node-forge.
 * `algorithm` is the DER AlgorithmIdentifier. Returns null when the padding check fails (a wrong passphrase, or damage).
 * @throws InputError `unsupported` (an algorithm it does not handle), `unknown-content` (malformed parameters)
 */
export async function decryptLegacy(algorithm: Uint8Array, encrypted: Uint8Array, password: string, file?: string): Promise<Uint8Array | null> {
  const forge = await loadForge();
  const { asn1 } = forge;
  let oid: string;
  let params: ForgeModule.asn1.Asn1;
  try {
    const alg = asn1.fromDer(binary(algorithm), true);
    const parts = alg.value as ForgeModule.asn1.Asn1[];
    oid = asn1.derToOid(parts[0]!.value as string);
    params = parts[1]!;
  } catch {
    return fail('unknown-content', 'the encryption parameters in the PKCS#12 file are malformed', file);
  }

  let cipher: { update(b: ForgeModule.util.ByteBuffer): void; finish(): boolean; output: ForgeModule.util.ByteBuffer };
  const scheme = PKCS12_PBE[oid];
  try {
    if (scheme) {
      // PBEParameter ::= SEQUENCE { salt OCTET STRING, iterations INTEGER }
      const [saltAsn, iterAsn] = params.value as ForgeModule.asn1.Asn1[];
      const iterBytes = forge.util.createBuffer(iterAsn!.value as string);
      const iterations = iterBytes.getInt(iterBytes.length() * 8);
      // forge takes the passphrase as a JS string and derives from its UTF-16 units, as RFC 7292 (and OpenSSL) do.
      const key = forge.pkcs12.generateKey(password, forge.util.createBuffer(saltAsn!.value as string), 1, iterations, scheme.keyLen).getBytes();
      const iv = forge.pkcs12.generateKey(password, forge.util.createBuffer(saltAsn!.value as string), 2, iterations, 8).getBytes();
      if (scheme.cipher === 'rc2-40' || scheme.cipher === 'rc2-128') {
        const rc2 = forge.rc2.createDecryptionCipher(key, scheme.cipher === 'rc2-40' ? 40 : 128);
        rc2.start(iv, undefined);
        cipher = rc2;
      } else {
        // Two-key 3DES is three-key 3DES with K3 = K1.
        const des = forge.cipher.createDecipher('3DES-CBC', scheme.cipher === '2des' ? key + key.slice(0, 8) : key);
        des.start({ iv });
        cipher = des;
      }
    } else if (oid === PBES2) {
      // PBES2 runs PBKDF2 over the passphrase's UTF-8 bytes, which forge expects as a binary string.
      cipher = (forge.pki as unknown as { pbe: ForgePbe }).pbe.getCipherForPBES2(oid, params, forge.util.encodeUtf8(password));
    } else {
      return fail('unsupported', `the PKCS#12 file uses encryption algorithm ${oid}, which certbench cannot decrypt`, file);
    }
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    if (/unsupported/i.test(msg)) return fail('unsupported', `the PKCS#12 file uses an encryption scheme certbench cannot decrypt (${msg})`, file);
    return fail('unknown-content', 'the encryption parameters in the PKCS#12 file are malformed', file);
  }

  cipher.update(forge.util.createBuffer(binary(encrypted)));
  if (!cipher.finish()) return null;
  return new Uint8Array(Buffer.from(cipher.output.getBytes(), 'binary'));
}
