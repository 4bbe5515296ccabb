import { pushApstra } from '../../core/push/index.js';
import { validatePort } from '../../core/transport/host.js';
import { authFrom, hostKeyFrom, readBundle, runPush, seconds, type PushBundleOptions, type SshLoginOptions } from '../push-common.js';

interface PushApstraOptions extends SshLoginOptions, PushBundleOptions {
  host: string; user: string;
  serverName?: string; nginxDir?: string; restartCmd?: string; sudo?: boolean; httpsPort: string; verifyTimeout: string;
  dryRun?: boolean; json?: boolean;
}

/**
 * `certbench push apstra`: replaces nginx.crt and nginx.key on the Apstra server and proves it by the
 * served fingerprint. Exit 0 when pushed (or planned), 1 when the push failed (rolled back or unchanged), 2 for bad input.
 */
export async function run(o: PushApstraOptions): Promise<void> {
  const port = validatePort(o.port, '--port');
  const httpsPort = validatePort(o.httpsPort, '--https-port');
  const verifyTimeoutMs = seconds(o.verifyTimeout, '--verify-timeout');
  const auth = await authFrom(o);
  const hostKey = hostKeyFrom(o);
  const bundle = await readBundle(o);
  await runPush('push apstra', o.json, (signal, onEvent) => pushApstra({
    bundle,
    ssh: { host: o.host, port, username: o.user, auth, hostKey },
    ...(o.serverName !== undefined ? { serverName: o.serverName } : {}),
    ...(o.nginxDir !== undefined ? { nginxDir: o.nginxDir } : {}),
    ...(o.restartCmd !== undefined ? { restartCmd: o.restartCmd } : {}),
    sudo: o.sudo === true,
    httpsPort,
    verifyTimeoutMs,
    dryRun: o.dryRun === true,
    signal,
  }, onEvent));
}
