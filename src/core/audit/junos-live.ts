import { decode } from '../pki/decode.js';
import type { DecodedItem } from '../pki/types.js';
import { CancelledError } from '../transport/errors.js';
import { endpointOf, validateHost, validatePort } from '../transport/host.js';
import { openNetconf, xmlEscape } from '../transport/netconf-client.js';
import type { NetconfParams, NetconfSession } from '../transport/netconf.js';
import { connectSsh } from '../transport/ssh.js';
import { probeTls } from '../transport/tls-probe.js';
import type { ProbeParams, ProbeResult, SshParams, SshSession } from '../transport/types.js';
import { certificateRefs, parseJunosSet, type JunosConfig } from './junos-cis.js';

/** Options of {@link readJunosLive}. */
export interface JunosLiveParams {
  /** The SSH connection that carries NETCONF; nothing is changed on the device. */
  ssh: SshParams;
  /** REST API HTTPS port; default the configured `system services rest https port`, else 3443. */
  restPort?: number;
  /** J-Web HTTPS port, default 443. */
  webPort?: number;
  signal?: AbortSignal;
}

/** The transports of a live read; tests may swap them. */
export interface JunosLiveDeps {
  connect?: (p: SshParams) => Promise<SshSession>;
  netconf?: (s: SshSession, p?: NetconfParams) => Promise<NetconfSession>;
  probe?: (p: ProbeParams) => Promise<ProbeResult>;
}

/** What a live read found: the committed configuration and, per bound certificate-id, the certificate its service serves. */
export interface JunosLiveState {
  /** `host:port` of the NETCONF session. */
  endpoint: string;
  /** The name the report uses for the configuration, e.g. `192.0.2.1:830 (live)`. */
  source: string;
  config: JunosConfig;
  /** Served certificates by certificate-id (leaf first), for `auditJunos`'s `certs`. */
  certs: Map<string, DecodedItem[]>;
  /** Services whose certificate could not be read, with the reason (the audit then checks the configuration only). */
  unreadable: { id: string; service: string; endpoint: string; reason: string }[];
}

/**
 * Reads a Junos device's committed configuration over NETCONF (`show configuration | display set`, read-only)
 * and the certificates its REST and J-Web HTTPS services serve, for the CIS certificate audit.
 * @throws TransportError when the device cannot be reached or refuses the read; InputError for a bad port
 */
export async function readJunosLive(p: JunosLiveParams, deps: JunosLiveDeps = {}): Promise<JunosLiveState> {
  const connect = deps.connect ?? connectSsh;
  const netconf = deps.netconf ?? openNetconf;
  const probe = deps.probe ?? probeTls;
  const host = validateHost(p.ssh.host, '--host');
  const webPort = validatePort(p.webPort ?? 443, '--web-port');
  const session = await connect({ ...p.ssh, ...(p.signal ? { signal: p.signal } : {}) });
  const endpoint = session.endpoint;
  let text: string;
  try {
    const nc = await netconf(session, p.signal ? { signal: p.signal } : {});
    try {
      const reply = await nc.rpc(`<command format="text">${xmlEscape('show configuration | display set')}</command>`);
      text = reply.output ?? '';
    } finally {
      await nc.close().catch(() => undefined);
    }
  } finally {
    await session.close().catch(() => undefined);
  }
  const source = `${endpoint} (live)`;
  const config = parseJunosSet(text, source);
  const configured = config.statements.find((s) => s.path.slice(0, 5).join(' ') === 'system services rest https port')?.path[5];
  const restPort = validatePort(p.restPort ?? configured ?? 3443, '--verify-port');
  const certs = new Map<string, DecodedItem[]>();
  const unreadable: JunosLiveState['unreadable'] = [];
  for (const ref of certificateRefs(config)) {
    for (const use of ref.uses) {
      if (certs.has(ref.id)) break;
      const port = use.service === 'REST HTTPS' ? restPort : webPort;
      try {
        const served = await probe({ host, port, ...(p.signal ? { signal: p.signal } : {}) });
        const pem = served.chain.map((c) => c.pem).join('');
        certs.set(ref.id, await decode(pem, { file: `${use.service} on ${endpointOf(host, port)}` }));
      } catch (e) {
        if (e instanceof CancelledError) throw e;
        unreadable.push({ id: ref.id, service: use.service, endpoint: endpointOf(host, port), reason: e instanceof Error ? e.message : String(e) });
      }
    }
  }
  return { endpoint, source, config, certs, unreadable };
}
