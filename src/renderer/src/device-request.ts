import type { DeviceTarget, DeviceView, RequestOf } from '../../shared/contract.js';

/** What people call each kind of device. */
export const TARGET_NAME: Record<DeviceTarget, string> = { apstra: 'Apstra', junos: 'Junos', sps: 'SPS' };

/** The name of a target as saved in the history (a string there), or the string itself for one this version does not know. */
export function targetName(target: string): string {
  return Object.hasOwn(TARGET_NAME, target) ? TARGET_NAME[target as DeviceTarget] : target;
}

/** Defaults the device form starts from, as main fills them in (see src/main/devices-store.ts). */
export const DEFAULT_PORT: Record<DeviceTarget, number> = { apstra: 22, junos: 830, sps: 443 };
export const JUNOS_DEFAULTS = { confirmMinutes: 5, verifyPort: 3443, webPort: 443 };

/** Apstra and Junos are reached over SSH (a host key to trust); SPS over HTTPS (a certificate to trust). */
export function trustsCertificate(d: Pick<DeviceView, 'target'>): boolean {
  return d.target === 'sps';
}

/** Whether what the device needs trusted before a push (host key or certificate) is trusted. */
export function isTrusted(d: DeviceView): boolean {
  return trustsCertificate(d) ? d.tlsPin !== undefined : d.hostKey !== undefined;
}

type TrustChange = Pick<RequestOf<'devices:save'>, 'hostKey' | 'forgetHostKey' | 'tlsPin' | 'forgetTlsPin'>;

/**
 * The fields of a saved device, sent back unchanged with a new trust decision. Every field goes back: main
 * treats an absent one as "use the default", except `sudo` and the secrets, which an absent value keeps.
 */
export function resave(d: DeviceView, change: TrustChange): RequestOf<'devices:save'> {
  const optional = <K extends keyof DeviceView>(k: K): Partial<Pick<DeviceView, K>> => (d[k] !== undefined ? { [k]: d[k] } as Pick<DeviceView, K> : {});
  return {
    id: d.id,
    name: d.name,
    target: d.target,
    host: d.host,
    port: d.port,
    user: d.user,
    auth: d.auth,
    ...optional('identityFile'),
    ...optional('serverName'),
    ...optional('nginxDir'),
    ...optional('restartCmd'),
    ...optional('httpsPort'),
    ...optional('certId'),
    ...optional('caProfile'),
    ...optional('bind'),
    ...optional('confirmMinutes'),
    ...optional('verifyPort'),
    ...optional('webPort'),
    ...optional('role'),
    ...change,
  };
}
