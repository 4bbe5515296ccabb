import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fail } from '../errors.js';
import { decodeFile } from '../pki/decode.js';
import { inspect } from '../pki/inspect.js';
import { describeKey } from '../pki/keys.js';
import { MIN_EC_BITS, MIN_RSA_BITS } from '../pki/lint.js';
import type { DecodedItem } from '../pki/types.js';

// ---------------------------------------------------------------------------------------------
// `show configuration | display set` text

/** One active `set` statement, after deactivation and group inheritance. */
export interface SetStatement {
  /** The words after `set` (quotes removed); for an inherited statement, the path below `groups NAME`. */
  path: string[];
  /** 1-based line of the file it came from. */
  line: number;
  /** The configuration group it was inherited from; absent for a statement configured directly. */
  group?: string;
  /** 0 for a direct statement; inherited ones rank after it, most specific and first-listed group first. */
  rank: number;
}

/** A parsed set-format configuration: only what is active on the device. */
export interface JunosConfig {
  file: string;
  statements: SetStatement[];
}

const IGNORED_VERBS = new Set([
  // The brief's rule: `delete` lines (scripts, not display output) do not change what we judge.
  'delete',
  // Protection stops later edits; it does not change what the device runs.
  'protect',
  'unprotect',
]);

// Lines a pasted CLI session carries around the set commands: the prompt, `{master:0}`-style
// routing-engine banners, `[edit]` banners and the pager's `---(more)---`.
const NOISE = [
  /^\{[\w:. -]*\}$/,
  /^\[edit(?:\s[^\]]*)?\]$/,
  /^[\w.-]+@[\w.-]+[>#%](?:\s|$)/,
  /^-+\s*\(more[^)]*\)\s*-*$/i,
];

function printable(s: string): string {
  return s.replace(/[\x00-\x1f\x7f]/g, '?');
}

/** A value as the report shows it: quoted, control characters replaced. */
function q(s: string): string {
  return `"${printable(s)}"`;
}

// Splits one line into words the way the Junos CLI writes them: quoted values keep their spaces and
// `\"` escapes; anything else ends at white space.
function tokenize(text: string, line: number, file: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '"') {
      let word = '';
      i++;
      let closed = false;
      while (i < text.length) {
        const d = text[i]!;
        if (d === '\\' && i + 1 < text.length) {
          word += text[i + 1]!;
          i += 2;
          continue;
        }
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        word += d;
        i++;
      }
      if (!closed) fail('invalid-value', `line ${line}: a quoted value is not closed (missing ")`, file);
      out.push(word);
      continue;
    }
    let j = i;
    while (j < text.length && text[j] !== ' ' && text[j] !== '\t') j++;
    out.push(text.slice(i, j));
    i = j;
  }
  return out;
}

function notSetFormat(text: string, line: number, file: string): never {
  const hint = 'give the output of `show configuration | display set` (add `| display set` to the command)';
  if (/^</.test(text)) fail('invalid-value', `line ${line} is XML, not set commands; ${hint}`, file);
  if (/[{};]\s*$/.test(text) || /^[{}]/.test(text)) {
    fail('invalid-value', `line ${line} looks like the curly-brace output of \`show configuration\`, not set commands; ${hint}`, file);
  }
  // Only the first word is quoted: a stray configuration line may hold a password hash or a secret.
  const first = printable(text.split(/\s+/)[0] ?? '').slice(0, 32);
  fail('invalid-value', `line ${line} is not a set command (it starts with "${first}"); ${hint}`, file);
}

const startsWith = (path: string[], prefix: string[]): boolean =>
  prefix.length <= path.length && prefix.every((w, i) => path[i] === w);

/**
 * Parses `show configuration | display set` text into the statements active on the device:
 * `deactivate` disables a statement and everything below it, `delete`, comments (`## Last commit`),
 * prompts and `{master:0}` banners are ignored, and `set groups G ...` counts only where
 * `apply-groups G` applies it (`apply-groups-except` honoured). CRLF and a UTF-8 BOM are accepted.
 * @throws InputError `empty` for a file without set commands; `invalid-value` naming the line for
 *   text that is not set format (curly-brace, XML) or an unclosed quote
 */
export function parseJunosSet(text: string, file: string): JunosConfig {
  if (text.trim().length === 0) fail('empty', 'the file is empty', file);
  const sets: { path: string[]; line: number }[] = [];
  const deactivated: string[][] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    const t = raw.trim();
    if (t.length === 0 || t.startsWith('#') || NOISE.some((re) => re.test(t))) return;
    const words = tokenize(t, line, file);
    const verb = words[0]!;
    if (verb === 'set' && words.length > 1) sets.push({ path: words.slice(1), line });
    else if (verb === 'deactivate' && words.length > 1) deactivated.push(words.slice(1));
    else if (!IGNORED_VERBS.has(verb)) notSetFormat(t, line, file);
  });
  if (sets.length === 0) {
    fail('empty', 'the file holds no set commands; give the output of `show configuration | display set`', file);
  }
  const active = sets.filter((s) => !deactivated.some((d) => startsWith(s.path, d)));
  return { file, statements: resolveGroups(active) };
}

// Junos writes `apply-groups "${node}"` on chassis clusters; it stands for the node0/node1 groups.
function groupMatches(applied: string, group: string): boolean {
  return applied === '${node}' ? /^node\d+$/.test(group) : applied === group;
}

function resolveGroups(active: { path: string[]; line: number }[]): SetStatement[] {
  const direct = active.filter((s) => s.path[0] !== 'groups');
  const applies: { at: string[]; group: string; order: number }[] = [];
  const excepts: { at: string[]; group: string }[] = [];
  direct.forEach((s, order) => {
    const i = s.path.indexOf('apply-groups');
    const e = s.path.indexOf('apply-groups-except');
    if (i >= 0 && s.path[i + 1] !== undefined) applies.push({ at: s.path.slice(0, i), group: s.path[i + 1]!, order });
    if (e >= 0 && s.path[e + 1] !== undefined) excepts.push({ at: s.path.slice(0, e), group: s.path[e + 1]! });
  });
  const out: SetStatement[] = direct.map((s) => ({ path: s.path, line: s.line, rank: 0 }));
  for (const s of active) {
    if (s.path[0] !== 'groups' || s.path.length < 3) continue;
    const group = s.path[1]!;
    const path = s.path.slice(2);
    // `when` holds the conditions of a conditional group, not configuration.
    if (path[0] === 'when') continue;
    const by = applies
      .filter((a) => groupMatches(a.group, group) && startsWith(path, a.at))
      .filter((a) => !excepts.some((x) => groupMatches(x.group, group) && startsWith(x.at, a.at) && startsWith(path, x.at)))
      // A group applied deeper in the hierarchy wins over one applied higher; at one level, the first listed wins.
      .sort((a, b) => b.at.length - a.at.length || a.order - b.order);
    const best = by[0];
    // Rank after every direct statement (0): deeper apply point first, then the order groups were listed in.
    if (best) out.push({ path, line: s.line, group, rank: 1 + (1000 - best.at.length) * 1_000_000 + best.order });
  }
  return out;
}

/** Every active statement at or below `prefix`, direct ones first. */
function under(cfg: JunosConfig, prefix: string[]): SetStatement[] {
  return cfg.statements.filter((s) => startsWith(s.path, prefix)).sort((a, b) => a.rank - b.rank);
}

/** The statements below `prefix` whose next word is one of `names`, from the source that wins (direct, then groups). */
function choose(cfg: JunosConfig, prefix: string[], names: string[]): SetStatement[] {
  const hits = under(cfg, prefix).filter((s) => names.includes(s.path[prefix.length] ?? ''));
  const best = hits[0];
  return best ? hits.filter((s) => s.rank === best.rank) : [];
}

function where(s: SetStatement): string {
  return s.group === undefined ? `line ${s.line}` : `line ${s.line}, inherited from group ${q(s.group)}`;
}

// ---------------------------------------------------------------------------------------------
// The checks

/** Outcome of one audit item. */
export type AuditStatus = 'PASS' | 'FAIL' | 'NOT APPLICABLE';

/** One audited item: a CIS check, or one certificate the configuration names. */
export interface AuditItem {
  id: string;
  title: string;
  status: AuditStatus;
  /** Why, naming the configuration lines (and certificate file) it is based on. */
  detail: string;
  /** For a failing item: what to configure, after the CIS benchmark's remediation text. */
  remediation?: string;
}

/** The whole result for one configuration file. */
export interface AuditReport {
  file: string;
  items: AuditItem[];
  failed: number;
  pass: boolean;
}

/** Where the configuration names a local certificate. */
export interface CertificateUse {
  service: 'REST HTTPS' | 'J-Web HTTPS';
  statement: SetStatement;
}

/** A certificate-id the configuration names, with every place it is used. */
export interface CertificateRef {
  id: string;
  uses: CertificateUse[];
}

/** Options for {@link auditJunos}. */
export interface JunosAuditParams {
  /** certificate-id -> the decoded contents of its file (see {@link loadCertificateDir}); without it certificates are not checked. */
  certs?: ReadonlyMap<string, DecodedItem[]>;
  /** The moment validity is judged at; defaults to the current time. */
  now?: Date;
  /** Skip a certificate-id missing from `certs` instead of refusing (a live read that could not reach one service). */
  partial?: boolean;
}

/** The exact wording of the CIS benchmark for a device without REST. */
export const REST_NOT_CONFIGURED = 'REST does not appear to be configured on the target. This check is not applicable.';

const REST = ['system', 'services', 'rest'];
const REST_HTTP = [...REST, 'http'];
const REST_HTTPS = [...REST, 'https'];
const WEB = ['system', 'services', 'web-management'];
const WEB_HTTP = [...WEB, 'http'];
const WEB_HTTPS = [...WEB, 'https'];
const WEB_CERT_CHOICES = ['pki-local-certificate', 'local-certificate', 'system-generated-certificate'];

// The CIS benchmark's remediation: how to get a CA-signed certificate into the PKI store.
const PKI_STEPS = [
  'request security pki generate-key-pair certificate-id <Certificate ID> type <Algorithm> size <Size>',
  'request security pki generate-certificate-request certificate-id <Certificate ID> domain-name <Device DNS Name> subject <Device Subject DN>',
  '(have the CA sign the CSR and upload the certificate to the device, then)',
  'request security pki local-certificate load certificate-id <Certificate ID> filename <File Upload Location>',
  '<Algorithm> is RSA or ECDSA; <Size> is at least 2048 bits for RSA or 256 bits for ECDSA.',
].join('\n');

const LOADED = 'Where <Certificate ID> is the name of a Certificate which has already been loaded to the devices PKI Store.\nTo create one (operational mode):';

const REST_REMEDIATION = ['[edit system services rest]', 'set https server-certificate <Certificate ID>', LOADED, PKI_STEPS].join('\n');

const JWEB_REMEDIATION = ['[edit system services web-management]', 'set https pki-local-certificate <Certificate ID>', LOADED, PKI_STEPS].join('\n');

function restHttpsItem(cfg: JunosConfig): AuditItem {
  const base = { id: 'rest-https', title: 'REST API uses HTTPS only' };
  const http = under(cfg, REST_HTTP)[0];
  const https = under(cfg, REST_HTTPS)[0];
  if (!http && !https) {
    const rest = under(cfg, REST)[0];
    // Statements such as `rest control` or `enable-explorer` alone do not start the REST service.
    const note = rest ? ` (There are statements under [system services rest], ${where(rest)}, but neither http nor https, so the REST API is not listening.)` : '';
    return { ...base, status: 'NOT APPLICABLE', detail: REST_NOT_CONFIGURED + note };
  }
  if (http && !https) {
    return {
      ...base,
      status: 'FAIL',
      detail: `REST is served over plain HTTP only (system services rest http, ${where(http)}): credentials and data cross the network in clear text. The REST API should only be accessed using HTTPS.`,
      remediation: `${REST_REMEDIATION}\nThen turn plain HTTP off:\n[edit system services rest]\ndelete http`,
    };
  }
  if (http && https) {
    // CIS: "The REST API should only be accessed using HTTPS" (and its companion item "Ensure REST is
    // Not Set to HTTP"): HTTPS beside HTTP still lets any client log in over clear text.
    return {
      ...base,
      status: 'FAIL',
      detail: `REST HTTPS is configured (${where(https!)}), but plain HTTP is enabled beside it (system services rest http, ${where(http)}): any client can still log in over HTTP in clear text, and the REST API should only be accessed using HTTPS.`,
      remediation: '[edit system services rest]\ndelete http',
    };
  }
  return { ...base, status: 'PASS', detail: `REST is served over HTTPS only (system services rest https, ${where(https!)}); plain HTTP is not configured.` };
}

function restCertItem(cfg: JunosConfig, checked: boolean): AuditItem {
  const base = { id: 'rest-pki-certificate', title: 'REST HTTPS uses a PKI certificate' };
  const https = under(cfg, REST_HTTPS)[0];
  if (!https) {
    const restOn = under(cfg, REST_HTTP).length > 0;
    return {
      ...base,
      status: 'NOT APPLICABLE',
      detail: restOn
        ? 'REST over HTTPS is not configured, so there is no REST server certificate to check (REST over plain HTTP fails rest-https).'
        : REST_NOT_CONFIGURED,
    };
  }
  const cert = choose(cfg, REST_HTTPS, ['server-certificate'])[0];
  const id = cert?.path[REST_HTTPS.length + 1];
  if (!cert || id === undefined) {
    return {
      ...base,
      status: 'FAIL',
      detail: `REST HTTPS (${where(https)}) names no server-certificate: the REST API should only be accessed using HTTPS with a PKI certificate from the device's PKI store, which clients can validate against a trusted CA.`,
      remediation: REST_REMEDIATION,
    };
  }
  return {
    ...base,
    status: 'PASS',
    detail: `REST HTTPS uses the PKI certificate ${q(id)} (system services rest https server-certificate, ${where(cert)}).${checked ? '' : ' The certificate itself was not checked: no certificate files were given.'}`,
  };
}

function jwebItem(cfg: JunosConfig, checked: boolean): AuditItem {
  const base = { id: 'jweb-pki-certificate', title: 'J-Web HTTPS uses a PKI local certificate' };
  const http = under(cfg, WEB_HTTP)[0];
  const https = under(cfg, WEB_HTTPS)[0];
  if (!https) {
    if (http) {
      return {
        ...base,
        status: 'FAIL',
        detail: `J-Web is served over plain HTTP only (system services web-management http, ${where(http)}): no certificate protects the session at all, so passwords cross the network in clear text and the device's identity cannot be validated.`,
        remediation: `${JWEB_REMEDIATION}\nThen turn plain HTTP off:\n[edit system services web-management]\ndelete http`,
      };
    }
    return { ...base, status: 'NOT APPLICABLE', detail: 'J-Web over HTTPS (system services web-management https) is not configured. This check is not applicable.' };
  }
  const alsoHttp = http ? ` Note: J-Web also answers over plain HTTP (${where(http)}); consider \`delete system services web-management http\`.` : '';
  const pick = choose(cfg, WEB_HTTPS, WEB_CERT_CHOICES)[0];
  const kind = pick?.path[WEB_HTTPS.length];
  const id = pick?.path[WEB_HTTPS.length + 1];
  if (!pick || kind === undefined) {
    return {
      ...base,
      status: 'FAIL',
      detail: `J-Web HTTPS (${where(https)}) names no certificate (pki-local-certificate, local-certificate or system-generated-certificate).`,
      remediation: JWEB_REMEDIATION,
    };
  }
  if (kind === 'system-generated-certificate') {
    return {
      ...base,
      status: 'FAIL',
      detail: `J-Web HTTPS uses the self-signed 'system-generated' certificate (${where(pick)}): the device vouches for itself, browsers show a security error that users learn to accept, an intercepted or impersonated session goes unnoticed, and the certificate cannot be revoked centrally.${alsoHttp}`,
      remediation: JWEB_REMEDIATION,
    };
  }
  if (id === undefined) {
    return {
      ...base,
      status: 'FAIL',
      detail: `J-Web HTTPS ${kind} (${where(pick)}) names no certificate-id.`,
      remediation: JWEB_REMEDIATION,
    };
  }
  const form = kind === 'local-certificate' ? 'local certificate' : 'PKI local certificate';
  const older = kind === 'local-certificate' ? ', the older [security certificates local] form' : '';
  return {
    ...base,
    status: 'PASS',
    detail: `J-Web HTTPS uses the ${form} ${q(id)} (system services web-management https ${kind}, ${where(pick)}${older}).${checked ? '' : ' The certificate itself was not checked: no certificate files were given.'}${alsoHttp}`,
  };
}

/** Every certificate-id the active configuration binds to REST HTTPS or J-Web HTTPS, in order of first use. */
export function certificateRefs(cfg: JunosConfig): CertificateRef[] {
  const refs = new Map<string, CertificateRef>();
  const add = (id: string | undefined, service: CertificateUse['service'], statement: SetStatement | undefined): void => {
    if (id === undefined || statement === undefined) return;
    const ref = refs.get(id) ?? { id, uses: [] };
    ref.uses.push({ service, statement });
    refs.set(id, ref);
  };
  if (under(cfg, REST_HTTPS).length > 0) {
    const s = choose(cfg, REST_HTTPS, ['server-certificate'])[0];
    add(s?.path[REST_HTTPS.length + 1], 'REST HTTPS', s);
  }
  const w = choose(cfg, WEB_HTTPS, WEB_CERT_CHOICES)[0];
  if (w && w.path[WEB_HTTPS.length] !== 'system-generated-certificate') add(w.path[WEB_HTTPS.length + 1], 'J-Web HTTPS', w);
  return [...refs.values()];
}


function certItem(ref: CertificateRef, items: DecodedItem[], now: Date): AuditItem {
  const base = { id: `cert:${printable(ref.id)}`, title: `Certificate ${q(ref.id)} is CA-signed, current and strong` };
  const usedBy = ref.uses.map((u) => `${u.service} (${where(u.statement)})`).join(' and ');
  const leaf = items.find((i) => i.kind === 'certificate');
  if (!leaf) fail('wrong-kind', `certificate-id ${q(ref.id)}: the file holds no certificate`, items[0]?.file);
  const info = inspect([leaf], { now })[0]!;
  const reasons: string[] = [];
  if (info.selfSigned) {
    reasons.push('it is self-signed: no CA vouches for it, so clients cannot validate the device and it cannot be revoked centrally');
  }
  for (const f of info.findings) if (f.code === 'expired' || f.code === 'not-yet-valid') reasons.push(`it is ${f.message}`);
  if (info.key.algorithm === 'rsa' && info.key.bits < MIN_RSA_BITS) reasons.push(`its key is ${describeKey(info.key)}: use at least ${MIN_RSA_BITS} bits for RSA`);
  if (info.key.algorithm === 'ecdsa' && info.key.bits < MIN_EC_BITS) reasons.push(`its key is ${describeKey(info.key)}: use at least ${MIN_EC_BITS} bits for ECDSA`);
  if (info.key.algorithm === 'ed25519') reasons.push('its key is Ed25519: the CIS benchmark and Junos PKI take RSA or ECDSA keys');
  const sig = info.signatureAlgorithm ?? '';
  if (/sha-?1(?![0-9])|md5|md2/i.test(sig)) reasons.push(`it is signed with ${sig}: a CA must sign with a secure hash (SHA-256 or stronger)`);
  const notes = info.findings
    .filter((f) => ['expires-soon', 'no-san', 'cn-not-in-san', 'no-server-auth-eku'].includes(f.code) && f.severity !== 'info')
    .map((f) => `note: ${f.message}.`);
  const facts = `${info.file}: subject ${info.subject ?? '?'}, issuer ${info.issuer ?? '?'}, ${describeKey(info.key)}, ${sig || 'unknown signature'}, valid ${info.notBefore} to ${info.notAfter}; used by ${usedBy}.`;
  if (reasons.length > 0) {
    return {
      ...base,
      status: 'FAIL',
      detail: `${facts} It fails because ${reasons.join('; ')}.${notes.length > 0 ? ` ${notes.join(' ')}` : ''}`,
      remediation: [
        'Replace it with a CA-signed certificate under a new certificate-id (operational mode):',
        PKI_STEPS,
        'Then bind the new certificate-id (configuration mode):',
        ...ref.uses.map((u) =>
          u.service === 'REST HTTPS'
            ? 'set system services rest https server-certificate <Certificate ID>'
            : 'set system services web-management https pki-local-certificate <Certificate ID>'),
      ].join('\n'),
    };
  }
  return { ...base, status: 'PASS', detail: `${facts}${info.daysLeft !== undefined ? ` ${info.daysLeft} days left.` : ''}${notes.length > 0 ? ` ${notes.join(' ')}` : ''}` };
}

/**
 * Runs the CIS Junos checks on the REST and J-Web HTTPS certificates: REST uses HTTPS only, REST
 * HTTPS names a PKI server-certificate, J-Web HTTPS uses a PKI (not system-generated) certificate,
 * and, when `p.certs` is given, each named certificate is CA-signed, current, RSA>=2048/ECDSA>=256
 * and not SHA-1 signed (one `cert:ID` item each).
 * @throws InputError `not-found` when `p.certs` lacks a named certificate-id; `wrong-kind` when its file holds no certificate
 */
export function auditJunos(cfg: JunosConfig, p: JunosAuditParams = {}): AuditItem[] {
  const now = p.now ?? new Date();
  const checked = p.certs !== undefined;
  const items = [restHttpsItem(cfg), restCertItem(cfg, checked), jwebItem(cfg, checked)];
  if (p.certs) {
    for (const ref of certificateRefs(cfg)) {
      const got = p.certs.get(ref.id);
      if (!got && p.partial) continue;
      if (!got) fail('not-found', `no certificate was given for certificate-id ${q(ref.id)} (${where(ref.uses[0]!.statement)})`, cfg.file);
      items.push(certItem(ref, got, now));
    }
  }
  return items;
}

/** Wraps items into the report the CLI prints: `failed` counts FAIL items, `pass` is true when there are none. */
export function auditReport(file: string, items: AuditItem[]): AuditReport {
  const failed = items.filter((i) => i.status === 'FAIL').length;
  return { file, items, failed, pass: failed === 0 };
}

// ---------------------------------------------------------------------------------------------
// Certificate files

/** The file names tried for a certificate-id, in order: ID.crt, ID.pem, ID.cer, ID.der. */
export const CERT_FILE_EXTENSIONS = ['.crt', '.pem', '.cer', '.der'] as const;

/**
 * Reads the certificate file of every referenced certificate-id from `dir` (the first of ID.crt,
 * ID.pem, ID.cer, ID.der that exists), decoded with {@link decodeFile}.
 * @throws InputError `not-found` naming the folder and the file names tried; `invalid-value` for a
 *   certificate-id that cannot be a file name; anything decodeFile throws
 */
export async function loadCertificateDir(dir: string, refs: CertificateRef[]): Promise<Map<string, DecodedItem[]>> {
  let st;
  try {
    st = await stat(dir);
  } catch {
    fail('not-found', 'no such folder', dir);
  }
  if (!st.isDirectory()) fail('invalid-value', 'this is a file, not a folder of certificates', dir);
  const out = new Map<string, DecodedItem[]>();
  for (const ref of refs) {
    // The id comes from the configuration: it must not climb out of the folder.
    if (ref.id === '.' || ref.id === '..' || /[/\\\x00-\x1f\x7f]/.test(ref.id)) {
      fail('invalid-value', `certificate-id ${q(ref.id)} (${where(ref.uses[0]!.statement)}) cannot be a file name in this folder`, dir);
    }
    const names = CERT_FILE_EXTENSIONS.map((ext) => `${ref.id}${ext}`);
    let found: string | undefined;
    for (const name of names) {
      const s = await stat(join(dir, name)).catch(() => undefined);
      if (s?.isFile()) {
        found = name;
        break;
      }
    }
    if (found === undefined) {
      fail('not-found', `no file for certificate-id ${q(ref.id)} (${where(ref.uses[0]!.statement)}); tried ${names.map(q).join(', ')}`, dir);
    }
    out.set(ref.id, await decodeFile(join(dir, found)));
  }
  return out;
}
