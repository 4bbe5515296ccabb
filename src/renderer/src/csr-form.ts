import type { SanView, SubjectAttrView } from '../../shared/contract.js';

/** The subject attributes the form offers, in the order a certificate lists them. */
export const SUBJECT_FIELDS = [
  { type: 'C', hint: 'Country, two letters (US, DE)' },
  { type: 'ST', hint: 'State or province' },
  { type: 'L', hint: 'Locality (city)' },
  { type: 'O', hint: 'Organization' },
  { type: 'OU', hint: 'Organizational unit' },
  { type: 'CN', hint: 'Common name, usually the FQDN' },
  { type: 'emailAddress', hint: 'Contact e-mail (rarely wanted in server certificates)' },
] as const satisfies readonly { type: SubjectAttrView['type']; hint: string }[];

/** Subject as the form holds it: one value per attribute type. */
export type SubjectValues = Record<SubjectAttrView['type'], string>;

/** One SAN row of the editor; `key` keeps React rows stable while rows are added and removed. */
export interface SanRowState extends SanView {
  key: number;
}

/** Key usage names OpenSSL knows, in bit order (as src/core/pki/csr.ts KEY_USAGES). */
export const KEY_USAGES = [
  'digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement',
  'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly',
];

/** Extended key usage names OpenSSL knows (as src/core/pki/csr.ts EXTENDED_KEY_USAGES); OIDs are accepted too. */
export const EXTENDED_KEY_USAGES = [
  'serverAuth', 'clientAuth', 'codeSigning', 'emailProtection', 'ipsecEndSystem', 'ipsecTunnel',
  'ipsecUser', 'timeStamping', 'OCSPSigning', 'ipsecIKE', 'anyExtendedKeyUsage',
];

/** An empty subject form. */
export function emptySubject(): SubjectValues {
  return { C: '', ST: '', L: '', O: '', OU: '', CN: '', emailAddress: '' };
}

/** The filled attributes, in form order, trimmed. */
export function subjectAttrs(s: SubjectValues): SubjectAttrView[] {
  return SUBJECT_FIELDS.map((f) => ({ type: f.type, value: s[f.type].trim() })).filter((a) => a.value.length > 0);
}

/** The filled SAN rows, trimmed. */
export function sanList(rows: SanRowState[]): SanView[] {
  return rows.map((r) => ({ type: r.type, value: r.value.trim() })).filter((r) => r.value.length > 0);
}

/**
 * A template's subject as the form: the first value of each type. Returns the types that had more
 * than one value, so the screen can say what it left out.
 */
export function subjectFromAttrs(attrs: SubjectAttrView[]): { subject: SubjectValues; dropped: string[] } {
  const subject = emptySubject();
  const dropped: string[] = [];
  for (const a of attrs) {
    if (subject[a.type] === '') subject[a.type] = a.value;
    else if (!dropped.includes(a.type)) dropped.push(a.type);
  }
  return { subject, dropped };
}
