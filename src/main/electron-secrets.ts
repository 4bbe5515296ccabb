import { safeStorage } from 'electron';
import type { SecretCipher } from './vault.js';

/**
 * The OS key store through Electron's safeStorage (Keychain, DPAPI, libsecret/kwallet). On Linux without
 * a keyring Electron falls back to a key hard-coded in Chromium ("basic_text"), which hides nothing: that
 * counts as unavailable, so certbench refuses to save secrets instead.
 */
export function createElectronSecrets(): SecretCipher {
  return {
    isAvailable(): boolean {
      if (!safeStorage.isEncryptionAvailable()) return false;
      if (process.platform === 'linux') {
        const backend = safeStorage.getSelectedStorageBackend();
        if (backend === 'basic_text' || backend === 'unknown') return false;
      }
      return true;
    },
    encrypt: (plain) => safeStorage.encryptString(plain),
    decrypt: (b) => safeStorage.decryptString(b),
  };
}
