import { createHash, createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync, statSync, type Stats } from 'node:fs';
import { stat, readFile } from 'node:fs/promises';
import * as asn1js from 'asn1js';
import { CertbenchError, fail } from '../errors.js';
import type { x509 as X509Module } from './crypto.js';
import { spkiDer } from './keys.js';
import { looksLikePem, parsePem, toPem, type PemBlock } from './pem.js';
import { checkPbeIterations, encryptedKeyAlgorithm, looksLikePkcs12, readHeader } from './pkcs12-sniff.js';
import { MAX_INPUT_BYTES, type DecodedItem, type DecodeParams, type PrivateKeyEncoding } from './types.js';

const DEFAULT_NAME = 'input';

type Container = 'pem' | 'der' | 'pkcs12';
// An item before `file`/`index` are filled in.
type Piece = DistributiveOmit<DecodedItem, 'file' | 'index' | 'container'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * Reads every certificate, CSR and key from PEM text (any number of blocks, any surrounding text) or
 * from DER bytes (certificate, CSR, PKCS#12, PKCS#8 plain or encrypted, PKCS#1, SEC1, SPKI), in file order.
 * @throws InputError `too-large`, `empty`, `truncated`, `bad-base64`, `unknown-content`, `unsupported`,
 *   `passphrase-required`, `wrong-passphrase`; every message names `p.file`
 */
export async function decode(input: Uint8Array | string, p: DecodeParams = {}): Promise<DecodedItem[]> {
  const file = p.file ?? DEFAULT_NAME;
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.length;
  if (size > MAX_INPUT_BYTES) {
    fail('too-large', `the input is ${size} bytes; certificate and key files are far smaller than the ${MAX_INPUT_BYTES}-byte limit`, file);
  }
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
  if (size === 0 || text.trim().length === 0) fail('empty', 'the file is empty', file);

  let parts: { container: Container; item: Piece }[];
  if (looksLikePem(text)) {
    const blocks = parsePem(text, file);
    // @peculiar/x509 (the CSR reader) is loaded only when a CSR is met: keys and certificates need only node:crypto.
    const x509 = blocks.some((b) => CSR_LABELS.has(b.label)) ? await loadX509() : undefined;
    parts = decodePem(blocks, p.passphrase, file, x509);
  } else {
    const bytes = typeof input === 'string' || input[0] !== 0x30 ? armourlessBase64(text) ?? toBytes(input) : input;
    parts = await decodeDer(bytes, p.passphrase, file);
  }
  if (parts.length === 0) fail('unknown-content', 'the file holds no certificate, CSR or key (only blocks certbench skips, such as EC PARAMETERS)', file);
  return parts.map((x, index) => ({ ...x.item, file, index, container: x.container }) as DecodedItem);
}

/**
 * Reads a user's input file after checking what it is: a regular file, not empty, within {@link MAX_INPUT_BYTES}
 * (checked before reading, so a huge file is never loaded).
 * @throws InputError `not-found`, `too-large`, `empty`, `invalid-value` (a directory)
 */
export async function readInputFile(path: string, file = path, limit = MAX_INPUT_BYTES): Promise<Uint8Array> {
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    return cannotOpen(e, file);
  }
  checkInputStat(st, file, limit);
  const bytes = await readFile(path);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * {@link readInputFile} without the event loop, for the command line: it reads hundreds of small files one
 * after another, where each asynchronous read costs ten times what the read itself does.
 * @throws InputError `not-found`, `too-large`, `empty`, `invalid-value` (a directory)
 */
export function readInputFileSync(path: string, file = path, limit = MAX_INPUT_BYTES): Uint8Array {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    return cannotOpen(e, file);
  }
  checkInputStat(st, file, limit);
  const bytes = readFileSync(path);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function cannotOpen(e: unknown, file: string): never {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') fail('not-found', 'no such file', file);
  if (code === 'EACCES' || code === 'EPERM') fail('not-found', 'the file cannot be read (permission denied)', file);
  return fail('not-found', `the file cannot be opened (${code ?? 'unknown error'})`, file);
}

function checkInputStat(st: Stats, file: string, limit: number): void {
  if (st.isDirectory()) fail('invalid-value', 'this is a directory, not a file', file);
  if (st.size > limit) {
    fail('too-large', limit === MAX_INPUT_BYTES
      ? `the file is ${st.size} bytes; certificate and key files are far smaller than the ${MAX_INPUT_BYTES}-byte limit`
      : `the file is ${st.size} bytes, over the ${limit}-byte limit for this input`, file);
  }
  if (st.size === 0) fail('empty', 'the file is empty', file);
}

/**
 * Reads a file and decodes it; the size is checked before reading.
 * @throws InputError everything {@link readInputFile} and {@link decode} throw
 */
export async function decodeFile(path: string, p: DecodeParams = {}): Promise<DecodedItem[]> {
  const file = p.file ?? path;
  return decode(await readInputFile(path, file), { ...p, file });
}

// Items are read-only after decode, so what decode parsed to validate them is kept for inspect and match:
// each certificate is parsed once, each public key derived and hashed once (keyed by object identity).
const certificates = new WeakMap<Uint8Array, X509Certificate>();
const csrKeys = new WeakMap<Uint8Array, KeyObject>();
const publicKeys = new WeakMap<KeyObject, KeyObject>();
const spkiHashes = new WeakMap<KeyObject, string>();

type X509 = typeof X509Module;
let x509Loaded: X509 | undefined;
async function loadX509(): Promise<X509> {
  x509Loaded ??= (await import('./crypto.js')).x509;
  return x509Loaded;
}

/** Hex (lowercase) SHA-256 of the item's SubjectPublicKeyInfo DER: equal for a key, its certificate and its CSR. */
export function spkiSha256(item: DecodedItem): string {
  const key = publicKeyOf(item);
  let hash = spkiHashes.get(key);
  if (hash === undefined) {
    hash = createHash('sha256').update(spkiDer(key)).digest('hex');
    spkiHashes.set(key, hash);
  }
  return hash;
}

/**
 * node:crypto's view of a certificate, parsed once per DER array (decode already parsed it to check it).
 * @throws Error from node:crypto when the bytes are not a certificate (decode never returns such an item)
 */
export function certificateOf(der: Uint8Array): X509Certificate {
  let cert = certificates.get(der);
  if (!cert) {
    cert = new X509Certificate(der);
    certificates.set(der, cert);
  }
  return cert;
}

/** The public key of a certificate, CSR, private key or public key. @throws InputError `unsupported` for a CSR key node:crypto cannot read */
export function publicKeyOf(item: DecodedItem): KeyObject {
  switch (item.kind) {
    case 'certificate':
      return certificateOf(item.der).publicKey;
    case 'csr': {
      const known = csrKeys.get(item.der);
      if (known) return known;
      try {
        const key = createPublicKey({ key: Buffer.from(csrSpki(item.der)), format: 'der', type: 'spki' });
        csrKeys.set(item.der, key);
        return key;
      } catch {
        return fail('unsupported', 'the CSR holds a public key of a type certbench cannot read', item.file);
      }
    }
    case 'private-key': {
      let pub = publicKeys.get(item.key);
      if (!pub) {
        pub = createPublicKey(item.key);
        publicKeys.set(item.key, pub);
      }
      return pub;
    }
    case 'public-key':
      return item.key;
  }
}

// The SubjectPublicKeyInfo of a CSR (CertificationRequest -> CertificationRequestInfo -> its third element),
// for CSR items that did not come through decode (which keeps the key it read).
function csrSpki(der: Uint8Array): Uint8Array {
  const r = fromBer(der);
  const info = r && r.offset !== -1 ? (r.result as asn1js.Sequence).valueBlock.value?.[0] : undefined;
  const spki = info instanceof asn1js.Sequence ? info.valueBlock.value[2] : undefined;
  if (!spki) throw new Error('not a CSR');
  return new Uint8Array(spki.valueBeforeDecodeView);
}

// ---------------------------------------------------------------------------------------------
// PEM

const CERT_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE']);
const CSR_LABELS = new Set(['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST']);
const SKIPPED_LABELS = new Set(['EC PARAMETERS']);

function decodePem(blocks: PemBlock[], passphrase: string | undefined, file: string, x509: X509 | undefined): { container: Container; item: Piece }[] {
  const out: { container: Container; item: Piece }[] = [];
  blocks.forEach((b, i) => {
    const where = `the PEM block #${i + 1} ("${b.label}")`;
    if (SKIPPED_LABELS.has(b.label)) return;
    if (CERT_LABELS.has(b.label)) {
      // TRUSTED CERTIFICATE carries OpenSSL trust settings after the certificate itself.
      const der = b.label === 'TRUSTED CERTIFICATE' ? firstElement(b.der) : b.der;
      out.push({ container: 'pem', item: { kind: 'certificate', der: checkCertificate(der, where, file) } });
    } else if (CSR_LABELS.has(b.label)) {
      out.push({ container: 'pem', item: { kind: 'csr', der: checkCsr(b.der, where, file, x509!) } });
    } else if (b.label === 'PRIVATE KEY') {
      out.push({ container: 'pem', item: privateKeyItem(b.der, 'pkcs8', 'pkcs8', undefined, where, file) });
    } else if (b.label === 'ENCRYPTED PRIVATE KEY') {
      if (passphrase === undefined) fail('passphrase-required', `${where} is an encrypted private key; give its passphrase (--passphrase-file)`, file);
      out.push({ container: 'pem', item: privateKeyItem(b.der, 'pkcs8', 'pkcs8-encrypted', passphrase, where, file) });
    } else if (b.label === 'RSA PRIVATE KEY' || b.label === 'EC PRIVATE KEY') {
      const encoding: PrivateKeyEncoding = b.label === 'RSA PRIVATE KEY' ? 'pkcs1' : 'sec1';
      if ((b.headers['Proc-Type'] ?? '').includes('ENCRYPTED')) {
        if (passphrase === undefined) fail('passphrase-required', `${where} is encrypted (Proc-Type: 4,ENCRYPTED); give its passphrase (--passphrase-file)`, file);
        out.push({ container: 'pem', item: legacyEncryptedKey(b, encoding, passphrase, where, file) });
      } else {
        out.push({ container: 'pem', item: privateKeyItem(b.der, encoding, encoding, undefined, where, file) });
      }
    } else if (b.label === 'PUBLIC KEY' || b.label === 'RSA PUBLIC KEY') {
      const key = publicKey(b.der, b.label === 'PUBLIC KEY' ? 'spki' : 'pkcs1');
      if (!key) fail(derProblem(b.der), `${where} does not hold a valid public key`, file);
      out.push({ container: 'pem', item: { kind: 'public-key', key } });
    } else {
      fail('unsupported', `${where} is not something certbench reads (certificates, CSRs, private and public keys are)`, file);
    }
  });
  return out;
}

function legacyEncryptedKey(b: PemBlock, encoding: PrivateKeyEncoding, passphrase: string, where: string, file: string): Piece {
  // node:crypto (OpenSSL) decrypts the RFC 1421 form only from PEM text with its headers.
  const headers = Object.entries(b.headers).map(([k, v]) => `${k}: ${v}\n`).join('');
  const pem = toPem(b.label, b.der).replace(/-----\n/, `-----\n${headers}\n`);
  try {
    return { kind: 'private-key', key: createPrivateKey({ key: pem, format: 'pem', passphrase }), encoding };
  } catch (e) {
    // The body is ciphertext, so its DER shape says nothing.
    return rethrowKeyError(e, true, where, file, new Uint8Array());
  }
}

// ---------------------------------------------------------------------------------------------
// DER

async function decodeDer(der: Uint8Array, passphrase: string | undefined, file: string): Promise<{ container: Container; item: Piece }[]> {
  const what = 'the DER data';
  if (looksLikePkcs12(der)) {
    // pkijs is loaded only when a PKCS#12 file is actually met.
    const { readPkcs12 } = await import('./pkcs12.js');
    const p12 = await readPkcs12(der, passphrase, file);
    return [
      ...p12.keys.map((key) => ({ container: 'pkcs12' as const, item: { kind: 'private-key' as const, key, encoding: 'pkcs12' as const } })),
      ...p12.certificates.map((c) => ({ container: 'pkcs12' as const, item: { kind: 'certificate' as const, der: c } })),
    ];
  }
  // DER of any certificate or key has control bytes; plain text starting with "0" is still text.
  if (der[0] !== 0x30 || /^[\x20-\x7e\t\r\n]*$/.test(Buffer.from(der).toString('latin1'))) {
    fail('unknown-content', 'this is neither PEM text nor DER: not a certificate, CSR or key', file);
  }
  // A full BER parse costs as much as reading the certificate, so it is done up front only when the outer
  // length does not already prove the data complete; damage inside is classified after every reader failed.
  if (!outerFits(der) && asTruncated(der)) fail('truncated', `${what} ends before its declared length; the file looks cut short`, file);

  const signed = mayBeSigned(der);
  if (signed && parses(() => certificateOf(der))) return [{ container: 'der', item: { kind: 'certificate', der: checkCertificate(der, what, file) } }];
  if (signed && isCsr(der, await loadX509())) return [{ container: 'der', item: { kind: 'csr', der } }];

  // Encrypted PKCS#8 is recognised by node:crypto's "passphrase required" answer.
  try {
    createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
    return [{ container: 'der', item: privateKeyItem(der, 'pkcs8', 'pkcs8', undefined, what, file) }];
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_MISSING_PASSPHRASE') {
      if (passphrase === undefined) fail('passphrase-required', `${what} is an encrypted private key; give its passphrase (--passphrase-file)`, file);
      return [{ container: 'der', item: privateKeyItem(der, 'pkcs8', 'pkcs8-encrypted', passphrase, what, file) }];
    }
  }
  for (const type of ['pkcs1', 'sec1'] as const) {
    if (parses(() => createPrivateKey({ key: Buffer.from(der), format: 'der', type }))) {
      return [{ container: 'der', item: privateKeyItem(der, type, type, undefined, what, file) }];
    }
  }
  for (const type of ['spki', 'pkcs1'] as const) {
    const key = publicKey(der, type);
    if (key) return [{ container: 'der', item: { kind: 'public-key', key } }];
  }
  if (asTruncated(der)) fail('truncated', `${what} ends before its declared length; the file looks cut short`, file);
  return fail('unknown-content', `${what} is not a certificate, CSR, PKCS#12, private key or public key`, file);
}

// True when the outer element's declared length fits in the data (definite length, complete header).
function outerFits(der: Uint8Array): boolean {
  const h = readHeader(der, 0);
  return h !== null && h.length !== null && h.contentStart + h.length <= der.length;
}

// False only when the shape rules out a certificate or CSR: both are SEQUENCE { SEQUENCE { [0] or INTEGER, ...
// while PKCS#1, SEC1 and PKCS#8 keys start with an INTEGER and encrypted PKCS#8 and SPKI with an AlgorithmIdentifier.
function mayBeSigned(der: Uint8Array): boolean {
  const outer = readHeader(der, 0);
  if (!outer) return true;
  if (der[outer.contentStart] !== 0x30) return false;
  const inner = readHeader(der, outer.contentStart);
  if (!inner) return true;
  const tag = der[inner.contentStart];
  return tag === undefined || tag === 0x02 || tag === 0xa0;
}

// ---------------------------------------------------------------------------------------------
// helpers

function checkCertificate(der: Uint8Array, where: string, file: string): Uint8Array {
  let cert: X509Certificate | undefined;
  try {
    cert = certificateOf(der);
  } catch {
    fail(derProblem(der), `${where} does not hold a valid X.509 certificate`, file);
  }
  // Node reads the public key only when asked; a damaged or unknown one would otherwise fail later, in inspect or match.
  if (!parses(() => cert.publicKey)) {
    fail('unsupported', `${where} is a certificate whose public key certbench cannot read (damaged, or not RSA, EC or EdDSA)`, file);
  }
  return der;
}

function checkCsr(der: Uint8Array, where: string, file: string, x509: X509): Uint8Array {
  if (!isCsr(der, x509)) fail(derProblem(der), `${where} does not hold a valid certificate signing request`, file);
  return der;
}

function isCsr(der: Uint8Array, x509: X509): boolean {
  return parses(() => {
    const csr = new x509.Pkcs10CertificateRequest(der);
    // Reading the key proves the structure really is a CSR, not something of a similar shape.
    csrKeys.set(der, createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: 'der', type: 'spki' }));
  });
}

function privateKeyItem(der: Uint8Array, type: 'pkcs8' | 'pkcs1' | 'sec1', encoding: PrivateKeyEncoding,
  passphrase: string | undefined, where: string, file: string): Piece {
  // OpenSSL runs the key derivation synchronously: a forged iteration count must be refused before it starts.
  const alg = passphrase === undefined ? undefined : encryptedKeyAlgorithm(der);
  if (alg) checkPbeIterations(alg, where, file);
  try {
    const key = createPrivateKey({ key: Buffer.from(der), format: 'der', type, ...(passphrase === undefined ? {} : { passphrase }) });
    return { kind: 'private-key', key, encoding };
  } catch (e) {
    return rethrowKeyError(e, passphrase !== undefined, where, file, der);
  }
}

function rethrowKeyError(e: unknown, encrypted: boolean, where: string, file: string, der: Uint8Array): never {
  if (e instanceof CertbenchError) throw e;
  const code = (e as { code?: string }).code ?? '';
  if (code === 'ERR_MISSING_PASSPHRASE' || code === 'ERR_OSSL_CRYPTO_INTERRUPTED_OR_CANCELLED') {
    fail('passphrase-required', `${where} is an encrypted private key; give its passphrase (--passphrase-file)`, file);
  }
  // A wrong key occasionally decrypts to bytes with valid padding, so any failure after
  // decryption of a well-formed encrypted key means the passphrase is wrong.
  if (encrypted && !asTruncated(der)) fail('wrong-passphrase', `the passphrase does not decrypt ${where}`, file);
  if (code === 'ERR_OSSL_UNSUPPORTED' || code === 'ERR_OSSL_EVP_UNSUPPORTED_ALGORITHM' || code.includes('UNSUPPORTED')) {
    fail(asTruncated(der) ? 'truncated' : 'unsupported', `${where} is a private key in a form or algorithm certbench cannot read`, file);
  }
  fail(derProblem(der), `${where} does not hold a valid private key`, file);
}

function publicKey(der: Uint8Array, type: 'spki' | 'pkcs1'): KeyObject | undefined {
  try {
    return createPublicKey({ key: Buffer.from(der), format: 'der', type });
  } catch {
    return undefined;
  }
}

function parses(f: () => unknown): boolean {
  try {
    f();
    return true;
  } catch {
    return false;
  }
}

// asn1js reports most damage in its result but throws on some (a malformed GeneralizedTime): both mean "not readable".
function fromBer(der: Uint8Array): ReturnType<typeof asn1js.fromBER> | undefined {
  try {
    return asn1js.fromBER(der);
  } catch {
    return undefined;
  }
}

// True when the outer DER element declares more bytes than there are.
function asTruncated(der: Uint8Array): boolean {
  if (der.length === 0) return false;
  const r = fromBer(der);
  return r !== undefined && r.offset === -1 && /End of input reached/.test(r.result.error);
}

function derProblem(der: Uint8Array): 'truncated' | 'unknown-content' {
  return asTruncated(der) ? 'truncated' : 'unknown-content';
}

// The first DER element, without what follows it.
function firstElement(der: Uint8Array): Uint8Array {
  const r = fromBer(der);
  return r !== undefined && r.offset > 0 ? der.subarray(0, r.offset) : der;
}

function toBytes(input: Uint8Array | string): Uint8Array {
  return typeof input === 'string' ? new Uint8Array(Buffer.from(input, 'utf8')) : input;
}

// Base64 pasted without its BEGIN/END lines.
function armourlessBase64(text: string): Uint8Array | undefined {
  const body = text.replace(/\s+/g, '');
  if (body.length < 16 || body.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(body)) return undefined;
  return new Uint8Array(Buffer.from(body, 'base64'));
}
