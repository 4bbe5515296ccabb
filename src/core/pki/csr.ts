import { constants, createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { domainToASCII } from 'node:url';
import { fail, InputError } from '../errors.js';
import { escapeControls } from '../text.js';
import { defaultCrypto, x509, type X509Crypto } from './crypto.js';
import { keyInfo, toCryptoKeyPair } from './keys.js';
import { toPem } from './pem.js';
import { SIGNATURE_HASH, signedParts, type SignedParts } from './signature.js';

/** Subject attribute types certbench writes (OpenSSL short names). */
export type SubjectAttrType = 'C' | 'ST' | 'L' | 'O' | 'OU' | 'CN' | 'emailAddress';
/** One subject attribute; a subject is an ordered list of them, one per RDN. */
export interface SubjectAttr { type: SubjectAttrType; value: string }
/** Subject alternative name kinds, spelled as OpenSSL spells them in a config. */
export type SanType = 'DNS' | 'IP' | 'email' | 'URI';
/** One subject alternative name. */
export interface San { type: SanType; value: string }

interface AttrSpec {
  oid: string;
  long: string;
  /** Upper bound in characters (RFC 5280 / PKCS#9 ub-*; OpenSSL refuses longer). */
  max: number;
  aliases: string[];
}

const ATTRS: Record<SubjectAttrType, AttrSpec> = {
  C: { oid: '2.5.4.6', long: 'countryName', max: 2, aliases: [] },
  ST: { oid: '2.5.4.8', long: 'stateOrProvinceName', max: 128, aliases: ['S'] },
  L: { oid: '2.5.4.7', long: 'localityName', max: 128, aliases: [] },
  O: { oid: '2.5.4.10', long: 'organizationName', max: 64, aliases: [] },
  OU: { oid: '2.5.4.11', long: 'organizationalUnitName', max: 64, aliases: [] },
  CN: { oid: '2.5.4.3', long: 'commonName', max: 64, aliases: [] },
  emailAddress: { oid: '1.2.840.113549.1.9.1', long: 'emailAddress', max: 128, aliases: ['E', 'email'] },
};
const ATTR_TYPES = Object.keys(ATTRS) as SubjectAttrType[];
const ATTR_BY_NAME = new Map<string, SubjectAttrType>();
const ATTR_BY_OID = new Map<string, SubjectAttrType>();
for (const t of ATTR_TYPES) {
  const spec = ATTRS[t];
  for (const n of [t, spec.long, ...spec.aliases]) ATTR_BY_NAME.set(n.toLowerCase(), t);
  ATTR_BY_OID.set(spec.oid, t);
}
const SUPPORTED_ATTRS = 'C, ST, L, O, OU, CN or emailAddress (or the long names countryName, commonName, ...)';

/** The subject attribute type for an OpenSSL short or long name (case-insensitive), or undefined. */
export function subjectAttrType(name: string): SubjectAttrType | undefined {
  return ATTR_BY_NAME.get(name.trim().toLowerCase());
}

/** Shows a user value inside a message: control characters escaped, long values cut. */
export function showValue(v: string): string {
  const escaped = escapeControls(v);
  return `"${escaped.length > 80 ? `${escaped.slice(0, 77)}...` : escaped}"`;
}

// C0/C1 controls and the bidi overrides that make a value display differently from what it is.
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
// Characters a shell or OpenSSL's config reader treat specially and no real name needs.
const DN_SHELL_RE = /[`$;|<>]/;

/**
 * Checks one subject attribute and returns it normalised (country upper-cased, email domain lower-cased).
 * @throws InputError `invalid-value` naming the attribute, the value and the reason
 */
export function validateSubjectAttr(attr: SubjectAttr, file?: string): SubjectAttr {
  const spec = ATTRS[attr.type];
  if (spec === undefined) fail('invalid-value', `subject attribute type "${String(attr.type)}" is not supported: use ${SUPPORTED_ATTRS}`, file);
  const v = attr.value;
  const bad = (why: string): never => fail('invalid-value', `subject ${attr.type}=${showValue(v)} ${why}`, file);
  if (typeof v !== 'string' || v.length === 0) bad('is empty');
  if (CONTROL_RE.test(v)) bad('contains a control character');
  if (DN_SHELL_RE.test(v)) bad('contains a shell metacharacter (` $ ; | < >) that has no place in a name');
  if (v.trim() !== v) bad('has leading or trailing spaces');
  const len = [...v].length;
  if (len > spec.max) bad(`is ${len} characters long; ${attr.type} allows at most ${spec.max}`);
  if (attr.type === 'C') {
    if (!/^[A-Za-z]{2}$/.test(v)) bad('is not a two-letter ISO 3166 country code such as US or DE');
    return { type: 'C', value: v.toUpperCase() };
  }
  if (attr.type === 'emailAddress') {
    const email = checkEmail(v);
    if (typeof email !== 'string') bad(email.why);
    return { type: 'emailAddress', value: email as string };
  }
  return { type: attr.type, value: v };
}

/**
 * Parses "C=US,O=Org,CN=host" or "/C=US/O=Org/CN=host" (OpenSSL -subj) into attributes, in the order written.
 * Accepts short and long names (commonName, ...), backslash escapes ("\," "\/" "\=") and RFC 4514 hex pairs ("\2C").
 * @throws InputError `invalid-value` for an empty subject, a component without "=", an unknown type or a bad value
 */
export function parseSubject(text: string, file?: string): SubjectAttr[] {
  const trimmed = text.trim();
  if (trimmed.length === 0) fail('invalid-value', 'the subject is empty: give at least CN=<name>', file);
  if (CONTROL_RE.test(trimmed)) fail('invalid-value', `the subject ${showValue(trimmed)} contains a control character`, file);
  const slash = trimmed.startsWith('/');
  const parts = splitUnescaped(slash ? trimmed.slice(1) : trimmed, slash ? '/' : ',');
  const out: SubjectAttr[] = [];
  for (const raw of parts) {
    const part = raw.trim();
    if (part.length === 0) {
      fail('invalid-value', `the subject ${showValue(trimmed)} has an empty component (two separators in a row, or one at the end)`, file);
    }
    const eq = indexOfUnescaped(part, '=');
    if (eq < 0) fail('invalid-value', `subject component ${showValue(part)} has no "=": write it as TYPE=value, e.g. CN=host.example.com`, file);
    const name = part.slice(0, eq).trim();
    const type = subjectAttrType(name);
    if (type === undefined) fail('invalid-value', `subject attribute type ${showValue(name)} is not supported: use ${SUPPORTED_ATTRS}`, file);
    const value = unescapeDnValue(trimRaw(part.slice(eq + 1)), file);
    out.push(validateSubjectAttr({ type, value }, file));
  }
  return out;
}

function indexOfUnescaped(s: string, ch: string): number {
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === ch) return i;
  }
  return -1;
}

function splitUnescaped(s: string, sep: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === sep) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

// Trims unescaped whitespace only, so "\ " at either end survives to the value check.
function trimRaw(s: string): string {
  let end = s.length;
  while (end > 0 && /\s/.test(s[end - 1]!) && !(end >= 2 && s[end - 2] === '\\')) end--;
  return s.slice(0, end).trimStart();
}

function unescapeDnValue(s: string, file?: string): string {
  let out = '';
  let bytes: number[] = [];
  const flush = (): void => {
    if (bytes.length === 0) return;
    try {
      out += new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes));
    } catch {
      fail('invalid-value', `the hex escapes in subject value ${showValue(s)} are not valid UTF-8`, file);
    }
    bytes = [];
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\') {
      flush();
      out += c;
      continue;
    }
    const hex = s.slice(i + 1, i + 3);
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
      continue;
    }
    flush();
    if (i + 1 >= s.length) fail('invalid-value', `subject value ${showValue(s)} ends with a lone backslash`, file);
    out += s[++i];
  }
  flush();
  return out;
}

// ---------------------------------------------------------------------------------------------
// Subject alternative names

const SAN_PREFIXES: Record<string, SanType> = { dns: 'DNS', ip: 'IP', 'ip address': 'IP', email: 'email', uri: 'URI' };

/**
 * Parses "DNS:x", "IP:10.0.0.1", "IP:2001:db8::1", "email:a@b.example" or "URI:https://x" and validates it.
 * @throws InputError `invalid-value` for a missing or unknown type prefix or an invalid value
 */
export function parseSan(text: string): San {
  const t = text.trim();
  const colon = t.indexOf(':');
  const prefix = colon < 0 ? '' : t.slice(0, colon).trim().toLowerCase();
  const type = SAN_PREFIXES[prefix];
  if (type === undefined) {
    fail('invalid-value', `subject alternative name ${showValue(t)} needs a type prefix: DNS:, IP:, email: or URI: (e.g. DNS:host.example.com)`);
  }
  return validateSan({ type, value: t.slice(colon + 1).trim() });
}

/**
 * Validates a SAN and returns it normalised: DNS lower-cased (IDN to punycode, trailing dot dropped),
 * IPv6 in RFC 5952 form, email domain lower-cased.
 * @throws InputError `invalid-value` naming the value and why (control characters, bad IP, bad hostname, wildcard rules)
 */
export function validateSan(san: San): San {
  const v = san.value;
  const bad = (why: string): never => fail('invalid-value', `subject alternative name ${san.type}:${showValue(v)} ${why}`);
  if (typeof v !== 'string' || v.length === 0) bad('is empty');
  if (CONTROL_RE.test(v)) bad('contains a control character');
  switch (san.type) {
    case 'DNS': {
      const r = checkHostname(v, true);
      return typeof r === 'string' ? { type: 'DNS', value: r } : bad(r.why);
    }
    case 'IP': {
      const bytes = ipToBytes(v);
      if (typeof bytes === 'string') return bad(bytes);
      return { type: 'IP', value: formatIp(bytes) };
    }
    case 'email': {
      const r = checkEmail(v);
      return typeof r === 'string' ? { type: 'email', value: r } : bad(r.why);
    }
    case 'URI': {
      const r = checkUri(v);
      return r === undefined ? { type: 'URI', value: v } : bad(r);
    }
    default:
      return fail('invalid-value', `subject alternative name type "${String(san.type)}" is not supported: use DNS, IP, email or URI`);
  }
}

interface Why { why: string }

function checkHostname(input: string, allowWildcard: boolean): string | Why {
  if (/\s/.test(input)) return { why: 'contains a space; a hostname is letters, digits, hyphens and dots' };
  let v = input;
  if (/[^\u0000-\u007f]/.test(v)) {
    const ascii = domainToASCII(v);
    if (ascii === '') return { why: 'is not a valid internationalised domain name' };
    v = ascii;
  }
  v = v.toLowerCase();
  if (v.endsWith('.') && v.length > 1) v = v.slice(0, -1);
  if (v.length > 253) return { why: `is ${v.length} characters long; a hostname allows at most 253` };
  const labels = v.split('.');
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (label.length === 0) return { why: 'has an empty label (a leading dot or two dots in a row)' };
    if (label.includes('*')) {
      if (!allowWildcard) return { why: 'cannot contain a wildcard' };
      if (label !== '*' || i !== 0) return { why: 'has a wildcard that is not the whole leftmost label (only *.example.com is allowed)' };
      if (labels.length < 3) return { why: 'has a wildcard over a top-level domain; use at least *.example.com' };
      continue;
    }
    if (label.length > 63) return { why: `has a label of ${label.length} characters; labels allow at most 63` };
    if (label.includes('_')) return { why: 'contains "_", which is not allowed in a hostname in a certificate' };
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(label)) {
      return { why: 'has characters a hostname cannot have (letters, digits and hyphens only, no hyphen at the start or end of a label)' };
    }
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) {
    return { why: /^[0-9.]+$/.test(v) ? 'looks like an IP address, not a hostname: write it as IP:<address> (and check it is a valid one)' : 'ends in an all-numeric label, which no hostname does' };
  }
  return v;
}

function checkEmail(v: string): string | Why {
  const at = v.lastIndexOf('@');
  if (at <= 0 || at === v.length - 1 || v.indexOf('@') !== at) return { why: 'is not an email address of the form name@domain' };
  const local = v.slice(0, at);
  if (local.length > 64) return { why: 'has a part before "@" longer than 64 characters' };
  if (!/^[A-Za-z0-9._%+-]+$/.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return { why: 'has characters before "@" outside letters, digits and . _ % + -' };
  }
  const domain = checkHostname(v.slice(at + 1), false);
  if (typeof domain !== 'string') return { why: `has a domain that ${domain.why}` };
  return `${local}@${domain}`;
}

function checkUri(v: string): string | undefined {
  if (v.length > 4096) return 'is longer than 4096 characters';
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(v)) return 'has no scheme; write it like https://host.example.com/';
  const badChar = /[^A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]/.exec(v);
  if (badChar) return `contains ${showValue(badChar[0])}, which a URI cannot hold unencoded`;
  if (/%(?![0-9A-Fa-f]{2})/.test(v)) return 'has a "%" that is not followed by two hex digits';
  try {
    new URL(v);
  } catch {
    return 'is not a valid URI';
  }
  return undefined;
}

/** Parses an IPv4 or IPv6 literal to its 4 or 16 bytes; returns the reason as a string when invalid. */
function ipToBytes(v: string): Uint8Array | string {
  if (v.includes('%')) return 'has a zone index (%...), which a certificate cannot hold';
  if (!v.includes(':')) {
    const b = ipv4ToBytes(v);
    return b ?? 'is not a valid IPv4 address (four numbers 0-255 without leading zeros, e.g. 10.0.0.1)';
  }
  const b = ipv6ToBytes(v);
  return b ?? 'is not a valid IPv6 address';
}

function ipv4ToBytes(v: string): Uint8Array | undefined {
  const parts = v.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    // A leading zero reads as octal to some tools: refuse rather than guess.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return undefined;
    out[i] = Number(p);
  }
  return out;
}

function ipv6ToBytes(v: string): Uint8Array | undefined {
  let text = v;
  let tail: Uint8Array | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tail = ipv4ToBytes(text.slice(lastColon + 1));
    if (!tail) return undefined;
    // Keep the separator so "::1.2.3.4" still splits into ["", ""] below.
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (s: string): number[] | undefined => {
    if (s === '') return [];
    const groups = s.split(':');
    const nums: number[] = [];
    for (const g of groups) {
      if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return undefined;
      nums.push(parseInt(g, 16));
    }
    return nums;
  };
  const left = parse(halves[0]!);
  const right = halves.length === 2 ? parse(halves[1]!) : [];
  if (!left || !right) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    const missing = 8 - left.length - right.length;
    if (missing < 1) return undefined;
    groups = [...left, ...new Array<number>(missing).fill(0), ...right];
  } else {
    groups = left;
  }
  if (groups.length !== 8) return undefined;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => { out[2 * i] = g >> 8; out[2 * i + 1] = g & 0xff; });
  if (tail) out.set(tail, 12);
  return out;
}

/** Text form of 4 or 16 address bytes: dotted quad, or RFC 5952 IPv6 (IPv4-mapped as ::ffff:a.b.c.d). */
function formatIp(b: Uint8Array): string {
  if (b.length === 4) return Array.from(b).join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i]! << 8) | b[i + 1]!);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${Array.from(b.slice(12)).join('.')}`;
  }
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

// Full eight-group hex form: @peculiar/x509's converter mis-reads embedded dotted quads.
function ipForX509(value: string): string {
  const b = ipToBytes(value) as Uint8Array;
  if (b.length === 4) return formatIp(b);
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  return groups.join(':');
}

// ---------------------------------------------------------------------------------------------
// Key usage and extended key usage

/** Key usage names in bit order (OpenSSL spelling). */
export const KEY_USAGES = [
  'digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement',
  'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly',
] as const;

/** Extended key usage names OpenSSL knows, with their OIDs. */
export const EXTENDED_KEY_USAGES: Record<string, string> = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  ipsecEndSystem: '1.3.6.1.5.5.7.3.5',
  ipsecTunnel: '1.3.6.1.5.5.7.3.6',
  ipsecUser: '1.3.6.1.5.5.7.3.7',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  OCSPSigning: '1.3.6.1.5.5.7.3.9',
  ipsecIKE: '1.3.6.1.5.5.7.3.17',
  anyExtendedKeyUsage: '2.5.29.37.0',
};
const EKU_BY_OID = new Map(Object.entries(EXTENDED_KEY_USAGES).map(([n, o]) => [o, n]));

/** OpenSSL's name for an extended key usage OID (serverAuth, ...), or the dotted OID when it has none. */
export function ekuName(oid: string): string {
  return EKU_BY_OID.get(oid) ?? oid;
}

/**
 * Canonical key usage names (OpenSSL spelling, bit order, no duplicates) for names given in any case.
 * @throws InputError `invalid-value` for an unknown name
 */
export function normaliseKeyUsage(names: string[], file?: string): string[] {
  const wanted = new Set<string>();
  for (const n of names) {
    const k = KEY_USAGES.find((u) => u.toLowerCase() === n.trim().toLowerCase());
    if (k === undefined) fail('invalid-value', `key usage ${showValue(n)} is not known: use ${KEY_USAGES.join(', ')}`, file);
    wanted.add(k);
  }
  return KEY_USAGES.filter((u) => wanted.has(u));
}

/**
 * Canonical extended key usage names (serverAuth, ...) or dotted OIDs, in the order given, without duplicates.
 * @throws InputError `invalid-value` for an unknown name or a malformed OID
 */
export function normaliseExtendedKeyUsage(names: string[], file?: string): string[] {
  const out: string[] = [];
  for (const n of names) {
    const t = n.trim();
    let v: string | undefined;
    if (/^[0-2](\.(0|[1-9][0-9]*))+$/.test(t)) v = EKU_BY_OID.get(t) ?? t;
    else v = Object.keys(EXTENDED_KEY_USAGES).find((k) => k.toLowerCase() === t.toLowerCase());
    if (v === undefined) {
      fail('invalid-value', `extended key usage ${showValue(n)} is not known: use ${Object.keys(EXTENDED_KEY_USAGES).join(', ')} or a dotted OID`, file);
    }
    if (!out.includes(v)) out.push(v);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Building and describing CSRs

/** What to put in a CSR. */
export interface CsrParams {
  /** The private key that signs the request. */
  key: KeyObject;
  /** Subject attributes, in order; at least one. */
  subject: SubjectAttr[];
  /** Subject alternative names, in order; none means no SAN extension. */
  sans: San[];
  /** Default digitalSignature,keyEncipherment for RSA, digitalSignature otherwise; [] leaves the extension out. */
  keyUsage?: string[];
  /** Default serverAuth; [] leaves the extension out. */
  extendedKeyUsage?: string[];
  crypto?: X509Crypto;
}

/**
 * Builds and signs a PKCS#10 request: SHA-256 (SHA-384 for P-384, SHA-512 for P-521), key usage critical.
 * @throws InputError `invalid-value` for an empty subject or a bad attribute, SAN or usage; `wrong-kind` for a public key; `unsupported` for other key types
 */
export async function buildCsr(p: CsrParams): Promise<{ pem: string; der: Uint8Array }> {
  const crypto = p.crypto ?? defaultCrypto;
  if (p.key.type !== 'private') fail('wrong-kind', `a CSR is signed with a private key, got a ${p.key.type} key`);
  const info = keyInfo(p.key);
  if (p.subject.length === 0) fail('invalid-value', 'the subject is empty: give at least CN=<name>');
  const subject = p.subject.map((a) => validateSubjectAttr(a));
  const sans = p.sans.map((s) => validateSan(s));
  const keyUsage = normaliseKeyUsage(p.keyUsage ?? (info.algorithm === 'rsa' ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature']));
  const eku = normaliseExtendedKeyUsage(p.extendedKeyUsage ?? ['serverAuth']);

  // String types as OpenSSL writes them with string_mask=utf8only: C is PrintableString and
  // emailAddress IA5String by definition, everything else UTF8String.
  const name = subject.map((a) => {
    const spec = ATTRS[a.type];
    const value = a.type === 'C' ? { printableString: a.value } : a.type === 'emailAddress' ? { ia5String: a.value } : { utf8String: a.value };
    return { [spec.oid]: [value] };
  });
  const extensions: x509.Extension[] = [];
  if (sans.length > 0) {
    const gn = sans.map((s): x509.JsonGeneralName => {
      switch (s.type) {
        case 'DNS': return { type: 'dns', value: s.value };
        case 'IP': return { type: 'ip', value: ipForX509(s.value) };
        case 'email': return { type: 'email', value: s.value };
        case 'URI': return { type: 'url', value: s.value };
      }
    });
    extensions.push(new x509.SubjectAlternativeNameExtension(gn, false));
  }
  if (keyUsage.length > 0) {
    let flags = 0;
    for (const u of keyUsage) flags |= 1 << KEY_USAGES.indexOf(u as (typeof KEY_USAGES)[number]);
    extensions.push(new x509.KeyUsagesExtension(flags, true));
  }
  if (eku.length > 0) {
    extensions.push(new x509.ExtendedKeyUsageExtension(eku.map((u) => EXTENDED_KEY_USAGES[u] ?? u), false));
  }
  const signer = await toCryptoKeyPair(p.key, crypto);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create(
    // Cast: JsonNameParams takes per-value string-type objects; the exported JsonName type does not say so.
    { name: name as unknown as x509.JsonName, keys: signer.keys as CreateParams['keys'], signingAlgorithm: signer.signingAlgorithm as CreateParams['signingAlgorithm'], extensions },
    crypto,
  );
  const der = new Uint8Array(csr.rawData);
  return { pem: toPem('CERTIFICATE REQUEST', der), der };
}

type CreateParams = x509.Pkcs10CertificateRequestCreateParams;

/** What {@link describeCsr} reports about a request. */
export interface CsrDescription {
  /** Subject attributes certbench knows, in order (other attribute types are left out). */
  subject: SubjectAttr[];
  /** DNS, IP, email and URI names, in order (other name forms are left out). */
  sans: San[];
  keyUsage: string[];
  extendedKeyUsage: string[];
  /** OpenSSL's name for it (sha256WithRSAEncryption, ecdsa-with-SHA384, ED25519, ...), or the OID. */
  signatureAlgorithm: string;
  signatureValid: boolean;
}

/**
 * Reads a DER CSR: subject, SANs, key usage, EKU, signature algorithm, and whether the self-signature verifies.
 * @throws InputError `unknown-content` when the bytes are not a PKCS#10 request, or its subject or extensions are damaged
 */
export function describeCsr(der: Uint8Array): CsrDescription {
  let csr: x509.Pkcs10CertificateRequest;
  let signed: SignedParts;
  try {
    csr = new x509.Pkcs10CertificateRequest(der);
    signed = signedParts(der);
  } catch (e) {
    throw new InputError('unknown-content', 'the data is not a PKCS#10 certificate signing request', { cause: e });
  }
  return readParts('the CSR', () => {
    const subject = subjectAttrsOf(csr.subjectName);
    const sans = sansOf(csr.getExtension('2.5.29.17'));
    const keyUsage: string[] = [];
    const kuExt = csr.getExtension('2.5.29.15');
    if (kuExt) {
      const flags = new x509.KeyUsagesExtension(kuExt.rawData).usages;
      KEY_USAGES.forEach((u, i) => { if (flags & (1 << i)) keyUsage.push(u); });
    }
    const extendedKeyUsage: string[] = [];
    const ekuExt = csr.getExtension('2.5.29.37');
    if (ekuExt) {
      for (const u of new x509.ExtendedKeyUsageExtension(ekuExt.rawData).usages) extendedKeyUsage.push(ekuName(String(u)));
    }
    const signatureAlgorithm = signed.algorithmName;
    return { subject, sans, keyUsage, extendedKeyUsage, signatureAlgorithm, signatureValid: verifySignature(csr, signed.tbs, signatureAlgorithm) };
  });
}

// @peculiar/x509 reads names and extensions only when asked, and throws plain errors when they are damaged.
function readParts<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError('unknown-content', `${what} is damaged: its subject or extensions cannot be read`, { cause: e });
  }
}

// Subject attributes certbench knows, in order; other attribute types are left out.
function subjectAttrsOf(name: x509.Name): SubjectAttr[] {
  const subject: SubjectAttr[] = [];
  for (const rdn of name.toJSON()) {
    for (const [n, values] of Object.entries(rdn)) {
      const type = ATTR_BY_OID.get(n) ?? ATTR_BY_NAME.get(n.toLowerCase());
      if (type === undefined) continue;
      for (const value of values) subject.push({ type, value });
    }
  }
  return subject;
}

// DNS, IP, email and URI names of a subjectAltName extension, in order; other name forms are left out.
function sansOf(ext: x509.Extension | null): San[] {
  const sans: San[] = [];
  if (!ext) return sans;
  for (const n of new x509.SubjectAlternativeNameExtension(ext.rawData).names.items) {
    if (n.type === 'dns') sans.push({ type: 'DNS', value: n.value });
    else if (n.type === 'email') sans.push({ type: 'email', value: n.value });
    else if (n.type === 'url') sans.push({ type: 'URI', value: n.value });
    else if (n.type === 'ip') {
      const b = ipToBytes(n.value);
      sans.push({ type: 'IP', value: typeof b === 'string' ? n.value : formatIp(b) });
    }
  }
  return sans;
}

/**
 * Reads the names of a DER X.509 certificate the way {@link describeCsr} reads a request's: subject attributes
 * certbench knows and DNS, IP, email and URI subject alternative names, each in order.
 * @throws InputError `unknown-content` when the bytes are not an X.509 certificate, or its subject or SAN extension is damaged
 */
export function describeCertificateNames(der: Uint8Array): { subject: SubjectAttr[]; sans: San[] } {
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(der);
  } catch (e) {
    throw new InputError('unknown-content', 'the data is not an X.509 certificate', { cause: e });
  }
  return readParts('the certificate', () => ({ subject: subjectAttrsOf(cert.subjectName), sans: sansOf(cert.getExtension('2.5.29.17')) }));
}

function verifySignature(csr: x509.Pkcs10CertificateRequest, tbs: Uint8Array, alg: string): boolean {
  try {
    const key = createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: 'der', type: 'spki' });
    const sig = Buffer.from(csr.signature);
    if (alg === 'ED25519' || alg === 'ED448') return nodeVerify(null, tbs, key, sig);
    if (alg === 'rsassaPss') {
      const a = csr.signatureAlgorithm as unknown as { hash?: { name?: string }; saltLength?: number };
      const hash = (a.hash?.name ?? 'SHA-1').replace('-', '').toLowerCase();
      return nodeVerify(hash, tbs, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: a.saltLength ?? 20 }, sig);
    }
    const hash = SIGNATURE_HASH[alg];
    if (hash === undefined) return false;
    return nodeVerify(hash, tbs, { key, dsaEncoding: 'der' }, sig);
  } catch {
    return false;
  }
}
