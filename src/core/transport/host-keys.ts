import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { appendFileSync, chmodSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fail } from '../errors.js';
import { HostKeyMismatchError, HostKeyUnknownError } from './errors.js';
import type { HostKeyPolicy } from './types.js';

/** One host key on record for a host. */
export interface KnownHostKey {
  /** Key type as written on the line, e.g. `ssh-ed25519`. */
  type: string;
  /** OpenSSH fingerprint `SHA256:<base64, no padding>`. */
  fingerprint: string;
}

/** What a known_hosts file says about one host. */
export interface KnownHostsMatch {
  /** Keys the host may present. */
  keys: KnownHostKey[];
  /** Fingerprints marked `@revoked` for this host: never accepted. */
  revoked: string[];
}

/** What {@link checkHostKey} did with an accepted key. */
export interface HostKeyCheck {
  /** True when the key was unknown and has just been recorded in certbench's store. */
  recorded: boolean;
}

const PIN_FLAG = '--host-key';
const KNOWN_HOSTS_FLAG = '--known-hosts FILE';

/** OpenSSH fingerprint of an SSH public key blob, as `ssh-keygen -lf` prints it: `SHA256:<base64 without padding>`. */
export function fingerprintOf(keyBlob: Buffer | Uint8Array): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/**
 * Checks and normalises a host-key pin to `SHA256:<base64 without padding>`.
 * @throws InputError `invalid-value` naming `--host-key` for anything but a SHA-256 fingerprint (MD5 pins included)
 */
export function normalizePin(s: string): string {
  const t = s.trim();
  if (/^MD5:/i.test(t) || /^([0-9a-f]{2}:){15}[0-9a-f]{2}$/i.test(t)) {
    fail('invalid-value', `"${t}" is an MD5 fingerprint, which is too weak to pin a host key: get the SHA-256 one with \`ssh-keygen -lf -E sha256 /etc/ssh/ssh_host_ed25519_key.pub\` on the device and pass SHA256:...`, PIN_FLAG);
  }
  // The prefix may be typed in any case; the base64 part is kept exactly as given.
  const m = /^sha256:([A-Za-z0-9+/]{43})=?$/i.exec(t);
  if (!m?.[1]) {
    fail('invalid-value', `"${t}" is not an OpenSSH SHA-256 host-key fingerprint: expected SHA256: followed by 43 base64 characters, as \`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub\` prints it`, PIN_FLAG);
  }
  return `SHA256:${m[1]}`;
}

/** The name a host is looked up by in known_hosts: `host` on port 22, `[host]:port` otherwise (as OpenSSH writes it). */
export function knownHostsName(host: string, port: number): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

/** Every key a known_hosts text lists for `host`:`port`, and the revoked ones. `@cert-authority` lines are skipped. */
export function lookupKnownHosts(text: string, host: string, port: number): KnownHostsMatch {
  const name = knownHostsName(host, port);
  const keys: KnownHostKey[] = [];
  const revoked: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/[ \t]+/);
    let marker: string | undefined;
    if (fields[0]?.startsWith('@')) marker = fields.shift();
    const [patterns, type, b64] = fields;
    if (patterns === undefined || type === undefined || b64 === undefined) continue;
    if (marker !== undefined && marker !== '@revoked') continue;
    if (!hostMatches(patterns, name)) continue;
    const blob = Buffer.from(b64, 'base64');
    if (blob.length === 0) continue;
    const fingerprint = fingerprintOf(blob);
    if (marker === '@revoked') revoked.push(fingerprint);
    else keys.push({ type, fingerprint });
  }
  return { keys, revoked };
}

// OpenSSH's match_hostname: a line matches when a positive pattern matches and no negated one does.
function hostMatches(patterns: string, name: string): boolean {
  if (patterns.startsWith('|1|')) return hashedMatches(patterns, name);
  let matched = false;
  for (const p of patterns.split(',')) {
    const negated = p.startsWith('!');
    const pattern = (negated ? p.slice(1) : p).toLowerCase();
    if (pattern === '' || !wildcardMatch(pattern, name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

function hashedMatches(entry: string, name: string): boolean {
  const [, , salt, hash] = entry.split('|');
  if (salt === undefined || hash === undefined) return false;
  const want = Buffer.from(hash, 'base64');
  const got = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
  return want.length === got.length && timingSafeEqual(want, got);
}

function wildcardMatch(pattern: string, name: string): boolean {
  // Iterative glob with backtracking on the last `*`: no regex built from user text.
  let p = 0;
  let n = 0;
  let star = -1;
  let mark = 0;
  while (n < name.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === name[n])) {
      p++;
      n++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      mark = n;
    } else if (star !== -1) {
      p = star + 1;
      n = ++mark;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/**
 * Appends a host key to a known_hosts-format file (certbench's store), creating the file (0600) and its folder (0700).
 * @throws InputError `not-found` when the file cannot be written
 */
export function recordHostKey(file: string, host: string, port: number, type: string, keyBlobBase64: string): void {
  if (!/^[A-Za-z0-9@._+-]+$/.test(type) || !/^[A-Za-z0-9+/]+=*$/.test(keyBlobBase64)) {
    fail('invalid-value', 'the host key to record is malformed', file);
  }
  const name = knownHostsName(host, port);
  // A host name with blanks, commas or a newline would corrupt the store for every other host.
  if (/[\s,#]/.test(name)) fail('invalid-value', `"${host}" is not a host name that can be recorded`, file);
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    let prefix = '';
    try {
      const existing = readFileSync(file, 'utf8');
      if (existing.length > 0 && !existing.endsWith('\n')) prefix = '\n';
    } catch {
      // A missing file is created below.
    }
    appendFileSync(file, `${prefix}${name} ${type} ${keyBlobBase64}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  } catch (e) {
    fail('not-found', `the host-key store cannot be written (${(e as NodeJS.ErrnoException).code ?? String(e)})`, file);
  }
}

/** The key type named inside an SSH public key blob (its first string), e.g. `ssh-ed25519`. */
export function keyTypeOf(keyBlob: Buffer | Uint8Array): string {
  const b = Buffer.from(keyBlob.buffer, keyBlob.byteOffset, keyBlob.byteLength);
  if (b.length < 4) return 'unknown';
  const len = b.readUInt32BE(0);
  if (len === 0 || len > 64 || 4 + len > b.length) return 'unknown';
  return b.subarray(4, 4 + len).toString('latin1');
}

/**
 * Decides whether the host key a server presented can be trusted under `policy`. With a `store` policy and
 * `acceptNew`, an unknown host's key is recorded and accepted.
 * @throws HostKeyUnknownError when nothing is on record for the host; HostKeyMismatchError when the key is another
 *   one than on record (or revoked); InputError `not-found` when the known_hosts file cannot be read
 */
export function checkHostKey(policy: HostKeyPolicy, host: string, port: number, type: string, keyBlob: Buffer | Uint8Array): HostKeyCheck {
  const endpoint = `${host}:${port}`;
  const presented = fingerprintOf(keyBlob);
  const shown = `${type} key ${presented}`;
  const verifyHint = `Compare it with \`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub\` (or the key file of that type) run on the device console, then pass \`--host-key ${presented}\``;

  if (policy.kind === 'pin') {
    const pins = policy.fingerprints.map(normalizePin);
    if (pins.length === 0) {
      throw new HostKeyUnknownError(endpoint, `no host-key pin was given; the host presented ${shown}. ${verifyHint}.`, presented, type);
    }
    if (pins.includes(presented)) return { recorded: false };
    throw new HostKeyMismatchError(endpoint, mismatchMessage(shown, pins, 'the pinned'), presented, type, pins);
  }

  const file = policy.file;
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // certbench's own store starts out missing; a known_hosts file the user named must exist.
    if (!(policy.kind === 'store' && code === 'ENOENT')) {
      fail('not-found', code === 'ENOENT' ? 'no such known_hosts file' : `the known_hosts file cannot be read (${code ?? String(e)})`,
        policy.kind === 'store' ? file : `${KNOWN_HOSTS_FLAG} ${file}`);
    }
  }
  const found = lookupKnownHosts(text, host, port);
  if (found.revoked.includes(presented)) {
    throw new HostKeyMismatchError(endpoint,
      `the host presented ${shown}, which ${file} marks as @revoked: it must never be accepted. Do not continue unless you know why the device uses a revoked key.`,
      presented, type, found.keys.map((k) => k.fingerprint));
  }
  if (found.keys.some((k) => k.fingerprint === presented)) return { recorded: false };
  if (found.keys.length > 0) {
    const expected = [...new Set(found.keys.map((k) => k.fingerprint))];
    throw new HostKeyMismatchError(endpoint, mismatchMessage(shown, found.keys.map((k) => `${k.type} ${k.fingerprint}`), `the ${file}`), presented, type, expected);
  }
  if (policy.kind === 'store' && policy.acceptNew) {
    recordHostKey(file, host, port, type, Buffer.from(keyBlob).toString('base64'));
    return { recorded: true };
  }
  const where = policy.kind === 'store' ? `certbench has no host key on record for this host (${file})` : `${file} has no entry for ${knownHostsName(host, port)}`;
  throw new HostKeyUnknownError(endpoint, `${where}; the host presented ${shown}. ${verifyHint}${policy.kind === 'store' ? ', or accept this key explicitly as the first-use key (certbench push: --accept-new-host-key; the desktop app: Trust this key)' : ''}.`, presented, type);
}

function mismatchMessage(shown: string, expected: string[], source: string): string {
  return `HOST KEY CHANGED: the host presented ${shown}, but ${source} key${expected.length === 1 ? ' is' : 's are'} ${expected.join(', ')}. ` +
    'Someone may be intercepting the connection (man in the middle), or the device was reinstalled. ' +
    'Do not continue unless you know why the key changed: compare with `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on the device console, then pass the new `--host-key SHA256:...`.';
}
