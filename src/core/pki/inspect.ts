import { CertbenchError, fail, withFile } from '../errors.js';
import { checkChain, isSelfSigned } from './chain.js';
import { x509 } from './crypto.js';
import { describeCsr, ekuName } from './csr.js';
import { certificateOf, publicKeyOf, spkiSha256 } from './decode.js';
import { keyInfo } from './keys.js';
import { lint, type Finding, type LintFacts } from './lint.js';
import { signedParts } from './signature.js';
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
  const out = items.map((item) => readable(item, () => inspectOne(item, now)));

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

function inspectOne(item: DecodedItem, now: Date): Inspection {
  const base = {
    file: item.file,
    index: item.index,
    kind: item.kind,
    container: item.container,
    key: keyInfo(publicKeyOf(item)),
    spkiSha256: spkiSha256(item),
  };
  switch (item.kind) {
    case 'certificate': {
      const n = certificateOf(item.der);
      const c = new x509.X509Certificate(item.der);
      const san = extension(c, '2.5.29.17', x509.SubjectAlternativeNameExtension);
      const ku = extension(c, '2.5.29.15', x509.KeyUsagesExtension);
      const eku = extension(c, '2.5.29.37', x509.ExtendedKeyUsageExtension);
      const facts = {
        ...base,
        subject: c.subject,
        issuer: c.issuer,
        serial: n.serialNumber.toUpperCase(),
        ...(san ? { san: san.names.items.map(formatName) } : {}),
        signatureAlgorithm: signedParts(item.der).algorithmName,
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
      return { ...facts, findings: lint({ ...facts, commonNames: c.subjectName.getField('CN') }, { now }) };
    }
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

// @peculiar/x509 and asn1js read names, dates and extensions only when asked and throw plain errors on
// damage that OpenSSL let through when the item was decoded: that is the user's input, not a crash.
function readable<T>(item: DecodedItem, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof CertbenchError) throw withFile(e, item.file);
    return fail('unknown-content', `the ${item.kind === 'csr' ? 'CSR' : item.kind.replace('-', ' ')} #${item.index + 1} is damaged: its names, dates or extensions cannot be read`, item.file);
  }
}

// What x509 already parsed of the extensions (its `asn` is public at run time, protected only in its types).
type ParsedExtensions = { asn: { tbsCertificate: { extensions?: { extnID: string; critical: boolean; extnValue: { buffer: ArrayBuffer } }[] } } };

// Decodes one extension of a certificate; x509's getExtension would first decode every extension
// (key identifiers, policies, CRL points...), which is most of the cost of inspecting a certificate.
function extension<T>(c: x509.X509Certificate, oid: string, type: new (raw: ArrayBuffer) => T): T | null {
  const ext = (c as unknown as ParsedExtensions).asn.tbsCertificate.extensions?.find((e) => e.extnID === oid);
  return ext ? new type(new x509.Extension(ext.extnID, ext.critical, ext.extnValue.buffer).rawData) : null;
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
