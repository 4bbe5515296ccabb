import { createHash, createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { fail, InputError } from '../errors.js';
import { checkIterationCount, checkPbeIterations, integerValue, looksLikePkcs12, MAX_PBE_ITERATIONS, readHeader } from './pkcs12-sniff.js';

export { looksLikePkcs12 } from './pkcs12-sniff.js';
import { defaultCrypto, type X509Crypto } from './crypto.js';
import { decryptLegacy, isLegacyDecryptable } from './pkcs12-legacy.js';

/** What a PKCS#12 file holds: its private keys and its certificates (DER, in file order). */
export interface Pkcs12Contents {
  keys: KeyObject[];
  certificates: Uint8Array[];
}

/** What to put in a PKCS#12 file. */
export interface WritePkcs12Params {
  key: KeyObject;
  /** Leaf first, then its chain; DER. The first certificate must belong to `key`. */
  certificates: Uint8Array[];
  passphrase: string;
  /** Shown by devices and `openssl pkcs12 -info` as the key's alias. */
  friendlyName?: string;
  /** PBKDF2 and MAC iterations; OpenSSL 3 uses 2048. */
  iterations?: number;
}

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  envelopedData: '1.2.840.113549.1.7.3',
  encryptedData: '1.2.840.113549.1.7.6',
  pbes2: '1.2.840.113549.1.5.13',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  safeContentsBag: '1.2.840.113549.1.12.10.1.6',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
} as const;

// MAC digests pkijs can derive a PKCS#12 MAC key for.
const MAC_DIGESTS: Record<string, string> = {
  '1.3.14.3.2.26': 'SHA-1',
  '2.16.840.1.101.3.4.2.1': 'SHA-256',
  '2.16.840.1.101.3.4.2.2': 'SHA-384',
  '2.16.840.1.101.3.4.2.3': 'SHA-512',
};

// Names for the algorithms engineers meet in older PKCS#12 files, so the error can say which one it was.
const LEGACY_NAMES: Record<string, string> = {
  '1.2.840.113549.1.12.1.1': 'pbeWithSHAAnd128BitRC4',
  '1.2.840.113549.1.12.1.2': 'pbeWithSHAAnd40BitRC4',
  '1.2.840.113549.1.12.1.3': 'pbeWithSHAAnd3-KeyTripleDES-CBC',
  '1.2.840.113549.1.12.1.4': 'pbeWithSHAAnd2-KeyTripleDES-CBC',
  '1.2.840.113549.1.12.1.5': 'pbeWithSHAAnd128BitRC2-CBC',
  '1.2.840.113549.1.12.1.6': 'pbeWithSHAAnd40BitRC2-CBC',
  '1.2.840.113549.3.7': 'DES-EDE3-CBC',
  '1.3.14.3.2.7': 'DES-CBC',
  '1.2.840.113549.3.2': 'RC2-CBC',
  '1.2.840.113549.2.5': 'MD5',
  '1.2.840.113549.1.5.14': 'PBMAC1',
};

// Said when neither pkijs nor the node-forge fallback can read the file.
const READ_HINT = 'convert it with OpenSSL 3 first: openssl pkcs12 -in OLD.p12 -legacy -nodes | openssl pkcs12 -export -out NEW.p12';

const engines = new WeakMap<object, pkijs.ICryptoEngine>();

// pkijs needs its own engine object around WebCrypto; one per crypto implementation is enough.
function engineFor(crypto: X509Crypto): pkijs.ICryptoEngine {
  const key = crypto as object;
  let e = engines.get(key);
  if (!e) {
    e = new pkijs.CryptoEngine({ name: 'certbench', crypto: crypto as never });
    engines.set(key, e);
  }
  return e;
}

function algName(oid: string): string {
  return LEGACY_NAMES[oid] ?? `algorithm ${oid}`;
}

function utf8(s: string): ArrayBuffer {
  const b = new TextEncoder().encode(s);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

function ab(u: Uint8Array): ArrayBuffer {
  return u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer;
}

/**
 * Opens a PKCS#12 (PFX) file: checks its MAC with the passphrase, decrypts its keys and certificates.
 * Reads OpenSSL 3 defaults (PBES2/AES, SHA-256 MAC) with pkijs, and the legacy PKCS#12 PBE schemes
 * (3DES, RC2-40/128, as in OpenSSL 1.x, `-legacy`, Java and Windows exports) and PBES2/DES with node-forge, loaded only then.
 * @throws InputError `passphrase-required` (none given and the empty one does not open it), `wrong-passphrase` (MAC or decryption fails),
 *   `unsupported` (RC4 and other unknown algorithms, public-key integrity/privacy, more than MAX_PBE_ITERATIONS iterations), `truncated`, `empty`, `unknown-content`
 */
export async function readPkcs12(der: Uint8Array, passphrase: string | undefined, file?: string, crypto: X509Crypto = defaultCrypto): Promise<Pkcs12Contents> {
  if (der.length === 0) fail('empty', 'the file is empty', file);
  const engine = engineFor(crypto);
  const pfx = parsePfx(der, file);

  let password = passphrase;
  if (password === undefined) {
    // Some exports use an empty passphrase; OpenSSL tries it too before asking.
    if (pfx.macData && (await macMatches(pfx, '', engine, file))) password = '';
    else fail('passphrase-required', 'this PKCS#12 file is protected by a passphrase; give its passphrase to open it', file);
  } else if (pfx.macData && !(await macMatches(pfx, password, engine, file))) {
    fail('wrong-passphrase', 'the passphrase is wrong (the PKCS#12 integrity check failed)', file);
  }

  const out: Pkcs12Contents = { keys: [], certificates: [] };
  const authSafe = pkijsParse(() => {
    const content = pfx.authSafe.content as unknown;
    if (!(content instanceof asn1js.OctetString)) throw new Error('authSafe content is not an OCTET STRING');
    return pkijs.AuthenticatedSafe.fromBER(content.getValue());
  }, file);
  // Without a MAC a wrong passphrase only shows as garbage after decryption.
  const checked = pfx.macData !== undefined;
  for (const ci of authSafe.safeContents) {
    const contents = await openSafeContents(ci, password, checked, engine, file);
    await walkBags(contents.safeBags, password, checked, out, file);
  }
  if (out.keys.length === 0 && out.certificates.length === 0) fail('unknown-content', 'the PKCS#12 file holds no private key and no certificate', file);
  return out;
}

function parsePfx(der: Uint8Array, file: string | undefined): pkijs.PFX {
  if (!looksLikePkcs12(der)) fail('unknown-content', 'this is not a PKCS#12 (PFX) file', file);
  const outer = readHeader(der, 0)!;
  if (outer.length !== null && outer.contentStart + outer.length > der.length) {
    fail('truncated', `the PKCS#12 file is cut short (${der.length} of ${outer.contentStart + outer.length} bytes)`, file);
  }
  // asn1js throws, instead of reporting, on some damage (a malformed time value). The authSafe OCTET STRING is
  // read again from its bytes below, so asn1js need not also try to parse what it holds.
  const asn = pkijsParse(() => asn1js.fromBER(der, { parseEmbedded: false }), file);
  if (asn.offset === -1) {
    const reason = asn.result.error;
    if (/end of input|too short|not enough/i.test(reason)) fail('truncated', 'the PKCS#12 file is cut short', file);
    fail('unknown-content', `the PKCS#12 structure is malformed (${reason})`, file);
  }
  const pfx = pkijsParse(() => new pkijs.PFX({ schema: asn.result }), file);
  // pkijs reads a count of 4 bytes or more as 0, so the MAC's iteration count is checked from the DER itself.
  const macData = (asn.result as asn1js.Sequence).valueBlock.value[2];
  const macCount = macData instanceof asn1js.Sequence ? macData.valueBlock.value[2] : undefined;
  if (macCount instanceof asn1js.Integer) checkIterationCount(integerValue(macCount), 'the integrity check (MAC) of this PKCS#12 file', file);
  if (pfx.authSafe.contentType === OID.signedData) {
    fail('unsupported', 'this PKCS#12 file uses public-key (signature) integrity; only passphrase-protected files are supported', file);
  }
  if (pfx.authSafe.contentType !== OID.data) fail('unknown-content', `the PKCS#12 content type ${pfx.authSafe.contentType} is not known`, file);
  return pfx;
}

function pkijsParse<T>(f: () => T, file: string | undefined): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof InputError) throw err;
    return fail('unknown-content', `the PKCS#12 structure is malformed (${reason(err)})`, file);
  }
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function macMatches(pfx: pkijs.PFX, password: string, engine: pkijs.ICryptoEngine, file: string | undefined): Promise<boolean> {
  const mac = pfx.macData!;
  const oid = mac.mac.digestAlgorithm.algorithmId;
  const hash = MAC_DIGESTS[oid];
  if (!hash) fail('unsupported', `the PKCS#12 integrity check uses ${algName(oid)}, which certbench cannot verify; ${READ_HINT}`, file);
  const content = pfx.authSafe.content as unknown;
  if (!(content instanceof asn1js.OctetString)) fail('unknown-content', 'the PKCS#12 authSafe content is not an OCTET STRING', file);
  return engine.verifyDataStampedWithPassword({
    password: utf8(password),
    hashAlgorithm: hash,
    salt: ab(mac.macSalt.valueBlock.valueHexView),
    iterationCount: mac.iterations ?? 1,
    contentToVerify: ab(new Uint8Array(content.getValue())),
    signatureToVerify: ab(mac.mac.digest.valueBlock.valueHexView),
  });
}

async function openSafeContents(ci: pkijs.ContentInfo, password: string, checked: boolean, engine: pkijs.ICryptoEngine, file: string | undefined): Promise<pkijs.SafeContents> {
  switch (ci.contentType) {
    case OID.data:
      return pkijsParse(() => {
        const content = ci.content as unknown;
        if (!(content instanceof asn1js.OctetString)) throw new Error('SafeContents data is not an OCTET STRING');
        return safeContentsFromBER(content.getValue());
      }, file);
    case OID.encryptedData: {
      const enc = pkijsParse(() => new pkijs.EncryptedData({ schema: ci.content }), file);
      const alg = enc.encryptedContentInfo.contentEncryptionAlgorithm;
      const scheme = alg.algorithmId === OID.pbes2
        ? pkijsParse(() => new pkijs.PBES2Params({ schema: alg.algorithmParams }).encryptionScheme.algorithmId, file)
        : undefined;
      checkPbeIterations(new Uint8Array(alg.toSchema().toBER(false)), 'the encryption of the certificates in this PKCS#12 file', file);
      const legacy = isLegacyDecryptable(alg.algorithmId, scheme);
      if (!legacy && scheme === undefined) {
        fail('unsupported', `the certificates in this PKCS#12 file are encrypted with ${algName(alg.algorithmId)} (a legacy algorithm from OpenSSL 1.x or Windows exports), which certbench cannot decrypt; ${READ_HINT}`, file);
      }
      if (!legacy && !scheme!.startsWith('2.16.840.1.101.3.4.1.')) {
        fail('unsupported', `the certificates in this PKCS#12 file are encrypted with PBES2/${algName(scheme!)}, which certbench cannot decrypt (AES, DES and 3DES are supported); ${READ_HINT}`, file);
      }
      const wrong = (): never => fail('wrong-passphrase', 'the passphrase is wrong, or the file is damaged (the certificates could not be decrypted)', file);
      let plain: ArrayBuffer;
      if (legacy) {
        // WebCrypto has no RC2 or 3DES, so pkijs cannot decrypt these; node-forge can.
        const bytes = await decryptLegacy(new Uint8Array(alg.toSchema().toBER(false)), new Uint8Array(enc.encryptedContentInfo.getEncryptedContent()), password, file);
        if (!bytes) return checked ? fail('unknown-content', 'the certificates in the PKCS#12 file could not be decrypted (bad padding)', file) : wrong();
        plain = ab(bytes);
      } else {
        try {
          plain = await enc.decrypt({ password: utf8(password) }, engine);
        } catch (err) {
          return checked ? fail('unknown-content', `the certificates in the PKCS#12 file could not be decrypted (${reason(err)})`, file) : wrong();
        }
      }
      if (!checked) {
        try {
          return safeContentsFromBER(plain);
        } catch {
          return wrong();
        }
      }
      return pkijsParse(() => safeContentsFromBER(plain), file);
    }
    case OID.envelopedData:
      return fail('unsupported', 'this PKCS#12 file encrypts its contents to a certificate (public-key privacy); only passphrase-protected files are supported', file);
    default:
      return fail('unknown-content', `the PKCS#12 file holds an unknown content type ${ci.contentType}`, file);
  }
}

/**
 * pkijs.SafeContents.fromBER, except that an X.509 certificate bag keeps its certificate as bytes, checked by
 * node:crypto: pkijs builds a full Certificate object of each (most of the time spent reading a PKCS#12 file),
 * which certbench never uses. Every other bag, and every bag of a shape pkijs would refuse, is left to pkijs,
 * and it fails with pkijs's own messages.
 */
function safeContentsFromBER(ber: ArrayBuffer): pkijs.SafeContents {
  // asn1js would also try to parse the inside of every OCTET STRING (each certificate, each encrypted key) as ASN.1,
  // which nothing here reads: the bags' schemas stop at their OCTET STRINGs and pkijs reads them from their bytes.
  const asn = asn1js.fromBER(ber, { parseEmbedded: false });
  if (asn.offset === -1) throw new Error("Error during parsing of ASN.1 data. Data is not correct for 'SafeContents'.");
  try {
    const parsed = matchSchema<{ safeBags: asn1js.AsnType[] }>(asn.result, pkijs.SafeContents.schema({ names: { safeBags: 'safeBags' } }));
    if (!parsed) throw new Error("Object's schema was not verified against input data for SafeContents");
    return new pkijs.SafeContents({ safeBags: Array.from(parsed.safeBags, safeBagOf) });
  } catch {
    throw new Error("Cannot create 'SafeContents' from ASN.1 object");
  }
}

function safeBagOf(element: asn1js.AsnType): pkijs.SafeBag {
  const b = matchSchema<{ bagId: asn1js.ObjectIdentifier; bagValue: asn1js.AsnType; bagAttributes?: asn1js.AsnType[] }>(element,
    pkijs.SafeBag.schema({ names: { bagId: 'bagId', bagValue: 'bagValue', bagAttributes: 'bagAttributes' } }));
  if (b?.bagId.valueBlock.toString() !== OID.certBag) return new pkijs.SafeBag({ schema: element });
  const c = matchSchema<{ certId: asn1js.ObjectIdentifier; certValue: asn1js.AsnType }>(b.bagValue, pkijs.CertBag.schema({ names: { id: 'certId', value: 'certValue' } }));
  const value = c?.certValue;
  if (c?.certId.valueBlock.toString() !== OID.x509Certificate || !(value instanceof asn1js.OctetString) || value.idBlock.isConstructed) {
    return new pkijs.SafeBag({ schema: element });
  }
  // What node:crypto reads is a certificate (it is what reads it later); anything else is judged by pkijs as it
  // always was: its Certificate, or an attribute certificate, or the whole SafeContents is refused.
  if (!readsAsCertificate(value.valueBlock.valueHexView)) {
    try {
      pkijs.Certificate.fromBER(value.valueBlock.valueHexView);
    } catch {
      pkijs.AttributeCertificateV2.fromBER(value.valueBlock.valueHexView);
    }
  }
  return new pkijs.SafeBag({
    bagId: OID.certBag,
    bagValue: new pkijs.CertBag({ certId: OID.x509Certificate, certValue: value as never }),
    ...(b.bagAttributes ? { bagAttributes: Array.from(b.bagAttributes, (a) => new pkijs.Attribute({ schema: a })) } : {}),
  });
}

function readsAsCertificate(der: Uint8Array): boolean {
  try {
    new X509Certificate(der);
    return true;
  } catch {
    return false;
  }
}

// asn1js.compareSchema writes the parts it matched, by name, onto its first argument: a fresh object leaves the element as it was.
function matchSchema<T>(element: asn1js.AsnType, schema: asn1js.AsnType): T | undefined {
  const r = asn1js.compareSchema({} as asn1js.AsnType, element, schema);
  return r.verified ? (r.result as unknown as T) : undefined;
}

async function walkBags(bags: pkijs.SafeBag[], password: string, checked: boolean, out: Pkcs12Contents, file: string | undefined): Promise<void> {
  for (const bag of bags) {
    switch (bag.bagId) {
      case OID.keyBag:
        out.keys.push(importKey(() => createPrivateKey({ key: derOf(bag.bagValue), format: 'der', type: 'pkcs8' }), true, file));
        break;
      case OID.shroudedKeyBag:
        out.keys.push(await shroudedKey(bag.bagValue as pkijs.PKCS8ShroudedKeyBag, password, checked, file));
        break;
      case OID.certBag: {
        const cb = bag.bagValue as pkijs.CertBag;
        if (cb.certId !== OID.x509Certificate) break;
        const v = cb.certValue as unknown;
        if (!(v instanceof asn1js.OctetString)) fail('unknown-content', 'a certificate in the PKCS#12 file is not wrapped in an OCTET STRING', file);
        out.certificates.push(new Uint8Array(v.getValue()));
        break;
      }
      case OID.safeContentsBag:
        await walkBags((bag.bagValue as pkijs.SafeContents).safeBags, password, checked, out, file);
        break;
      default:
        // CRL and secret bags carry nothing certbench uses.
        break;
    }
  }
}

// Node (OpenSSL 3's default provider) decrypts PBES2 and PKCS#12 3DES keys; RC2 and PBES2/DES need node-forge.
async function shroudedKey(bag: pkijs.PKCS8ShroudedKeyBag, password: string, checked: boolean, file: string | undefined): Promise<KeyObject> {
  const alg = bag.encryptionAlgorithm;
  checkPbeIterations(new Uint8Array(alg.toSchema().toBER(false)), 'the encryption of the private key in this PKCS#12 file', file);
  let scheme: string | undefined;
  if (alg.algorithmId === OID.pbes2) {
    try {
      scheme = new pkijs.PBES2Params({ schema: alg.algorithmParams }).encryptionScheme.algorithmId;
    } catch {
      // Left to Node, which reports malformed parameters in its own way.
    }
  }
  if (isLegacyDecryptable(alg.algorithmId, scheme)) {
    try {
      return createPrivateKey({ key: derOf(bag), format: 'der', type: 'pkcs8', passphrase: password });
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      // Anything but "this cipher is not available" is judged as before; only that one goes to node-forge.
      if (!/unsupported/i.test(code) && !/unsupported/i.test(reason(err))) return importKey(() => { throw err; }, checked, file);
    }
    const pkcs8 = await decryptLegacy(new Uint8Array(alg.toSchema().toBER(false)), new Uint8Array(bag.encryptedData.getValue()), password, file);
    if (!pkcs8) {
      return checked
        ? fail('unknown-content', 'the private key in the PKCS#12 file could not be decrypted (bad padding)', file)
        : fail('wrong-passphrase', 'the passphrase is wrong, or the file is damaged (the private key could not be decrypted)', file);
    }
    return importKey(() => createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' }), checked, file);
  }
  return importKey(() => createPrivateKey({ key: derOf(bag), format: 'der', type: 'pkcs8', passphrase: password }), checked, file);
}

function derOf(value: pkijs.SafeBag['bagValue']): Buffer {
  return Buffer.from((value as { toSchema(): asn1js.BaseBlock }).toSchema().toBER(false));
}

function importKey(f: () => KeyObject, checked: boolean, file: string | undefined): KeyObject {
  try {
    return f();
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    const msg = reason(err);
    if (code === 'ERR_OSSL_BAD_DECRYPT' || /bad decrypt/i.test(msg)) {
      return fail('wrong-passphrase', 'the passphrase is wrong (the private key could not be decrypted)', file);
    }
    if (/unsupported/i.test(code) || /unsupported/i.test(msg)) {
      return fail('unsupported', `the private key in this PKCS#12 file uses an algorithm certbench cannot read; ${READ_HINT}`, file);
    }
    if (!checked) return fail('wrong-passphrase', 'the passphrase is wrong, or the file is damaged (the private key could not be decrypted)', file);
    return fail('unknown-content', 'the private key in the PKCS#12 file could not be read', file);
  }
}

/**
 * Writes a PKCS#12 the way OpenSSL 3 does by default: key and certificates under PBES2
 * (PBKDF2-HMAC-SHA256, AES-256-CBC), a SHA-256 MAC, 2048 iterations, localKeyId on the key and leaf.
 * @throws InputError `invalid-value` for an empty passphrase, bad iterations, a certificate that does not parse or a first certificate that does not belong to the key; `wrong-kind` for a public key
 */
export async function writePkcs12(p: WritePkcs12Params, crypto: X509Crypto = defaultCrypto): Promise<Uint8Array> {
  if (p.key.type !== 'private') fail('wrong-kind', `a PKCS#12 file needs a private key, got a ${p.key.type} key`);
  if (p.passphrase.length === 0) fail('invalid-value', 'the PKCS#12 passphrase is empty: devices and OpenSSL need a non-empty one');
  const iterations = p.iterations ?? 2048;
  // The reader's limit, so that certbench always reads back what it writes.
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_PBE_ITERATIONS) {
    fail('invalid-value', `PKCS#12 iterations must be a whole number from 1 to ${MAX_PBE_ITERATIONS}, got ${String(iterations)}`);
  }
  p.certificates.forEach((der, i) => {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(der);
    } catch {
      return fail('invalid-value', `certificate ${i + 1} for the PKCS#12 file is not a valid X.509 certificate`);
    }
    if (i === 0 && !cert.checkPrivateKey(p.key)) {
      fail('invalid-value', 'the first certificate (the leaf) does not match the private key; put the matching certificate first');
    }
  });

  const engine = engineFor(crypto);
  const password = utf8(p.passphrase);
  const pbe = { password, contentEncryptionAlgorithm: { name: 'AES-CBC', length: 256 }, hmacHashAlgorithm: 'SHA-256', iterationCount: iterations };

  const attrs: pkijs.Attribute[] = [];
  if (p.certificates[0]) {
    // OpenSSL and Windows pair the key with its certificate through the SHA-1 of the certificate.
    const id = createHash('sha1').update(p.certificates[0]).digest();
    attrs.push(new pkijs.Attribute({ type: OID.localKeyId, values: [new asn1js.OctetString({ valueHex: ab(new Uint8Array(id)) })] }));
  }
  if (p.friendlyName !== undefined) {
    attrs.push(new pkijs.Attribute({ type: OID.friendlyName, values: [new asn1js.BmpString({ value: p.friendlyName })] }));
  }

  const keyInfo = pkijs.PrivateKeyInfo.fromBER(ab(new Uint8Array(p.key.export({ type: 'pkcs8', format: 'der' }))));
  const shrouded = new pkijs.PKCS8ShroudedKeyBag({ parsedValue: keyInfo });
  await shrouded.makeInternalValues(pbe, engine);
  const keyBag = new pkijs.SafeBag({ bagId: OID.shroudedKeyBag, bagValue: shrouded, ...(attrs.length ? { bagAttributes: attrs } : {}) });

  const certBags = p.certificates.map((der, i) => {
    // certValue carries the caller's bytes as they are, so the certificate is never re-encoded.
    const bagValue = new pkijs.CertBag({ certId: OID.x509Certificate, certValue: new asn1js.OctetString({ valueHex: ab(der) }) as never });
    return new pkijs.SafeBag({ bagId: OID.certBag, bagValue, ...(i === 0 && attrs.length ? { bagAttributes: attrs } : {}) });
  });

  // Same layout as `openssl pkcs12 -export`: encrypted certificates first, then the shrouded key in plain data.
  const authSafe = new pkijs.AuthenticatedSafe({
    parsedValue: {
      safeContents: [
        { privacyMode: 1, value: new pkijs.SafeContents({ safeBags: certBags }) },
        { privacyMode: 0, value: new pkijs.SafeContents({ safeBags: [keyBag] }) },
      ],
    },
  });
  await authSafe.makeInternalValues({ safeContents: [{ ...pbe }, {}] }, engine);

  const pfx = new pkijs.PFX({ parsedValue: { integrityMode: 0, authenticatedSafe: authSafe } });
  await pfx.makeInternalValues({ password, iterations, pbkdf2HashAlgorithm: 'SHA-256', hmacHashAlgorithm: 'SHA-256' }, engine);
  return new Uint8Array(pfx.toSchema().toBER(false));
}
