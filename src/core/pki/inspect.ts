import { CertbenchError, fail, withFile } from '../errors.js';
import { checkChain, isSelfSigned } from './chain.js';
import { x509 } from './crypto.js';
import { describeCsr, ekuName } from './csr.js';
import { certificateOf, publicKeyOf, spkiSha256 } from './decode.js';
import { keyInfo } from './keys.js';
import { lint, type Finding, type LintFacts } from './lint.js';
import { signatureAlgorithmName } from './signature.js';
import type { DecodedItem, ItemKind, KeyInfo, PrivateKeyEncoding } from './types.js';

export type { Finding } from './lint.js';

/** Everything certbench shows about one decoded item. Certificate-only fields are absent for keys. */
export interface Inspection {
  file: string;
  index: number;
  kind: ItemKind;
  container: 'pem' | 'der' | 'pkcs12';
  /** RFC 4514-style, in certificate order: `C=US, O=Org, CN=host`. */
  subject?: string;
  issuer?: string;
  /** Uppercase hex, as `openssl x509 -serial` prints it. */
  serial?: string;
  /** `DNS:x`, `IP:x`, `email:x`, `URI:x`. */
  san?: string[];
  key: KeyInfo;
  /** OpenSSL-style name, e.g. `sha256WithRSAEncryption`. */
  signatureAlgorithm?: string;
  /** ISO 8601. */
  notBefore?: string;
  notAfter?: string;
  /** Whole days from `now` to notAfter; negative once expired. */
  daysLeft?: number;
  /** Certificate fingerprints as `openssl x509 -fingerprint` prints them (colon-separated uppercase hex). */
  sha1?: string;
  sha256?: string;
  /** Lowercase hex SHA-256 of the SubjectPublicKeyInfo DER. */
  spkiSha256: string;
  isCa?: boolean;
  selfSigned?: boolean;
  keyUsage?: string[];
  extendedKeyUsage?: string[];
  encoding?: PrivateKeyEncoding;
  findings: Finding[];
}

/** Options for {@link inspect}. */
export interface InspectParams {
  /** The moment validity and days-left are judged at; defaults to the current time. */
  now?: Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Describes every item and lints it; a file's certificates (more than one) are also checked as a
 * chain, with the chain findings on that file's first certificate.
 * @throws InputError `unsupported` for key types certbench does not handle, `unknown-content` for an item whose names, dates or extensions are damaged
 */
export function inspect(items: DecodedItem[], p: InspectParams = {}): Inspection[] {
  const now = p.now ?? new Date();
  const described = new Map<string, CertificateFacts>();
  const out = items.map((item) => readable(item, () => inspectOne(item, now, described)));

  const byFile = new Map<string, number[]>();
  items.forEach((item, i) => {
    if (item.kind !== 'certificate') return;
    byFile.set(item.file, [...(byFile.get(item.file) ?? []), i]);
  });
  for (const idx of byFile.values()) {
    if (idx.length < 2) continue;
    const first = items[idx[0]!]!;
    const report = checkChain(idx.map((i) => (items[i] as { der: Uint8Array }).der));
    // PKCS#12 bags have no meaningful order, so only PEM/DER bundles can be out of order.
    const problems = report.problems.filter((f) => !(first.container === 'pkcs12' && f.code === 'chain-out-of-order'));
    out[idx[0]!]!.findings.push(...problems);
  }
  return out;
}

// What inspect reports about a certificate apart from where it was found: the same for every copy of it.
type CertificateFacts = Omit<Inspection, 'file' | 'index' | 'kind' | 'container'>;

// `described` holds the certificates this inspect call has already read, by SHA-256 fingerprint: CA
// certificates come again in every bundle and PKCS#12 file, and reading one costs a full ASN.1 parse.
function inspectOne(item: DecodedItem, now: Date, described: Map<string, CertificateFacts>): Inspection {
  const where = { file: item.file, index: item.index, kind: item.kind, container: item.container };
  if (item.kind === 'certificate') {
    const fingerprint = certificateOf(item.der).fingerprint256;
    let facts = described.get(fingerprint);
    if (!facts) {
      facts = describeCertificate(item, now);
      described.set(fingerprint, facts);
    }
    // Every item gets its own copy: inspect appends chain findings to a file's first certificate.
    return { ...where, ...structuredClone(facts) };
  }
  const base = { ...where, key: keyInfo(publicKeyOf(item)), spkiSha256: spkiSha256(item) };
  switch (item.kind) {
    case 'csr': {
      const r = new x509.Pkcs10CertificateRequest(item.der);
      const d = describeCsr(item.der);
      const san = r.getExtension('2.5.29.17') as x509.SubjectAlternativeNameExtension | null;
      const facts = {
        ...base,
        subject: r.subject,
        ...(san ? { san: san.names.items.map(formatName) } : {}),
        signatureAlgorithm: d.signatureAlgorithm,
        // describeCsr reports an absent extension as []; a present one is never empty.
        ...(d.keyUsage.length > 0 ? { keyUsage: d.keyUsage } : {}),
        ...(d.extendedKeyUsage.length > 0 ? { extendedKeyUsage: d.extendedKeyUsage } : {}),
      };
      const lintFacts: LintFacts = { ...facts, commonNames: r.subjectName.getField('CN'), signatureValid: d.signatureValid };
      return { ...facts, findings: lint(lintFacts, { now }) };
    }
    case 'private-key':
      return { ...base, encoding: item.encoding, findings: lint(base, { now }) };
    case 'public-key':
      return { ...base, findings: lint(base, { now }) };
  }
}

function describeCertificate(item: DecodedItem & { kind: 'certificate' }, now: Date): CertificateFacts {
  const key = keyInfo(publicKeyOf(item));
  const spki = spkiSha256(item);
  const n = certificateOf(item.der);
  const c = new x509.X509Certificate(item.der);
  const asn = (c as unknown as ParsedCertificate).asn;
  // A library update that moved this field must fail loudly, not report every certificate as damaged.
  if (asn?.tbsCertificate === undefined || asn.signatureAlgorithm === undefined) {
    throw new LibraryLayoutError('@peculiar/x509 no longer exposes the parsed certificate (asn.tbsCertificate): inspect needs updating');
  }
  const san = extension(asn, ID_CE_SUBJECT_ALT_NAME, x509.SubjectAlternativeNameExtension);
  const ku = extension(asn, ID_CE_KEY_USAGE, x509.KeyUsagesExtension);
  const eku = extension(asn, ID_CE_EXT_KEY_USAGE, x509.ExtendedKeyUsageExtension);
  const facts = {
    key,
    spkiSha256: spki,
    subject: c.subject,
    issuer: c.issuer,
    serial: n.serialNumber.toUpperCase(),
    ...(san ? { san: san.names.items.map(formatName) } : {}),
    // The outer AlgorithmIdentifier, the one the signature was made with (x509 has parsed it already).
    signatureAlgorithm: signatureAlgorithmName(asn.signatureAlgorithm.algorithm),
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    daysLeft: Math.floor((c.notAfter.getTime() - now.getTime()) / DAY_MS),
    sha1: n.fingerprint,
    sha256: n.fingerprint256,
    isCa: n.ca,
    selfSigned: isSelfSigned(n),
    ...(ku ? { keyUsage: keyUsageNames(ku.usages) } : {}),
    ...(eku ? { extendedKeyUsage: eku.usages.map((u) => ekuName(String(u))) } : {}),
  };
  return { ...facts, findings: lint({ kind: 'certificate', ...facts, commonNames: c.subjectName.getField('CN') }, { now }) };
}

// @peculiar/x509 and asn1js read names, dates and extensions only when asked and throw plain errors on
// damage that OpenSSL let through when the item was decoded: that is the user's input, not a crash.
function readable<T>(item: DecodedItem, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof CertbenchError) throw withFile(e, item.file);
    if (e instanceof LibraryLayoutError) throw e;
    return fail('unknown-content', `the ${item.kind === 'csr' ? 'CSR' : item.kind.replace('-', ' ')} #${item.index + 1} is damaged: its names, dates or extensions cannot be read`, item.file);
  }
}

// Our own assumption about a library broke: a bug to report, never blamed on the user's file.
class LibraryLayoutError extends Error {
  override name = 'LibraryLayoutError';
}

// What x509 has already parsed of a certificate (its `asn` is public at run time, protected only in its types).
interface ParsedCertificate {
  asn: {
    signatureAlgorithm: { algorithm: string };
    tbsCertificate: { extensions?: { extnID: string; critical: boolean; extnValue: { buffer: ArrayBuffer } }[] };
  };
}

// The last arc of the id-ce (2.5.29) extensions inspect shows.
const ID_CE_KEY_USAGE = 15;
const ID_CE_SUBJECT_ALT_NAME = 17;
const ID_CE_EXT_KEY_USAGE = 37;

// Decodes one extension of a certificate; x509's getExtension would first decode every extension
// (key identifiers, policies, CRL points...), which is most of the cost of inspecting a certificate.
function extension<T>(asn: ParsedCertificate['asn'], idCe: number, type: new (raw: Uint8Array) => T): T | null {
  const ext = asn.tbsCertificate.extensions?.find((e) => e.extnID === `2.5.29.${idCe}`);
  return ext ? new type(extensionDer(idCe, ext.critical, new Uint8Array(ext.extnValue.buffer))) : null;
}

// DER of Extension ::= SEQUENCE { extnID 2.5.29.<idCe>, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING },
// which the typed x509 extensions are read from; encoded here because x509.Extension would encode it
// through a full ASN.1 schema serialisation and parse it back before the typed class parses it again.
function extensionDer(idCe: number, critical: boolean, value: Uint8Array): Uint8Array {
  const body = [0x06, 0x03, 0x55, 0x1d, idCe, ...(critical ? [0x01, 0x01, 0xff] : []), 0x04, ...derLength(value.length)];
  const head = [0x30, ...derLength(body.length + value.length)];
  const out = new Uint8Array(head.length + body.length + value.length);
  out.set(head);
  out.set(body, head.length);
  out.set(value, head.length + body.length);
  return out;
}

function derLength(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return [0x80 | bytes.length, ...bytes];
}

function keyUsageNames(flags: number): string[] {
  const names: string[] = [];
  for (const [name, bit] of Object.entries(x509.KeyUsageFlags)) {
    if (typeof bit === 'number' && (flags & bit) !== 0) names.push(name);
  }
  return names;
}

const SAN_PREFIX: Record<string, string> = { dns: 'DNS', ip: 'IP', email: 'email', url: 'URI', upn: 'UPN', guid: 'GUID', id: 'RID', dn: 'DirName' };

function formatName(n: { type: string; value: string }): string {
  return `${SAN_PREFIX[n.type] ?? n.type}:${n.value}`;
}
