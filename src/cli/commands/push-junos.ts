import { fail } from '../../core/errors.js';
import { pushJunos } from '../../core/push/junos.js';
import type { JunosBinding } from '../../core/push/types.js';
import { validatePort } from '../../core/transport/host.js';
import { authFrom, hostKeyFrom, readBundle, runPush, seconds, wholeNumber, type PushBundleOptions, type SshLoginOptions } from '../push-common.js';

interface PushJunosOptions extends SshLoginOptions, PushBundleOptions {
  host: string; user: string;
  certId: string; caProfile?: string; bind: string; confirmMinutes: string; verifyPort: string; webPort: string;
  serverName?: string; verifyTimeout: string; dryRun?: boolean; json?: boolean;
}

function bindings(value: string): JunosBinding[] {
  const parts = value.split(',').map((s) => s.trim());
  if (parts.length === 0 || parts.some((s) => s !== 'rest' && s !== 'web')) {
    fail('invalid-value', `${JSON.stringify(value)}: give rest, web or rest,web`, '--bind');
  }
  return parts as JunosBinding[];
}

/**
 * `certbench push junos`: loads a local certificate into the device's PKI store over NETCONF, binds it to
 * REST and J-Web with commit confirmed, and confirms only once the new fingerprint is served.
 * Exit 0 when pushed (or planned), 1 when the push failed (rolled back or unchanged), 2 for bad input.
 */
export async function run(o: PushJunosOptions): Promise<void> {
  const port = validatePort(o.port, '--port');
  const verifyPort = validatePort(o.verifyPort, '--verify-port');
  const webPort = validatePort(o.webPort, '--web-port');
  const confirmMinutes = wholeNumber(o.confirmMinutes, '--confirm-minutes', 1, 65535, 'minutes');
  const verifyTimeoutMs = seconds(o.verifyTimeout, '--verify-timeout');
  const bind = bindings(o.bind);
  const auth = await authFrom(o);
  const hostKey = hostKeyFrom(o);
  const bundle = await readBundle(o);
  await runPush('push junos', o.json, (signal, onEvent) => pushJunos({
    bundle,
    ssh: { host: o.host, port, username: o.user, auth, hostKey },
    certId: o.certId,
    ...(o.caProfile !== undefined ? { caProfile: o.caProfile } : {}),
    bind,
    confirmMinutes,
    verifyPort,
    webPort,
    ...(o.serverName !== undefined ? { serverName: o.serverName } : {}),
    verifyTimeoutMs,
    dryRun: o.dryRun === true,
    signal,
  }, onEvent));
}
