import { basename, dirname, extname } from 'node:path';
import { CertbenchError, InputError, fail } from '../../core/errors.js';
import { writeOutputs, type OutputFile } from '../../core/output.js';
import { describeCertificateNames, describeCsr } from '../../core/pki/csr.js';
import { decode } from '../../core/pki/decode.js';
import { inspect, type Inspection } from '../../core/pki/inspect.js';
import { exportPublicKeyPem } from '../../core/pki/keys.js';
import { toPem } from '../../core/pki/pem.js';
import type { DecodedItem } from '../../core/pki/types.js';
import type { DecodeResult, ItemView } from '../../shared/contract.js';
import type { SessionStore, StoredItem } from '../session-store.js';

/** The name pasted PEM goes by, in item views and messages. */
export const PASTED_TEXT = 'pasted text';

/** PEM of a certificate, CSR or public key; undefined for a private key, which never leaves main. */
export function pemOf(item: DecodedItem): string | undefined {
  switch (item.kind) {
    case 'certificate': return toPem('CERTIFICATE', item.der);
    case 'csr': return toPem('CERTIFICATE REQUEST', item.der);
    case 'public-key': return exportPublicKeyPem(item.key);
    case 'private-key': return undefined;
  }
}

/**
 * The views of items that belong together (one file's, so its certificates are also checked as a chain).
 * @throws InputError when an item cannot be inspected (damaged names, unsupported key)
 */
export function viewsOf(stored: StoredItem[], now: Date, inspections: Inspection[] = inspect(stored.map((s) => s.item), { now })): ItemView[] {
  return stored.map((s, i) => {
    const pem = pemOf(s.item);
    return { id: s.id, ...inspections[i]!, ...(pem === undefined ? {} : { pem }) };
  });
}

const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

/** One file to decode: its name, its bytes (or base64 that should hold them). */
export interface DecodeInput {
  name: string;
  bytes?: Uint8Array;
  base64?: string;
  /** Reads the bytes (an opened file); its InputError becomes this file's error. */
  read?: () => Promise<Uint8Array>;
}

/**
 * Decodes each file on its own and keeps its items in the store: one bad file is reported with its
 * code and message and does not hide the others. Items are stored only once they could be inspected.
 */
export async function decodeFiles(files: DecodeInput[], passphrase: string | undefined, store: SessionStore, now: Date): Promise<DecodeResult> {
  const result: DecodeResult = { items: [], errors: [] };
  for (const f of files) {
    try {
      let bytes = f.bytes;
      if (f.read) bytes = await f.read();
      if (f.base64 !== undefined) {
        if (!BASE64_RE.test(f.base64) || f.base64.length % 4 !== 0) fail('bad-base64', 'the file did not arrive intact (its data is not base64)', f.name);
        bytes = new Uint8Array(Buffer.from(f.base64, 'base64'));
      }
      const items = await decode(bytes ?? new Uint8Array(), { file: f.name, ...(passphrase ? { passphrase } : {}) });
      // Inspect before storing, so a damaged file leaves nothing behind.
      const inspections = inspect(items, { now });
      result.items.push(...viewsOf(store.addAll(items), now, inspections));
    } catch (e) {
      // Even a failure certbench did not foresee stays with its file, so the other files still open.
      if (e instanceof InputError) result.errors.push({ file: f.name, code: e.code, message: e.message });
      else result.errors.push({ file: f.name, code: 'internal', message: `${f.name}: internal error while reading this file (${e instanceof Error ? e.name : 'unknown'})` });
    }
  }
  return result;
}

// Private keys in any PEM form (PKCS#8, encrypted, PKCS#1, SEC1, OpenSSH) and PuTTY key files.
const SECRET_RE = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----|PuTTY-User-Key-File-/;

/**
 * Refuses text that holds a private key: the clipboard and plain text files are for public material.
 * @throws InputError `refused`
 */
export function refuseSecretText(text: string, where: string): void {
  if (SECRET_RE.test(text)) {
    fail('refused', `${where} takes no private keys; save a key with "Save key…", which writes it with mode 0600`);
  }
}

/** A file name made safe to suggest in a save dialog: no folders, no odd characters. */
export function safeFileName(name: string, fallback: string): string {
  const cleaned = basename(name.replace(/\\/g, '/'))
    .replace(/^\*\./, 'wildcard.')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, 120);
  return cleaned.length > 0 ? cleaned : fallback;
}

function commonName(item: DecodedItem): string | undefined {
  try {
    const names = item.kind === 'certificate' ? describeCertificateNames(item.der) : item.kind === 'csr' ? describeCsr(item.der) : undefined;
    return names?.subject.find((a) => a.type === 'CN')?.value;
  } catch {
    return undefined;
  }
}

/**
 * The file name to suggest when saving an item: its own file's name for opened files (with the item's
 * number when the file held several), else its CN, else a name for its kind; with `ext`.
 */
export function suggestedName(stored: StoredItem, ext: string): string {
  const { item } = stored;
  let stem: string | undefined;
  if (!stored.generated && item.file !== PASTED_TEXT) {
    const base = basename(item.file);
    stem = base.slice(0, base.length - extname(base).length) + (item.index > 0 ? `-${item.index + 1}` : '');
  }
  stem ??= commonName(item);
  const fallback = { 'certificate': 'certificate', 'csr': 'request', 'private-key': 'private', 'public-key': 'public-key' }[item.kind];
  return safeFileName(`${stem ?? fallback}${ext}`, `${fallback}${ext}`);
}

// File-system failures a user can cause by the folder they chose, in their words.
function fsError(e: unknown): unknown {
  if (e instanceof CertbenchError || !(e instanceof Error)) return e;
  const err = e as NodeJS.ErrnoException;
  const where = err.path ? dirname(err.path) : 'the chosen folder';
  switch (err.code) {
    case 'EACCES':
    case 'EPERM':
      return new InputError('invalid-value', `cannot write to ${where}: permission denied; choose another folder`, { file: where });
    case 'EROFS':
      return new InputError('invalid-value', `cannot write to ${where}: it is on a read-only file system`, { file: where });
    case 'ENOSPC':
    case 'EDQUOT':
      return new InputError('invalid-value', `cannot write to ${where}: no space left on the device`, { file: where });
    case 'ENOENT':
    case 'ENOTDIR':
      return new InputError('not-found', `cannot write to ${where}: the folder no longer exists`, { file: where });
    default:
      return e;
  }
}

/**
 * Writes files together or not at all (see writeOutputs), with file-system failures as InputErrors.
 * @throws InputError when a file exists without `force`, or the folder cannot be written
 */
export function writeFiles(files: OutputFile[]): void {
  try {
    writeOutputs(files);
  } catch (e) {
    throw fsError(e);
  }
}
