import { fail } from '../../core/errors.js';
import { endpointOf, validateHost, validatePort } from '../../core/transport/host.js';
import { probeTls } from '../../core/transport/tls-probe.js';
import type { DeviceView } from '../../shared/contract.js';
import { checkPin, checkTlsPin, DevicesStore, validateDevice, type DeviceProfile } from '../devices-store.js';
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
      const fields = validateDevice({ ...r, hostKey: undefined, tlsPin: undefined });
      devices.checkName(fields.name, existing?.id);
      const endpoint = endpointOf(fields.host, fields.port);
      // What is trusted belongs to the kind of device, host and port it was read from; another endpoint must be checked anew.
      const same = existing !== undefined && existing.target === fields.target && existing.host === fields.host && existing.port === fields.port;

      if (fields.target === 'sps') {
        if (r.hostKey?.trim()) fail('invalid-value', 'an SPS device is reached over HTTPS: trust its certificate ("Check certificate"), not an SSH host key', 'host key');
        let tlsPin = same && !r.forgetTlsPin ? existing.tlsPin : undefined;
        const pin = r.tlsPin?.trim() ? checkTlsPin(r.tlsPin) : undefined;
        if (pin !== undefined) {
          if (tlsPin !== undefined && tlsPin !== pin) {
            fail('refused', `${fields.name} already trusts the certificate with SHA-256 ${tlsPin} for ${endpoint}, and ${pin} is another certificate. ` +
              'A changed certificate can mean someone is in the middle; if SPS\'s certificate was replaced on purpose, compare the new SHA-256 with the one SPS shows ' +
              '(Basic Settings > Management > SSL certificate), then forget the trusted certificate and trust the new one');
          }
          tlsPin = pin;
        }
        if (tlsPin !== undefined) fields.tlsPin = tlsPin;
      } else {
        if (r.tlsPin?.trim()) fail('invalid-value', `a ${fields.target === 'junos' ? 'Junos device' : 'Apstra server'} is reached over SSH: trust its host key ("Check host key"), not a certificate`, 'certificate SHA-256');
        let hostKey = same && !r.forgetHostKey ? existing.hostKey : undefined;
        const pin = r.hostKey?.trim() ? checkPin(r.hostKey) : undefined;
        if (pin !== undefined) {
          if (hostKey !== undefined && hostKey !== pin) {
            fail('refused', `${fields.name} already trusts the host key ${hostKey} for ${endpoint}, and ${pin} is another key. ` +
              'A changed host key can mean someone is in the middle; if the server\'s key was replaced on purpose, confirm the new fingerprint with its administrator, then forget the trusted key and trust the new one');
          }
          hostKey = pin;
        }
        if (hostKey !== undefined) fields.hostKey = hostKey;
      }

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
      const tls = r.kind === 'tls';
      const host = validateHost(r.host.trim(), 'Host');
      const port = validatePort(r.port, tls ? 'HTTPS port' : 'SSH port');
      const device = r.deviceId !== undefined ? devices.get(r.deviceId) : undefined;
      // What the device trusts counts only for the endpoint it was read from.
      const here = device !== undefined && device.host === host && device.port === port;
      if (tls) {
        // Read-only: the handshake is made and the connection closed; nothing is sent, nothing trusted.
        const probe = await probeTls({ host, port });
        const leaf = probe.chain[0]!;
        const trusted = here ? device.tlsPin : undefined;
        const status = trusted === undefined ? 'new' : trusted === leaf.sha256 ? 'matches' : 'changed';
        return {
          endpoint: probe.endpoint, type: 'certificate', fingerprint: leaf.sha256, status, ...(trusted !== undefined ? { trusted } : {}),
          certificate: { subject: leaf.subject, issuer: leaf.issuer, notBefore: leaf.notBefore, notAfter: leaf.notAfter, sans: leaf.sans, selfSigned: leaf.selfSigned },
        };
      }
      const presented = await ctx.scanHostKey({ host, port });
      const trusted = here ? device.hostKey : undefined;
      const status = trusted === undefined ? 'new' : trusted === presented.fingerprint ? 'matches' : 'changed';
      return { endpoint: endpointOf(host, port), type: presented.type, fingerprint: presented.fingerprint, status, ...(trusted !== undefined ? { trusted } : {}) };
    },
  };
}
