import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { fail, InputError } from '../core/errors.js';
import { normalizePin } from '../core/transport/host-keys.js';
import { endpointOf, validateHost, validatePort } from '../core/transport/host.js';
import { normalizeSha256 } from '../core/transport/tls-probe.js';
import { readDataFile, writeDataFile } from './data-file.js';
import { deviceTargetSchema, junosBindingSchema, spsRoleSchema, sshAuthMethodSchema, type DeviceTarget, type JunosBindingView, type SpsRoleView, type SshAuthMethod } from '../shared/contract.js';
import { isJunosId } from '../shared/push-cert-id.js';

export type { DeviceTarget } from '../shared/contract.js';
/** How certbench logs in over SSH. */
export type DeviceAuth = SshAuthMethod;

/** A saved device: where it is and how to log in. Secrets live in the vault, never here. */
export interface DeviceProfile {
  id: string;
  name: string;
  target: DeviceTarget;
  host: string;
  port: number;
  user: string;
  auth: DeviceAuth;
  /** Private key file on this computer (auth `key-file`). */
  identityFile?: string;
  /** The trusted SSH host key, `SHA256:...`; required before a push. */
  hostKey?: string;
  serverName?: string;
  nginxDir?: string;
  restartCmd?: string;
  httpsPort?: number;
  /** Read and write the nginx folder through `sudo -n` commands (ApstraPushParams.sudo); false in files saved before it existed. */
  sudo: boolean;
  /** Junos: certificate-id of the new local certificate. */
  certId?: string;
  /** Junos: CA profile for the issuing CA. */
  caProfile?: string;
  /** Junos: services to bind. */
  bind?: JunosBindingView[];
  /** Junos: commit confirmed minutes. */
  confirmMinutes?: number;
  /** Junos: REST API HTTPS port to verify. */
  verifyPort?: number;
  /** Junos: J-Web HTTPS port to verify. */
  webPort?: number;
  /** SPS: the certificate role replaced. */
  role?: SpsRoleView;
  /** SPS: SHA-256 `AB:CD:...` of the trusted web certificate; required before a push. */
  tlsPin?: string;
  /** ISO 8601. */
  updatedAt: string;
}

/** A checked profile without its id, as {@link validateDevice} returns it: `sudo` absent keeps the saved setting (see {@link DevicesStore.put}). */
export type DeviceFields = Omit<DeviceProfile, 'id' | 'updatedAt' | 'sudo'> & { sudo?: boolean };

/** What a form sends to add or change a profile (before validation). */
export type DeviceInput = Omit<DeviceFields, 'hostKey' | 'tlsPin'> & { id?: string; hostKey?: string; tlsPin?: string };

const FILE = 'devices.json';
const MAX_DEVICES = 500;
// Control characters would garble logs and command lines; no field of a profile needs them.
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/;
// A login name: no spaces, no leading '-' (it must never read as an option), '@' and '\' for directory accounts.
const DIR_RE = /^\/[A-Za-z0-9._/-]*$/;
const USER_RE = /^[A-Za-z0-9._@\\][A-Za-z0-9._@\\-]{0,63}$/;
// Junos object names (certificate-id, ca-profile): what `request security pki ... certificate-id` takes, as the CLI's --cert-id.

/** Defaults of a Junos profile's push options (as the CLI's). */
export const JUNOS_DEFAULTS = { port: 830, bind: ['rest', 'web'] as JunosBindingView[], confirmMinutes: 5, verifyPort: 3443, webPort: 443 };
/** Defaults of an SPS profile. */
export const SPS_DEFAULTS = { port: 443, role: 'server' as SpsRoleView };

const profileSchema = z.object({
  id: z.string(),
  name: z.string(),
  target: deviceTargetSchema,
  host: z.string(),
  port: z.number(),
  user: z.string(),
  auth: sshAuthMethodSchema,
  identityFile: z.string().optional(),
  hostKey: z.string().optional(),
  serverName: z.string().optional(),
  nginxDir: z.string().optional(),
  restartCmd: z.string().optional(),
  httpsPort: z.number().optional(),
  sudo: z.boolean().optional(),
  certId: z.string().optional(),
  caProfile: z.string().optional(),
  bind: z.array(junosBindingSchema).optional(),
  confirmMinutes: z.number().optional(),
  verifyPort: z.number().optional(),
  webPort: z.number().optional(),
  role: spsRoleSchema.optional(),
  tlsPin: z.string().optional(),
  updatedAt: z.string(),
});
const fileSchema = z.object({ version: z.literal(1), devices: z.array(profileSchema) });

// Optional text fields: empty means "use the default".
function optional(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

function noControl(v: string, field: string): string {
  if (CONTROL_RE.test(v)) fail('invalid-value', 'contains a control character (a line break, a tab...)', field);
  return v;
}

/**
 * Checks a host-key pin and returns it normalised, naming the form field instead of the CLI flag.
 * @throws InputError `invalid-value`
 */
export function checkPin(pin: string): string {
  try {
    return normalizePin(pin);
  } catch (e) {
    if (e instanceof InputError) throw new InputError(e.code, e.message.replace(/^--host-key: /, 'host key: '), { file: 'host key' });
    throw e;
  }
}

/**
 * Checks a pinned certificate SHA-256 and returns it as OpenSSL prints it (`AB:CD:...`), naming the form's field.
 * @throws InputError `invalid-value`
 */
export function checkTlsPin(pin: string): string {
  return normalizeSha256(pin, 'certificate SHA-256').toUpperCase().match(/../g)!.join(':');
}

function junosId(v: string | undefined, field: string, what: string): string | undefined {
  const t = optional(v);
  if (t === undefined) return undefined;
  if (!isJunosId(t)) {
    fail('invalid-value', `"${noControl(t, field).slice(0, 80)}" is not a Junos ${what}: 1 to 63 letters, digits, ".", "_" or "-", starting with a letter or digit, without ".."`, field);
  }
  return t;
}

/**
 * Checks every field of a profile with the rules the CLI applies to its flags, and returns it cleaned.
 * @throws InputError `invalid-value` naming the field and the reason
 */
export function validateDevice(input: DeviceInput): DeviceFields {
  const target = input.target;
  const name = noControl(input.name.trim(), 'Name');
  if (name.length === 0) fail('invalid-value', 'give the device a name', 'Name');
  const host = validateHost(input.host.trim(), 'Host');
  const port = validatePort(input.port, target === 'sps' ? 'HTTPS port' : 'SSH port');
  const user = input.user.trim();
  if (!USER_RE.test(user)) fail('invalid-value', user.length === 0 ? 'give the user certbench logs in as' : `"${noControl(user, 'User')}" is not a login name (letters, digits, ".", "_", "-", "@"; no spaces, not starting with "-")`, 'User');
  // SPS's REST API takes HTTP basic authentication: a password, nothing else.
  if (target === 'sps' && input.auth !== 'password') fail('invalid-value', 'SPS\'s REST API logs in with the user\'s password only; choose "Password"', 'Authentication');
  const out: DeviceFields = { name, target, host, port, user, auth: input.auth };
  if (input.auth === 'key-file') {
    const f = optional(input.identityFile);
    if (f === undefined) fail('invalid-value', 'choose the private key file certbench logs in with', 'Key file');
    noControl(f, 'Key file');
    if (!isAbsolute(f)) fail('invalid-value', `"${f}" is not a full path; choose the file with "Choose…"`, 'Key file');
    let isFile = false;
    try {
      isFile = statSync(f).isFile();
    } catch {
      fail('not-found', `${f} does not exist or cannot be read`, 'Key file');
    }
    if (!isFile) fail('invalid-value', `${f} is not a file`, 'Key file');
    out.identityFile = f;
  }
  if (target === 'sps') {
    if (input.hostKey !== undefined) fail('invalid-value', 'an SPS device is reached over HTTPS: trust its certificate ("Check certificate"), not an SSH host key', 'host key');
    if (input.tlsPin !== undefined) out.tlsPin = checkTlsPin(input.tlsPin);
    out.role = input.role ?? SPS_DEFAULTS.role;
    return out;
  }
  if (input.tlsPin !== undefined) fail('invalid-value', `a ${target === 'junos' ? 'Junos device' : 'Apstra server'} is reached over SSH: trust its host key ("Check host key"), not a certificate`, 'certificate SHA-256');
  if (input.hostKey !== undefined) out.hostKey = checkPin(input.hostKey);
  const serverName = optional(input.serverName);
  if (serverName !== undefined) out.serverName = validateHost(serverName, 'Server name');
  if (target === 'junos') return junosFields(input, out);

  const nginxDir = optional(input.nginxDir);
  if (nginxDir !== undefined) {
    noControl(nginxDir, 'nginx folder');
    if (!nginxDir.startsWith('/')) fail('invalid-value', `"${nginxDir}" is not an absolute path on the server (it starts with "/", e.g. /etc/aos/nginx.conf.d)`, 'nginx folder');
    if (nginxDir.split('/').includes('..')) fail('invalid-value', `"${nginxDir}" holds "..": give the folder's own path`, 'nginx folder');
    // The push puts the folder into command lines on the server, so it takes plain path characters only (as the CLI's --nginx-dir).
    if (!DIR_RE.test(nginxDir)) fail('invalid-value', `"${nginxDir}" may hold only letters, digits, dots, hyphens, underscores and slashes`, 'nginx folder');
    out.nginxDir = nginxDir;
  }
  const restartCmd = optional(input.restartCmd);
  if (restartCmd !== undefined) out.restartCmd = noControl(restartCmd, 'Restart command');
  if (input.httpsPort !== undefined) out.httpsPort = validatePort(input.httpsPort, 'HTTPS port');
  if (input.sudo !== undefined) out.sudo = input.sudo;
  return out;
}

// The push options of a Junos profile, with the CLI's defaults filled in so the profile says what a push will do.
function junosFields(input: DeviceInput, out: DeviceFields): DeviceFields {
  const certId = junosId(input.certId, 'Certificate ID', 'certificate-id');
  if (certId === undefined) fail('invalid-value', 'give the name of the new local certificate in the device\'s PKI store (its certificate-id, e.g. web-2026), one that does not exist there yet', 'Certificate ID');
  out.certId = certId;
  const caProfile = junosId(input.caProfile, 'CA profile', 'CA profile name');
  if (caProfile !== undefined) out.caProfile = caProfile;
  const bind = input.bind ?? JUNOS_DEFAULTS.bind;
  if (bind.length === 0) fail('invalid-value', 'choose the services that serve the certificate: REST API, J-Web or both', 'Bind to');
  // In a fixed order, once each: the set lines follow it.
  out.bind = JUNOS_DEFAULTS.bind.filter((b) => bind.includes(b));
  const minutes = input.confirmMinutes ?? JUNOS_DEFAULTS.confirmMinutes;
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 65535) fail('invalid-value', `"${minutes}" is not a whole number of minutes from 1 to 65535`, 'Confirm within (minutes)');
  out.confirmMinutes = minutes;
  out.verifyPort = validatePort(input.verifyPort ?? JUNOS_DEFAULTS.verifyPort, 'REST API HTTPS port');
  out.webPort = validatePort(input.webPort ?? JUNOS_DEFAULTS.webPort, 'J-Web HTTPS port');
  return out;
}

/** `host:port` of a profile's management service (SSH, or SPS's HTTPS). */
export function deviceEndpoint(d: Pick<DeviceProfile, 'host' | 'port'>): string {
  return endpointOf(d.host, d.port);
}

/** The saved device profiles in dataDir/devices.json (mode 0600, replaced atomically on every change). */
export class DevicesStore {
  readonly #dataDir: string;
  readonly #now: () => Date;

  constructor(dataDir: string, now: () => Date = () => new Date()) {
    this.#dataDir = dataDir;
    this.#now = now;
  }

  /** Path of the profiles file. */
  get file(): string {
    return join(this.#dataDir, FILE);
  }

  /**
   * Every profile, sorted by name.
   * @throws InputError `unknown-content` when the file is damaged (it is never overwritten then)
   */
  list(): DeviceProfile[] {
    const data = readDataFile(this.file, fileSchema, 'devices', 'fix or delete it');
    if (!data) return [];
    const devices: DeviceProfile[] = data.devices.map((d) => ({ ...Object.fromEntries(Object.entries(d).filter(([, x]) => x !== undefined)), sudo: d.sudo === true }) as unknown as DeviceProfile);
    return devices.sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * The profile with this id.
   * @throws InputError `not-found`
   */
  get(id: string): DeviceProfile {
    const d = this.list().find((x) => x.id === id);
    if (!d) fail('not-found', 'this device is not saved (it was deleted); choose another device or add it again');
    return d;
  }

  #write(devices: DeviceProfile[]): void {
    writeDataFile(this.file, { version: 1, devices });
  }

  /**
   * Checks that a profile can be saved under this name: names are unique (case-insensitive), and a
   * new device must fit.
   * @throws InputError `invalid-value` for a name already taken, `too-large` when too many are saved
   */
  checkName(name: string, id: string | undefined): void {
    const devices = this.list();
    const taken = devices.find((d) => d.id !== id && d.name.toLowerCase() === name.toLowerCase());
    if (taken) fail('invalid-value', `a device named "${taken.name}" is already saved; choose another name`, 'Name');
    if (id === undefined && devices.length >= MAX_DEVICES) fail('too-large', `${MAX_DEVICES} devices are saved already; delete some first`);
  }

  /** A new id for {@link put}. */
  newId(): string {
    return randomUUID();
  }

  /**
   * Adds or replaces a profile that has passed {@link validateDevice}. `sudo` absent keeps the saved setting
   * (off for a new device), so a caller that re-saves a profile without knowing the field does not turn it off.
   * @throws InputError as {@link checkName}; `not-found` when `existing` is set and the device is gone
   */
  put(id: string, fields: DeviceFields, existing: boolean): DeviceProfile {
    this.checkName(fields.name, existing ? id : undefined);
    const devices = this.list();
    const at = devices.findIndex((d) => d.id === id);
    if (existing && at < 0) fail('not-found', 'this device is not saved (it was deleted); add it again');
    // sudo is Apstra's alone; another target never carries it over from an earlier setting.
    const sudo = fields.target === 'apstra' && (fields.sudo ?? (at >= 0 && devices[at]!.sudo));
    const profile: DeviceProfile = { ...fields, sudo, id, updatedAt: this.#now().toISOString() };
    if (at >= 0) devices[at] = profile;
    else devices.push(profile);
    this.#write(devices);
    return profile;
  }

  /**
   * Replaces an SPS profile's trusted certificate after a verified push made SPS serve a new one; false when the
   * profile is gone, was changed meanwhile (it no longer trusts `previous`), or is not an SPS profile.
   */
  replaceTlsPin(id: string, previous: string, next: string): boolean {
    const devices = this.list();
    const d = devices.find((x) => x.id === id);
    if (!d || d.target !== 'sps' || d.tlsPin !== previous) return false;
    d.tlsPin = next;
    d.updatedAt = this.#now().toISOString();
    this.#write(devices);
    return true;
  }

  /** Deletes a profile; false when there was none with this id. */
  delete(id: string): boolean {
    const devices = this.list();
    const rest = devices.filter((d) => d.id !== id);
    if (rest.length === devices.length) return false;
    this.#write(rest);
    return true;
  }
}
