import { fail } from '../errors.js';

/** One `-----BEGIN X-----` block found in a text. */
export interface PemBlock {
  /** The label between BEGIN and the dashes, e.g. `CERTIFICATE`, `RSA PRIVATE KEY`. */
  label: string;
  /** RFC 1421 headers such as `Proc-Type` (legacy OpenSSL encrypted keys), when present. */
  headers: Record<string, string>;
  /** The decoded body. */
  der: Uint8Array;
}

const BEGIN_RE = /-----BEGIN ([A-Z0-9 #]+)-----/g;
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

/** True when the text holds at least one PEM BEGIN line. */
export function looksLikePem(text: string): boolean {
  return /-----BEGIN [A-Z0-9 #]+-----/.test(text);
}

/**
 * Finds every PEM block in `text`, ignoring anything around them (OpenSSL "Bag Attributes",
 * `openssl x509 -text` output, CRLF line endings).
 * @throws InputError `truncated` when a block has no END line, `bad-base64` when its body is not base64
 */
export function parsePem(text: string, file?: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  BEGIN_RE.lastIndex = 0;
  for (let m = BEGIN_RE.exec(text); m !== null; m = BEGIN_RE.exec(text)) {
    const label = m[1]!;
    const bodyStart = m.index + m[0].length;
    const endMarker = `-----END ${label}-----`;
    const end = text.indexOf(endMarker, bodyStart);
    const nextBegin = text.indexOf('-----BEGIN ', bodyStart);
    if (end < 0 || (nextBegin >= 0 && nextBegin < end)) {
      fail('truncated', `the PEM block "${label}" has no "${endMarker}" line; the file looks cut short`, file);
    }
    const lines = text.slice(bodyStart, end).split(/\r?\n|\r/).map((l) => l.trim()).filter((l) => l.length > 0);
    const headers: Record<string, string> = {};
    while (lines.length > 0 && /^[A-Za-z-]+:/.test(lines[0]!)) {
      const line = lines.shift()!;
      const i = line.indexOf(':');
      headers[line.slice(0, i)] = line.slice(i + 1).trim();
    }
    const body = lines.join('');
    if (body.length === 0) fail('truncated', `the PEM block "${label}" is empty`, file);
    if (!BASE64_RE.test(body) || body.length % 4 !== 0) {
      fail('bad-base64', `the PEM block "${label}" is not valid base64 (a character outside the base64 alphabet, or a wrong length)`, file);
    }
    blocks.push({ label, headers, der: new Uint8Array(Buffer.from(body, 'base64')) });
    BEGIN_RE.lastIndex = end + endMarker.length;
  }
  return blocks;
}

/** Encodes DER bytes as a PEM block with 64-character lines and a trailing newline. */
export function toPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
