import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { fail, InputError } from '../core/errors.js';
import { normalizePin } from '../core/transport/host-keys.js';
import { endpointOf, validateHost, validatePort } from '../core/transport/host.js';
import { readDataFile, writeDataFile } from './data-file.js';
import { deviceTargetSchema, sshAuthMethodSchema, type DeviceTarget, type SshAuthMethod } from '../shared/contract.js';

// The targets a profile may name grow with the contract's enum (Apstra now; Junos and SPS with their pushes).
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
  /** ISO 8601. */
  updatedAt: string;
}

/** A checked profile without its id, as {@link validateDevice} returns it: `sudo` absent keeps the saved setting (see {@link DevicesStore.put}). */
export type DeviceFields = Omit<DeviceProfile, 'id' | 'updatedAt' | 'sudo'> & { sudo?: boolean };

/** What a form sends to add or change a profile (before validation). */
export type DeviceInput = Omit<DeviceFields, 'hostKey'> & { id?: string; hostKey?: string };

const FILE = 'devices.json';
const MAX_DEVICES = 500;
// Control characters would garble logs and command lines; no field of a profile needs them.
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/;
// A login name: no spaces, no leading '-' (it must never read as an option), '@' and '\' for directory accounts.
const DIR_RE = /^\/[A-Za-z0-9._/-]*$/;
const USER_RE = /^[A-Za-z0-9._@\\][A-Za-z0-9._@\\-]{0,63}$/;

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
 * Checks every field of a profile with the rules the CLI applies to its flags, and returns it cleaned.
 * @throws InputError `invalid-value` naming the field and the reason
 */
export function validateDevice(input: DeviceInput): DeviceFields {
  const name = noControl(input.name.trim(), 'Name');
  if (name.length === 0) fail('invalid-value', 'give the device a name', 'Name');
  const host = validateHost(input.host.trim(), 'Host');
  const port = validatePort(input.port, 'SSH port');
  const user = input.user.trim();
  if (!USER_RE.test(user)) fail('invalid-value', user.length === 0 ? 'give the user certbench logs in as' : `"${noControl(user, 'User')}" is not a login name (letters, digits, ".", "_", "-", "@"; no spaces, not starting with "-")`, 'User');
  const out: DeviceFields = { name, target: input.target, host, port, user, auth: input.auth };
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
  if (input.hostKey !== undefined) out.hostKey = checkPin(input.hostKey);
  const serverName = optional(input.serverName);
  if (serverName !== undefined) out.serverName = validateHost(serverName, 'Server name');
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

/** `host:port` of a profile's SSH service. */
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
    const profile: DeviceProfile = { ...fields, sudo: fields.sudo ?? (at >= 0 && devices[at]!.sudo), id, updatedAt: this.#now().toISOString() };
    if (at >= 0) devices[at] = profile;
    else devices.push(profile);
    this.#write(devices);
    return profile;
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
