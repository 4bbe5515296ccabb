import { join } from 'node:path';
import { z } from 'zod';
import { fail, InputError } from '../core/errors.js';
import { readDataFile, writeDataFile } from './data-file.js';

/**
 * Encrypts short secrets with a key the operating system keeps (Electron's safeStorage in the app,
 * a real AES cipher in tests). Never a pass-through: a cipher that cannot encrypt says so in
 * `isAvailable` and certbench refuses to save secrets rather than write them in plain text.
 */
export interface SecretCipher {
  isAvailable(): boolean;
  encrypt(plain: string): Buffer;
  decrypt(b: Buffer): string;
}

/** The cipher used when none is given: it encrypts nothing, so every secret is refused. */
export const unavailableCipher: SecretCipher = {
  isAvailable: () => false,
  encrypt: () => {
    throw new Error('no OS key store');
  },
  decrypt: () => {
    throw new Error('no OS key store');
  },
};

/** Which secret of a device. */
export type SecretKind = 'password' | 'passphrase';

const VAULT_FILE = 'vault.json';
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;
const vaultSchema = z.object({
  version: z.literal(1),
  secrets: z.record(z.string(), z.string().regex(BASE64_RE)),
});

/** Why secrets cannot be saved here, with what to use instead. */
export const NO_KEY_STORE =
  'the operating system key store is unavailable, so certbench cannot save a password or passphrase encrypted ' +
  '(and never saves one in plain text): use SSH agent, or a key file without a passphrase';

/**
 * Device passwords and key passphrases, encrypted with the injected cipher, in dataDir/vault.json
 * (mode 0600): `{ version: 1, secrets: { "<deviceId>:password": "<base64 ciphertext>" } }`.
 */
export class Vault {
  readonly #dataDir: string;
  readonly #cipher: SecretCipher;

  constructor(dataDir: string, cipher: SecretCipher) {
    this.#dataDir = dataDir;
    this.#cipher = cipher;
  }

  /** Path of the vault file. */
  get file(): string {
    return join(this.#dataDir, VAULT_FILE);
  }

  /** Whether secrets can be saved (the OS key store works). */
  get available(): boolean {
    try {
      return this.#cipher.isAvailable();
    } catch {
      return false;
    }
  }

  #read(): Record<string, string> {
    return readDataFile(this.file, vaultSchema, 'secrets', 'delete it and enter the device passwords again')?.secrets ?? {};
  }

  #write(secrets: Record<string, string>): void {
    writeDataFile(this.file, { version: 1, secrets });
  }

  /** Whether a secret is saved for a device. */
  has(deviceId: string, kind: SecretKind): boolean {
    return Object.hasOwn(this.#read(), `${deviceId}:${kind}`);
  }

  /**
   * Sets (a string) or removes (undefined) secrets of a device, all in one write.
   * @throws InputError `unsupported` when a secret is to be saved and the OS key store is unavailable
   */
  update(deviceId: string, changes: Partial<Record<SecretKind, string | undefined>>): void {
    const entries = Object.entries(changes) as [SecretKind, string | undefined][];
    if (entries.some(([, v]) => v !== undefined) && !this.available) fail('unsupported', NO_KEY_STORE);
    const secrets = { ...this.#read() };
    let changed = false;
    for (const [kind, value] of entries) {
      const name = `${deviceId}:${kind}`;
      if (value === undefined) {
        if (Object.hasOwn(secrets, name)) {
          delete secrets[name];
          changed = true;
        }
        continue;
      }
      secrets[name] = this.#cipher.encrypt(value).toString('base64');
      changed = true;
    }
    if (changed) this.#write(secrets);
  }

  /** Removes every secret of a device. */
  forget(deviceId: string): void {
    this.update(deviceId, { password: undefined, passphrase: undefined });
  }

  /**
   * A device's secret in clear, for the push only; undefined when none is saved.
   * @throws InputError `unsupported` when the key store is unavailable or cannot decrypt it
   */
  get(deviceId: string, kind: SecretKind, deviceName: string): string | undefined {
    const stored = this.#read()[`${deviceId}:${kind}`];
    if (stored === undefined) return undefined;
    if (!this.available) fail('unsupported', `the ${kind} of ${deviceName} is saved encrypted, but the operating system key store is unavailable now; unlock it (or log in again) and retry`);
    try {
      return this.#cipher.decrypt(Buffer.from(stored, 'base64'));
    } catch (e) {
      throw new InputError('unsupported', `the saved ${kind} of ${deviceName} cannot be decrypted (the operating system key store changed); edit the device and enter it again`, { cause: e instanceof Error ? e.name : undefined });
    }
  }
}
