import { fail } from '../../core/errors.js';
import { endpointOf, validateHost, validatePort } from '../../core/transport/host.js';
import type { DeviceView } from '../../shared/contract.js';
import { checkPin, DevicesStore, validateDevice, type DeviceProfile } from '../devices-store.js';
import { NO_KEY_STORE, Vault } from '../vault.js';
import type { HandlerContext, HandlerGroup } from './types.js';

function viewOf(d: DeviceProfile, vault: Vault): DeviceView {
  return { ...d, hasPassword: vault.has(d.id, 'password'), hasPassphrase: vault.has(d.id, 'passphrase') };
}

/** devices:list, devices:save, devices:delete, devices:choose-key-file, devices:scan-host-key. */
export function deviceHandlers(ctx: HandlerContext): HandlerGroup<'devices:list' | 'devices:save' | 'devices:delete' | 'devices:choose-key-file' | 'devices:scan-host-key'> {
  const devices = new DevicesStore(ctx.dataDir, ctx.now);
  const vault = new Vault(ctx.dataDir, ctx.secrets);
  return {
    'devices:list': async () => devices.list().map((d) => viewOf(d, vault)),

    'devices:save': async (r) => {
      const existing = r.id !== undefined ? devices.get(r.id) : undefined;
      const fields = validateDevice({ ...r, hostKey: undefined });
      devices.checkName(fields.name, existing?.id);

      // A trusted key belongs to the host and port it was read from; another endpoint must be checked anew.
      let hostKey = existing && existing.host === fields.host && existing.port === fields.port ? existing.hostKey : undefined;
      if (r.forgetHostKey) hostKey = undefined;
      const pin = r.hostKey?.trim() ? checkPin(r.hostKey) : undefined;
      if (pin !== undefined) {
        if (hostKey !== undefined && hostKey !== pin) {
          fail('refused', `${fields.name} already trusts the host key ${hostKey} for ${endpointOf(fields.host, fields.port)}, and ${pin} is another key. ` +
            'A changed host key can mean someone is in the middle; if the server\'s key was replaced on purpose, confirm the new fingerprint with its administrator, then forget the trusted key and trust the new one');
        }
        hostKey = pin;
      }
      if (hostKey !== undefined) fields.hostKey = hostKey;

      const id = existing?.id ?? devices.newId();
      const password = r.password !== undefined && r.password !== '' ? r.password : undefined;
      const passphrase = r.passphrase !== undefined && r.passphrase !== '' ? r.passphrase : undefined;
      if (fields.auth === 'password') {
        if (!vault.available) fail('unsupported', NO_KEY_STORE);
        if (password === undefined && !(existing && vault.has(id, 'password'))) fail('invalid-value', `enter the password of ${fields.user} on ${fields.host}`, 'Password');
      }
      if (password !== undefined && fields.auth !== 'password') fail('invalid-value', 'a password is only saved with the authentication "Password"', 'Password');
      if (passphrase !== undefined && fields.auth !== 'key-file') fail('invalid-value', 'a key passphrase is only saved with the authentication "Key file"', 'Key passphrase');

      // Secrets first: when the key store refuses, nothing of the device is saved either.
      vault.update(id, {
        ...(fields.auth !== 'password' ? { password: undefined } : password !== undefined ? { password } : {}),
        ...(fields.auth !== 'key-file' || r.forgetPassphrase ? { passphrase: undefined } : {}),
        ...(fields.auth === 'key-file' && passphrase !== undefined ? { passphrase } : {}),
      });
      try {
        return viewOf(devices.put(id, fields, existing !== undefined), vault);
      } catch (e) {
        if (!existing) vault.forget(id);
        throw e;
      }
    },

    'devices:delete': async (r) => {
      if (!devices.delete(r.id)) fail('not-found', 'this device is not saved (it was already deleted)');
      vault.forget(r.id);
      return {};
    },

    'devices:choose-key-file': async () => {
      const paths = await ctx.dialogs.openFiles({
        title: 'Choose the SSH private key',
        filters: [{ name: 'All files', extensions: ['*'] }],
        multiple: false,
      });
      if (paths === undefined || paths.length === 0) return { canceled: true };
      return { canceled: false, path: paths[0]! };
    },

    'devices:scan-host-key': async (r) => {
      const host = validateHost(r.host.trim(), 'Host');
      const port = validatePort(r.port, 'SSH port');
      const device = r.deviceId !== undefined ? devices.get(r.deviceId) : undefined;
      const presented = await ctx.scanHostKey({ host, port });
      // The device's trusted key counts only for the endpoint it was read from.
      const trusted = device && device.host === host && device.port === port ? device.hostKey : undefined;
      const status = trusted === undefined ? 'new' : trusted === presented.fingerprint ? 'matches' : 'changed';
      return { endpoint: endpointOf(host, port), type: presented.type, fingerprint: presented.fingerprint, status, ...(trusted !== undefined ? { trusted } : {}) };
    },
  };
}
