import type { ItemView } from '../../shared/contract.js';

const KIND: Record<ItemView['kind'], string> = {
  certificate: 'Certificate',
  csr: 'CSR',
  'private-key': 'Private key',
  'public-key': 'Public key',
};

/** "Certificate", "CSR", "Private key", "Public key". */
export function kindText(kind: ItemView['kind']): string {
  return KIND[kind];
}

/** "RSA 2048", "ECDSA P-256", "Ed25519". */
export function keyText(key: ItemView['key']): string {
  if (key.algorithm === 'rsa') return `RSA ${key.bits}`;
  if (key.algorithm === 'ecdsa') return `ECDSA ${key.curve ?? `${key.bits}-bit`}`;
  return 'Ed25519';
}

/** The file name, with the position inside the file when it held several items. */
export function fileText(item: Pick<ItemView, 'file' | 'index'>): string {
  return item.index > 0 ? `${item.file} (#${item.index + 1})` : item.file;
}

/** The CN of an OpenSSL-style subject line, if it has one. */
export function commonName(subject: string | undefined): string | undefined {
  if (!subject) return undefined;
  const m = /(?:^|[,/]\s*)CN\s*=\s*([^,/]+)/.exec(subject);
  return m?.[1]?.trim();
}

/** One line naming an item in a picker: file, then the key type (keys) or kind and CN (certificates, CSRs). */
export function itemLabel(item: ItemView): string {
  if (item.kind === 'private-key' || item.kind === 'public-key') return `${fileText(item)} — ${keyText(item.key)}`;
  return `${fileText(item)} — ${kindText(item.kind)} — ${commonName(item.subject) ?? keyText(item.key)}`;
}

/** A local date and time for an ISO timestamp; the input when it does not parse. */
export function dateText(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

/** A safe file name stem from a CN ("router1.example.net" stays as is, odd characters become "_"). */
export function fileStem(name: string | undefined, fallback: string): string {
  const stem = (name ?? '').trim().replace(/^\*\./, 'wildcard.').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '');
  return stem.length > 0 ? stem.slice(0, 100) : fallback;
}
