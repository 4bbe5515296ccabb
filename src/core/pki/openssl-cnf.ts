import { fail, InputError } from '../errors.js';
import {
  normaliseExtendedKeyUsage, normaliseKeyUsage, showValue, subjectAttrType, validateSan, validateSubjectAttr,
  type San, type SanType, type SubjectAttr,
} from './csr.js';
import { MAX_INPUT_BYTES } from './types.js';

/** What an OpenSSL `req` config (KB37299 style) asks for, with placeholders filled. */
export interface CsrTemplate {
  subject: SubjectAttr[];
  sans: San[];
  /** Canonical names; empty when the config sets no keyUsage. */
  keyUsage: string[];
  /** Canonical names or OIDs; empty when the config sets no extendedKeyUsage. */
  extendedKeyUsage: string[];
  defaultBits?: number;
  defaultMd?: string;
}

interface Entry {
  key: string;
  /** The value after OpenSSL's quote and escape processing. */
  value: string;
  line: number;
  /** The first unescaped `$...` in the value: OpenSSL would expand it, we refuse it where the value is used. */
  expansion?: string;
}

type Sections = Map<string, Entry[]>;

const PLACEHOLDER_RE = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g;
// C0 and C1 controls (tab aside) and the bidi overrides: no config needs them, and a section name or value
// holding one would be echoed into error messages, where C1 CSI (U+009B) drives some terminals.
const LINE_CONTROL_RE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Splits a config into sections of entries the way OpenSSL's NCONF reader does (no variable expansion). */
function lexCnf(text: string, file?: string): Sections {
  const sections: Sections = new Map([['default', []]]);
  let current = sections.get('default')!;
  const physical = text.split(/\r?\n|\r/);
  for (let i = 0; i < physical.length; i++) {
    const lineNo = i + 1;
    let line = physical[i]!;
    // A trailing backslash joins the next line, as in OpenSSL.
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < physical.length) line = line.slice(0, -1) + physical[++i]!;
    if (LINE_CONTROL_RE.test(line)) fail('invalid-value', `line ${lineNo} contains a control character`, file);
    const first = line.trimStart()[0];
    if (first === undefined || first === '#' || first === ';') continue;
    line = trimUnescaped(stripComment(line));
    if (line.length === 0) continue;
    if (line.startsWith('[')) {
      const m = /^\[\s*([A-Za-z0-9_.:-]+)\s*\]$/.exec(line);
      if (!m) fail('invalid-value', `line ${lineNo}: malformed section header ${showValue(line)}; write it as [name]`, file);
      const name = m[1]!;
      if (!sections.has(name)) sections.set(name, []);
      current = sections.get(name)!;
      continue;
    }
    if (line.startsWith('.')) {
      if (/^\.include\b/.test(line)) fail('unsupported', `line ${lineNo}: .include is not supported; put everything in one file`, file);
      if (/^\.pragma\b/.test(line)) continue;
      fail('invalid-value', `line ${lineNo}: unknown directive ${showValue(line)}`, file);
    }
    const eq = line.indexOf('=');
    if (eq < 0) fail('invalid-value', `line ${lineNo}: expected "name = value", got ${showValue(line)}`, file);
    const key = line.slice(0, eq).trim();
    if (key.includes('{{')) fail('invalid-value', `line ${lineNo}: placeholders are only allowed in values, not in the name ${showValue(key)}`, file);
    if (!/^[A-Za-z0-9_.:,;!%&*+/?@^~|-]+$/.test(key)) fail('invalid-value', `line ${lineNo}: ${showValue(key)} is not a valid setting name`, file);
    current.push({ key, line: lineNo, ...processValue(line.slice(eq + 1).trimStart()) });
  }
  return sections;
}

// Cuts the line at the first '#' that is neither quoted nor escaped.
function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\') { i++; continue; }
    if (quote !== undefined) { if (c === quote) quote = undefined; continue; }
    if (c === '"' || c === "'") quote = c;
    else if (c === '#') return line.slice(0, i);
  }
  return line;
}

// Trims whitespace at both ends except a space kept by a backslash ("\ "), as OpenSSL does.
function trimUnescaped(s: string): string {
  let end = s.length;
  while (end > 0 && /\s/.test(s[end - 1]!)) {
    let slashes = 0;
    for (let j = end - 2; j >= 0 && s[j] === '\\'; j--) slashes++;
    if (slashes % 2 === 1) break;
    end--;
  }
  return s.slice(0, end).trimStart();
}

// OpenSSL's str_copy: quotes removed, backslash escapes (\n \r \t \b and any character), '$' expands.
function processValue(raw: string): { value: string; expansion?: string } {
  let out = '';
  let expansion: string | undefined;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '"' || c === "'") {
      for (i++; i < raw.length && raw[i] !== c; i++) {
        if (raw[i] === '\\' && i + 1 < raw.length) i++;
        out += raw[i];
      }
      continue;
    }
    if (c === '\\') {
      if (i + 1 >= raw.length) break;
      const n = raw[++i]!;
      out += n === 'n' ? '\n' : n === 'r' ? '\r' : n === 't' ? '\t' : n === 'b' ? '\b' : n;
      continue;
    }
    if (c === '$' && expansion === undefined) expansion = /^\$(\{[^}]*\}?|\([^)]*\)?|[A-Za-z0-9_:]*)/.exec(raw.slice(i))![0];
    out += c;
  }
  return expansion === undefined ? { value: out } : { value: out, expansion };
}

function placeholdersIn(value: string): string[] {
  return [...value.matchAll(PLACEHOLDER_RE)].map((m) => m[1]!);
}

/** The `{{name}}` placeholders of a template, in order of first use, each once. */
export function templateVariables(text: string): string[] {
  const names: string[] = [];
  let values: string[];
  try {
    values = [...lexCnf(text).values()].flatMap((entries) => entries.map((e) => e.value));
  } catch {
    // A template too broken to read still shows its placeholders; parsing will say what is wrong.
    values = [text];
  }
  for (const v of values) for (const n of placeholdersIn(v)) if (!names.includes(n)) names.push(n);
  return names;
}

// Runs a check that throws InputError without a file, and re-raises it naming the file and line.
function atLine<T>(line: number, file: string | undefined, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof InputError) throw new InputError(e.code, `${file ? `${file}: ` : ''}line ${line}: ${e.message}`, file === undefined ? undefined : { file });
    throw e;
  }
}

const MD_NAMES = ['sha1', 'sha224', 'sha256', 'sha384', 'sha512'];
const SAN_KEYS: Record<string, SanType> = { dns: 'DNS', ip: 'IP', email: 'email', uri: 'URI' };
const UNSUPPORTED_SAN_KEYS = ['rid', 'dirname', 'othername'];

/**
 * Reads a KB37299-style OpenSSL `req` config: [req] (distinguished_name, req_extensions, prompt, default_bits,
 * default_md), the DN section (short or long names; `NAME_default` values when prompt is not "no"), the
 * extension section (subjectAltName inline or @section, keyUsage, extendedKeyUsage) and the SAN section.
 * `{{name}}` placeholders in values are filled from `vars`; sections nothing points at are ignored.
 * @throws InputError `invalid-value` for a missing placeholder, `$` variable expansion, a malformed line or a bad value; `unsupported` for .include, multi-valued RDNs and extensions certbench does not write; `empty`/`too-large`
 */
export function parseOpensslCnf(text: string, vars: Record<string, string> = {}, file?: string): CsrTemplate {
  if (text.length > MAX_INPUT_BYTES) fail('too-large', `the config is larger than ${MAX_INPUT_BYTES} bytes; that is not an OpenSSL config`, file);
  if (text.trim().length === 0) fail('empty', 'the config is empty', file);
  if (text.includes('\u0000')) fail('unknown-content', 'the config contains NUL bytes; it is not a text file', file);
  const sections = lexCnf(text, file);

  const missing: string[] = [];
  for (const entries of sections.values()) {
    for (const e of entries) for (const n of placeholdersIn(e.value)) if (vars[n] === undefined && !missing.includes(n)) missing.push(n);
  }
  if (missing.length > 0) {
    fail('invalid-value', `no value for placeholder${missing.length > 1 ? 's' : ''} ${missing.map((n) => `{{${n}}}`).join(', ')}: give ${missing.map((n) => `${n}=...`).join(', ')}`, file);
  }
  for (const entries of sections.values()) {
    for (const e of entries) {
      if (e.value.includes('{{')) {
        const stripped = e.value.replace(PLACEHOLDER_RE, '');
        if (stripped.includes('{{')) fail('invalid-value', `line ${e.line}: malformed placeholder in ${showValue(e.value)}; write it as {{name}}`, file);
        e.value = e.value.replace(PLACEHOLDER_RE, (_m, n: string) => vars[n]!);
        // Values go in as they are and are never filled again, so one that forms "{{" could not be read back.
        if (e.value.includes('{{')) fail('invalid-value', `line ${e.line}: filling the placeholders gives ${showValue(e.value)}, which holds "{{"; a value cannot contain "{{"`, file);
      }
    }
  }

  const refuseExpansion = (e: Entry): void => {
    if (e.expansion !== undefined) {
      fail('invalid-value', `line ${e.line}: ${e.key} uses OpenSSL variable expansion (${e.expansion}); certbench does not expand variables such as $ENV::HOME or \${var}: write the value out (or escape a literal $ as \\$)`, file);
    }
  };
  // Every entry of the DN, extension and SAN sections is used; in [req] only the settings read below are.
  const section = (name: string, what: string, line?: number, allUsed = true): Map<string, Entry> => {
    const entries = sections.get(name);
    // A name no section header could have is shown escaped: it may hold anything a value can.
    const shown = /^[A-Za-z0-9_.:-]+$/.test(name) ? `[${name}]` : showValue(name);
    if (entries === undefined) fail('invalid-value', `${line === undefined ? '' : `line ${line}: `}${what} names section ${shown}, which the config does not have`, file);
    const byKey = new Map<string, Entry>();
    for (const e of entries) {
      const prev = byKey.get(e.key);
      if (prev) fail('invalid-value', `line ${e.line}: ${e.key} is set twice in [${name}] (also on line ${prev.line}); OpenSSL would silently keep only the last`, file);
      if (allUsed) refuseExpansion(e);
      byKey.set(e.key, e);
    }
    return byKey;
  };

  if (!sections.has('req')) fail('invalid-value', 'the config has no [req] section; see KB37299 for the expected layout', file);
  const req = section('req', '[req]', undefined, false);
  for (const k of ['distinguished_name', 'req_extensions', 'prompt', 'default_bits', 'default_md', 'utf8']) {
    const e = req.get(k);
    if (e) refuseExpansion(e);
  }
  const dnName = req.get('distinguished_name');
  if (dnName === undefined) fail('invalid-value', '[req] has no distinguished_name = <section>', file);
  const prompt = req.get('prompt')?.value.trim().toLowerCase();

  const template: CsrTemplate = { subject: [], sans: [], keyUsage: [], extendedKeyUsage: [] };
  const bits = req.get('default_bits');
  if (bits) {
    const n = Number(bits.value.trim());
    if (!/^\d+$/.test(bits.value.trim()) || n < 1024 || n > 16384) fail('invalid-value', `line ${bits.line}: default_bits ${showValue(bits.value)} is not a key size such as 2048`, file);
    template.defaultBits = n;
  }
  const md = req.get('default_md');
  if (md) {
    const v = md.value.trim().toLowerCase().replace('-', '');
    if (v !== 'default') {
      if (!MD_NAMES.includes(v)) fail('invalid-value', `line ${md.line}: default_md ${showValue(md.value)} is not one of ${MD_NAMES.join(', ')}`, file);
      template.defaultMd = v;
    }
  }

  const dn = section(dnName.value.trim(), 'distinguished_name', dnName.line);
  if (prompt === 'no') {
    for (const e of dn.values()) template.subject.push(subjectEntry(e, e.key, file));
  } else {
    // Interactive layout: "commonName = prompt text" plus "commonName_default = value"; the defaults are the template.
    for (const e of dn.values()) {
      if (/_(default|min|max|value)$/.test(e.key)) continue;
      const d = dn.get(`${e.key}_default`);
      if (d !== undefined) template.subject.push(subjectEntry(d, e.key, file));
    }
  }
  // Without utf8 = yes OpenSSL reads each byte as one Latin-1 character, so "München" would become "MÃ¼nchen".
  const utf8 = req.get('utf8')?.value.trim().toLowerCase() === 'yes';
  const nonAscii = template.subject.find((a) => /[^\u0000-\u007f]/.test(a.value));
  if (nonAscii && !utf8) {
    fail('invalid-value', `subject ${nonAscii.type}=${showValue(nonAscii.value)} has non-ASCII characters but [req] lacks "utf8 = yes"; OpenSSL would garble them: add that line`, file);
  }
  if (template.subject.length === 0) {
    fail('invalid-value', `[${dnName.value.trim()}] gives no subject values: with prompt = no write CN = host, or give NAME_default values`, file);
  }

  const extName = req.get('req_extensions');
  if (extName) {
    const ext = section(extName.value.trim(), 'req_extensions', extName.line);
    for (const e of ext.values()) {
      const value = stripCritical(e.value);
      switch (e.key) {
        case 'subjectAltName':
          if (value.startsWith('@')) {
            const alt = section(value.slice(1).trim(), 'subjectAltName', e.line);
            for (const a of alt.values()) template.sans.push(sanEntry(a, a.key, a.value, file));
          } else {
            for (const item of splitList(value)) {
              const colon = item.indexOf(':');
              if (colon < 0) fail('invalid-value', `line ${e.line}: subjectAltName item ${showValue(item)} needs a type, e.g. DNS:host.example.com`, file);
              template.sans.push(sanEntry(e, item.slice(0, colon), item.slice(colon + 1), file));
            }
          }
          break;
        case 'keyUsage':
          template.keyUsage = atLine(e.line, file, () => normaliseKeyUsage(splitList(value)));
          break;
        case 'extendedKeyUsage':
          template.extendedKeyUsage = atLine(e.line, file, () => normaliseExtendedKeyUsage(splitList(value)));
          break;
        case 'basicConstraints':
          // CA:FALSE is what a leaf request means anyway; anything else asks for a CA.
          if (value.replace(/\s/g, '').toUpperCase() !== 'CA:FALSE') {
            fail('unsupported', `line ${e.line}: basicConstraints ${showValue(value)} is not supported; certbench builds end-entity requests (CA:FALSE)`, file);
          }
          break;
        case 'subjectKeyIdentifier':
          break;
        default:
          fail('unsupported', `line ${e.line}: extension ${showValue(e.key)} is not supported; certbench writes subjectAltName, keyUsage and extendedKeyUsage`, file);
      }
    }
  }
  return template;
}

function subjectEntry(e: Entry, key: string, file: string | undefined): SubjectAttr {
  // OpenSSL skips a "0." / "1." (or "x:" "x,") prefix so a section can hold several OU values.
  const sep = /[.:,]/.exec(key);
  const name = sep && sep.index + 1 < key.length ? key.slice(sep.index + 1) : key;
  if (name.startsWith('+')) fail('unsupported', `line ${e.line}: multi-valued RDNs ("+${name.slice(1)}") are not supported`, file);
  const type = subjectAttrType(name);
  if (type === undefined) {
    fail('unsupported', `line ${e.line}: subject attribute ${showValue(name)} is not supported; use C, ST, L, O, OU, CN, emailAddress or their long names`, file);
  }
  return atLine(e.line, file, () => validateSubjectAttr({ type, value: e.value }));
}

function sanEntry(e: Entry, rawType: string, value: string, file: string | undefined): San {
  // "DNS.1", "DNS.2" ... all mean DNS, as in OpenSSL.
  const t = rawType.trim().split('.')[0]!.toLowerCase();
  const type = SAN_KEYS[t];
  if (type === undefined) {
    if (UNSUPPORTED_SAN_KEYS.includes(t)) fail('unsupported', `line ${e.line}: ${rawType.trim()} names are not supported; use DNS, IP, email or URI`, file);
    fail('invalid-value', `line ${e.line}: ${showValue(rawType.trim())} is not a subject alternative name type; use DNS, IP, email or URI`, file);
  }
  const v = value.trim();
  if (type === 'email' && (v === 'copy' || v === 'move')) {
    fail('unsupported', `line ${e.line}: email:${v} is not supported; write the address out`, file);
  }
  return atLine(e.line, file, () => validateSan({ type, value: v }));
}

// certbench always marks keyUsage critical and the others not, so the flag itself is dropped.
function stripCritical(value: string): string {
  return value.replace(/^\s*critical\s*,\s*/i, '').trim();
}

function splitList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s.length > 0 && s.toLowerCase() !== 'critical');
}

// Escapes what OpenSSL's config reader treats specially: escapes, quotes, comments, expansions.
function cnfValue(v: string): string {
  return v.replace(/[\\"'#$]/g, (c) => `\\${c}`);
}

/**
 * Writes an OpenSSL `req` config so that `openssl req -new -key K -config OUT.cnf` yields the same subject,
 * SANs, key usage and extended key usage as the template.
 * @throws InputError `invalid-value` for an empty subject or any value certbench would refuse to build
 */
export function writeOpensslCnf(t: CsrTemplate): string {
  if (t.subject.length === 0) fail('invalid-value', 'the subject is empty: give at least CN=<name>');
  const subject = t.subject.map((a) => validateSubjectAttr(a));
  const sans = t.sans.map((s) => validateSan(s));
  const keyUsage = normaliseKeyUsage(t.keyUsage);
  const eku = normaliseExtendedKeyUsage(t.extendedKeyUsage);
  const hasExt = sans.length > 0 || keyUsage.length > 0 || eku.length > 0;
  const lines: string[] = [
    '# OpenSSL request config written by certbench (KB37299 layout).',
    '# openssl req -new -key KEY.pem -out REQUEST.csr -config THIS.cnf',
    '',
    '[ req ]',
    'prompt             = no',
    'distinguished_name = req_distinguished_name',
  ];
  if (hasExt) lines.push('req_extensions     = req_ext');
  if (t.defaultBits !== undefined) {
    if (!Number.isInteger(t.defaultBits) || t.defaultBits < 1024 || t.defaultBits > 16384) fail('invalid-value', `default_bits ${String(t.defaultBits)} is not a key size such as 2048`);
    lines.push(`default_bits       = ${t.defaultBits}`);
  }
  if (t.defaultMd !== undefined) {
    if (!MD_NAMES.includes(t.defaultMd)) fail('invalid-value', `default_md "${t.defaultMd}" is not one of ${MD_NAMES.join(', ')}`);
    lines.push(`default_md         = ${t.defaultMd}`);
  }
  lines.push('string_mask        = utf8only', 'utf8               = yes', '', '[ req_distinguished_name ]');
  const count = new Map<string, number>();
  for (const a of subject) count.set(a.type, (count.get(a.type) ?? 0) + 1);
  const seen = new Map<string, number>();
  for (const a of subject) {
    const n = seen.get(a.type) ?? 0;
    seen.set(a.type, n + 1);
    // Repeated names overwrite each other in OpenSSL's config; a numeric prefix keeps them apart.
    const key = count.get(a.type)! > 1 ? `${n}.${a.type}` : a.type;
    lines.push(`${key} = ${cnfValue(a.value)}`);
  }
  if (hasExt) {
    lines.push('', '[ req_ext ]');
    if (sans.length > 0) lines.push('subjectAltName   = @alt_names');
    if (keyUsage.length > 0) lines.push(`keyUsage         = critical, ${keyUsage.join(', ')}`);
    if (eku.length > 0) lines.push(`extendedKeyUsage = ${eku.join(', ')}`);
  }
  if (sans.length > 0) {
    lines.push('', '[ alt_names ]');
    const n = new Map<string, number>();
    for (const s of sans) {
      const i = (n.get(s.type) ?? 0) + 1;
      n.set(s.type, i);
      lines.push(`${s.type}.${i} = ${cnfValue(s.value)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

// POSIX shell quoting: bare when only safe characters, otherwise single quotes.
function shellQuote(s: string, what: string): string {
  if (s.length === 0) fail('invalid-value', `the ${what} path is empty`);
  if (CONTROL_OR_NEWLINE.test(s)) fail('invalid-value', `the ${what} path ${showValue(s)} contains a control character`);
  // A leading '-' would read as an option.
  const p = s.startsWith('-') ? `./${s}` : s;
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`;
}
const CONTROL_OR_NEWLINE = /[\u0000-\u001f\u007f]/;

/**
 * The `openssl req` command line that builds the CSR from a written config, each path shell-quoted.
 * @throws InputError `invalid-value` for an empty path or one with control characters
 */
export function opensslReqCommand(p: { keyPath: string; configPath: string; csrPath: string }): string {
  return `openssl req -new -key ${shellQuote(p.keyPath, 'key')} -config ${shellQuote(p.configPath, 'config')} -out ${shellQuote(p.csrPath, 'CSR')}`;
}
