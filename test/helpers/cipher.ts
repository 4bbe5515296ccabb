import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SecretCipher } from '../../src/main/vault.js';

/**
 * A real cipher in place of Electron's safeStorage (which needs the Electron binary): AES-256-GCM under
 * a key made for the test, stored as iv || tag || ciphertext, so device secrets land encrypted in vault.json.
 */
export function testCipher(key: Buffer = randomBytes(32)): SecretCipher {
  return {
    isAvailable: () => true,
    encrypt(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), ct]);
    },
    decrypt(b) {
      const d = createDecipheriv('aes-256-gcm', key, b.subarray(0, 12));
      d.setAuthTag(b.subarray(12, 28));
      return Buffer.concat([d.update(b.subarray(28)), d.final()]).toString('utf8');
    },
  };
}
