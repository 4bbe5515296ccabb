import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { certificateRefs, parseJunosSet, type JunosConfig } from '../audit/junos-cis.js';
import { isJunosId } from '../../shared/push-cert-id.js';
import { CertbenchError, InputError, fail } from '../errors.js';
import { JUNOS_UPLOAD_DIR } from '../targets/junos.js';
import { formatFor } from '../targets/index.js';
import { CancelledError, ConnectionLostError, NetconfRpcError, TimeoutError, TransportError } from '../transport/errors.js';
import { endpointOf, validateHost, validatePort } from '../transport/host.js';
import { openNetconf, xmlEscape } from '../transport/netconf-client.js';
import type { NetconfParams, NetconfSession, RpcReply } from '../transport/netconf.js';
import { scpUpload } from '../transport/scp.js';
import { connectSsh } from '../transport/ssh.js';
import { probeTls, waitForServed } from '../transport/tls-probe.js';
import type { ProbeParams, ProbeResult, SshParams, SshSession } from '../transport/types.js';
import { PushRun, formatterReasons, messageOf, servingChecks, timestamp } from './common.js';
import type { JunosBinding, JunosPushParams, PlanStep, PushListener, PushResult, PushStep } from './types.js';

/** The transports a Junos push uses; tests and the UI may swap them (conventions 6). */
export interface JunosPushDeps {
  connect?: (p: SshParams) => Promise<SshSession>;
  netconf?: (s: SshSession, p?: NetconfParams) => Promise<NetconfSession>;
  upload?: typeof scpUpload;
  probe?: (p: ProbeParams) => Promise<ProbeResult>;
  waitServed?: typeof waitForServed;
}

const PLAN_STEPS: PushStep[] = ['preflight', 'connect', 'inspect', 'upload', 'activate', 'verify', 'confirm'];
// A PKI load or a commit can take a while on a small branch SRX.
const RPC_TIMEOUT_MS = 180_000;

interface Binding {
  service: string;
  /** The hierarchy the binding lives in; the service counts as configured for HTTPS when it has statements there. */
  base: string[];
  /** The statement certbench sets below `base`. */
  leaf: string;
  /** The statements below `base` that name the certificate (one choice of them), restored by a rollback. */
  choices: string[];
  statement: (id: string) => string;
  use: 'REST HTTPS' | 'J-Web HTTPS';
}

const BINDING: Record<JunosBinding, Binding> = {
  rest: { service: 'REST API', base: ['system', 'services', 'rest', 'https'], leaf: 'server-certificate', choices: ['server-certificate'],
    statement: (id) => `set system services rest https server-certificate ${id}`, use: 'REST HTTPS' },
  web: { service: 'J-Web', base: ['system', 'services', 'web-management', 'https'], leaf: 'pki-local-certificate',
    choices: ['pki-local-certificate', 'local-certificate', 'system-generated-certificate'],
    statement: (id) => `set system services web-management https pki-local-certificate ${id}`, use: 'J-Web HTTPS' },
};

interface Checked {
  host: string;
  port: number;
  certId: string;
  caProfile?: string;
  bind: JunosBinding[];
  confirmMinutes: number;
  ports: Record<JunosBinding, number>;
  serverName: string;
  /** SNI when probing: the server name when it is a host name, none for an address. */
  sni?: string;
  verifyTimeoutMs: number;
  minuteMs: number;
}

function junosId(value: string, flag: string): string {
  if (!isJunosId(value)) {
    fail('invalid-value', `"${value.replace(/[^\x20-\x7e]/g, '?')}" is not a Junos identifier: use 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit`, flag);
  }
  return value;
}

// Options are checked before anything else happens: a bad value must not reach a command line or a socket.
function checkParams(p: JunosPushParams): Checked {
  const host = validateHost(p.ssh.host, '--host');
  const port = validatePort(p.ssh.port ?? 830, '--port');
  const certId = junosId(p.certId, '--cert-id');
  const caProfile = p.caProfile === undefined ? undefined : junosId(p.caProfile, '--ca-profile');
  if (caProfile !== undefined && p.bundle.chain.length === 0) {
    fail('invalid-value', 'a CA profile is loaded with the issuing CA certificate: give it with --chain', '--ca-profile');
  }
  const bind: JunosBinding[] = [...new Set<JunosBinding>(p.bind ?? ['rest', 'web'])];
  if (bind.length === 0 || bind.some((b) => !(b in BINDING))) fail('invalid-value', 'give rest, web or rest,web', '--bind');
  const confirmMinutes = p.confirmMinutes ?? 5;
  if (!Number.isInteger(confirmMinutes) || confirmMinutes < 1 || confirmMinutes > 65535) {
    fail('invalid-value', 'must be a whole number of minutes from 1 to 65535', '--confirm-minutes');
  }
  const ports = { rest: validatePort(p.verifyPort ?? 3443, '--verify-port'), web: validatePort(p.webPort ?? 443, '--web-port') };
  const serverName = validateHost(p.serverName ?? host, '--server-name');
  const verifyTimeoutMs = p.verifyTimeoutMs ?? 60_000;
  if (!Number.isFinite(verifyTimeoutMs) || verifyTimeoutMs < 1000 || verifyTimeoutMs > 3_600_000) {
    fail('invalid-value', 'must be between 1 and 3600 seconds', '--verify-timeout');
  }
  // The confirmed commit must outlive the verify, or the device rolls back a good push while it is checked.
  const minuteMs = p.minuteMs ?? 60_000;
  if (verifyTimeoutMs * bind.length >= confirmMinutes * minuteMs) {
    fail('invalid-value', `the device would roll back after ${confirmMinutes} minute(s), before the ${Math.round(verifyTimeoutMs / 1000)} s verify of each service ends: raise --confirm-minutes or lower --verify-timeout`, '--confirm-minutes');
  }
  return {
    host, port, certId, bind, confirmMinutes, ports, serverName, verifyTimeoutMs, minuteMs,
    ...(caProfile === undefined ? {} : { caProfile }),
    ...(isIP(serverName) === 0 ? { sni: serverName } : {}),
  };
}

function planFor(c: Checked, user: string): PlanStep[] {
  const bound = c.bind.map((b) => `${BINDING[b].service} on ${endpointOf(c.host, c.ports[b])}`).join(' and ');
  return [
    { step: 'preflight', description: `check key, certificate and chain match, are in order and valid now, that Junos can load the key, and that ${c.serverName} is in the SAN` },
    { step: 'connect', description: `NETCONF over SSH to ${endpointOf(c.host, c.port)} as ${user}, host key checked` },
    { step: 'inspect', description: `read the committed configuration and the PKI store (certificate-id ${c.certId} must be new), probe what ${bound} serve now` },
    { step: 'upload', description: `copy the certificate and its key (0600)${c.caProfile ? ' and the issuing CA certificate' : ''} to ${JUNOS_UPLOAD_DIR} over SCP` },
    { step: 'activate', description: [
      `request security pki local-certificate load certificate-id ${c.certId}, then file delete the key file at once`,
      `lock the configuration and load: ${[...(c.caProfile ? [`set security pki ca-profile ${c.caProfile} ca-identity ${c.caProfile}`] : []), ...c.bind.map((b) => BINDING[b].statement(c.certId))].join('; ')}`,
      `commit confirmed ${c.confirmMinutes} (the device undoes it by itself unless confirmed)`,
      ...(c.caProfile ? [`request security pki ca-certificate load ca-profile ${c.caProfile}`] : []),
    ].join('; ') },
    { step: 'verify', description: `probe ${bound} (SNI ${c.sni ?? 'none'}) until the new certificate is served, up to ${Math.round(c.verifyTimeoutMs / 1000)} s each` },
    { step: 'confirm', description: 'commit again to confirm and unlock; on any failure before this, put the bindings back as they were (delete/set lines read from the configuration now), clear the loaded certificate and check the old certificate is served again' },
  ];
}

/** What the device served and held before the push. */
interface Before {
  /** Served SHA-256 per bound service, when something answered. */
  served: Partial<Record<JunosBinding, string>>;
  /** The CA profile must be added to the configuration (it is not configured yet). */
  addCaProfile: boolean;
  /** The CA certificate must be loaded (the profile holds none yet). */
  loadCa: boolean;
  /** `delete`/`set` lines that put the bindings (and the CA profile) back exactly as they were. */
  undo: string[];
}

/** What the push changed on the device so far, for the cleanup or rollback. */
interface Changes {
  uploaded: string[];
  localLoaded: boolean;
  caLoaded: boolean;
  /** A commit confirmed was sent (and may have been applied). */
  committed: boolean;
  /** When the device rolls the confirmed commit back by itself. */
  autoRollbackAt?: number;
  /** The confirming commit was sent: if its answer was lost, the device may have kept the change. */
  confirmSent?: boolean;
}

// A value as a `set` line needs it: bare when it is one plain word, else quoted.
function word(w: string): string {
  return /^[A-Za-z0-9._:/@+-]+$/.test(w) ? w : `"${w.replace(/["\\]/g, '\\$&')}"`;
}

class JunosPush extends PushRun {
  private session?: SshSession;
  private nc?: NetconfSession;
  /** This session holds the configuration lock. */
  private locked = false;
  private before: Before = { served: {}, addCaProfile: false, loadCa: false, undo: [] };
  private readonly connect: (p: SshParams) => Promise<SshSession>;
  private readonly netconf: (s: SshSession, p?: NetconfParams) => Promise<NetconfSession>;
  private readonly upload: typeof scpUpload;
  private readonly probe: (p: ProbeParams) => Promise<ProbeResult>;
  private readonly waitServed: typeof waitForServed;
  private readonly changes: Changes = { uploaded: [], localLoaded: false, caLoaded: false, committed: false };

  constructor(private readonly p: JunosPushParams, private readonly c: Checked, listener: PushListener | undefined, deps: JunosPushDeps) {
    super('junos', endpointOf(c.host, c.port), planFor(c, p.ssh.username), PLAN_STEPS, p.bundle.cert, listener);
    this.connect = deps.connect ?? connectSsh;
    this.netconf = deps.netconf ?? openNetconf;
    this.upload = deps.upload ?? scpUpload;
    this.probe = deps.probe ?? probeTls;
    this.waitServed = deps.waitServed ?? waitForServed;
  }

  /** Local checks; throws InputError `refused` listing every reason. Returns the files to upload. */
  preflight(now: Date): Map<string, { content: string; mode: number }> {
    this.emit('preflight', 'start', 'checking key, certificate and chain');
    let files;
    const reasons: string[] = [];
    try {
      const formatted = formatFor('junos', this.p.bundle, { now, certId: this.c.certId });
      files = formatted.files;
      this.warnings.push(...formatted.warnings.filter((w) => w.code !== 'expired' && w.code !== 'not-yet-valid'));
    } catch (e) {
      reasons.push(...formatterReasons(e));
    }
    reasons.push(...servingChecks(this.p.bundle, this.c.serverName, now, 'REST clients and browsers would refuse the device'));
    if (reasons.length > 0 || !files) {
      const msg = `refused before connecting; nothing was sent: ${reasons.join('; ')}`;
      this.emit('preflight', 'fail', msg);
      throw new InputError('refused', `push junos: ${msg}`);
    }
    for (const w of this.warnings) this.emit('preflight', 'info', `${w.severity}: ${w.message}`);
    this.emit('preflight', 'ok', `key matches, chain in order, valid now, ${this.c.serverName} is in the SAN`);
    const stamp = timestamp(now);
    const id = this.c.certId;
    const byName = new Map(files.map((f) => [f.name, f.content]));
    const out = new Map<string, { content: string; mode: number }>();
    out.set(`${JUNOS_UPLOAD_DIR}/${id}.certbench-${stamp}.crt`, { content: byName.get(`${id}.crt`)!, mode: 0o644 });
    out.set(`${JUNOS_UPLOAD_DIR}/${id}.certbench-${stamp}.key`, { content: byName.get(`${id}.key`)!, mode: 0o600 });
    if (this.c.caProfile) {
      out.set(`${JUNOS_UPLOAD_DIR}/${this.c.caProfile}.certbench-${stamp}.ca.crt`, { content: new X509Certificate(this.p.bundle.chain[0]!).toString(), mode: 0o644 });
    }
    return out;
  }

  async run(now: Date): Promise<PushResult> {
    const files = this.preflight(now);
    const [crtPath, keyPath, caPath] = [...files.keys()] as [string, string, string | undefined];

    try {
      this.emit('connect', 'start', `connecting to ${this.endpoint} as ${this.p.ssh.username}`);
      await this.open(this.p.signal);
      this.before = await this.inspect();
    } catch (err) {
      this.emit(this.nc ? 'inspect' : 'connect', 'fail', messageOf(err));
      await this.close();
      if (err instanceof InputError) throw err;
      return this.result('unchanged', err);
    }
    if (this.p.dryRun) {
      this.emit('upload', 'skip', 'dry run: nothing changed on the device');
      await this.close();
      return this.result('planned');
    }

    // Until the commit, the device serves what it served: a failure only needs the loaded files and certificate removed.
    try {
      this.emit('upload', 'start', `copying the files to ${JUNOS_UPLOAD_DIR} over SCP`);
      for (const [path, f] of files) {
        this.changes.uploaded.push(path);
        await this.upload(this.session!, path, f.content, f.mode);
      }
      this.emit('upload', 'ok', `uploaded ${[...files.keys()].join(', ')} (key 0600)`);
      this.abortCheck();
      this.emit('activate', 'start', `loading certificate-id ${this.c.certId} into the PKI store`);
      try {
        this.changes.localLoaded = true;
        await this.command(`request security pki local-certificate load certificate-id ${this.c.certId} filename ${crtPath} key ${keyPath}`);
      } catch (e) {
        // Only a refusal means not loaded; a lost connection, a timeout or a cancel (the request may have been
        // sent) leaves it unknown, and the cleanup clears it if the store holds it.
        if (e instanceof NetconfRpcError || (e instanceof CertbenchError && !(e instanceof TransportError))) this.changes.localLoaded = false;
        throw e;
      } finally {
        await this.deleteKeyFile(keyPath);
      }
      this.emit('activate', 'info', `certificate-id ${this.c.certId} loaded; ${keyPath} deleted`);
      this.abortCheck();
      // Junos refuses commit confirmed on a private copy: the shared candidate is locked instead, which Junos
      // refuses while anyone else edits it, so no one else's unfinished change is ever committed with ours.
      await this.lock();
      const lines = [
        ...(this.c.caProfile && this.before.addCaProfile ? [`set security pki ca-profile ${this.c.caProfile} ca-identity ${this.c.caProfile}`] : []),
        ...this.c.bind.map((b) => BINDING[b].statement(this.c.certId)),
      ];
      await this.loadSet(lines);
      this.abortCheck();
      const commitAt = Date.now();
      this.changes.committed = true;
      try {
        await this.rpc(`<commit-configuration><confirmed/><confirm-timeout>${this.c.confirmMinutes}</confirm-timeout></commit-configuration>`);
      } catch (e) {
        // The device refused the commit: nothing was committed. Anything else leaves it unknown, and the rollback finds out.
        if (e instanceof NetconfRpcError) this.changes.committed = false;
        else this.changes.autoRollbackAt = commitAt + this.c.confirmMinutes * this.c.minuteMs;
        throw e;
      }
      this.changes.autoRollbackAt = commitAt + this.c.confirmMinutes * this.c.minuteMs;
      this.emit('activate', 'info', `committed confirmed ${this.c.confirmMinutes}: ${lines.join('; ')}`);
      if (this.c.caProfile && this.before.loadCa) {
        this.changes.caLoaded = true;
        await this.command(`request security pki ca-certificate load ca-profile ${this.c.caProfile} filename ${caPath!}`);
        this.emit('activate', 'info', `CA certificate loaded into CA profile ${this.c.caProfile}`);
      } else if (this.c.caProfile) {
        this.emit('activate', 'info', `CA profile ${this.c.caProfile} already holds a CA certificate; left as it is`);
      }
      this.emit('activate', 'ok', `certificate-id ${this.c.certId} is bound to ${this.c.bind.map((b) => BINDING[b].service).join(' and ')}, pending confirmation`);
      await this.removeFiles('activate', [crtPath, ...(caPath ? [caPath] : [])]);
      await this.verify();
      this.abortCheck();
      return await this.confirm();
    } catch (e) {
      const step = this.log.lastStep ?? 'activate';
      this.emit(step === 'preflight' || step === 'connect' || step === 'inspect' ? 'upload' : step, 'fail', messageOf(e));
      return this.changes.committed ? this.rollback(e) : this.cleanUp(e);
    }
  }

  // The confirming commit, only while the device's own rollback is comfortably far: a confirmation that arrives
  // after the timer fired would commit nothing and still look like success.
  private async confirm(): Promise<PushResult> {
    this.emit('confirm', 'start', 'confirming the commit');
    const margin = Math.min(30_000, this.c.minuteMs / 2);
    const left = (this.changes.autoRollbackAt ?? 0) - Date.now();
    if (left < margin) {
      throw new CertbenchError(`only ${Math.max(0, Math.round(left / 1000))} s were left before the device's own rollback: not confirming so late (raise --confirm-minutes)`);
    }
    this.changes.confirmSent = true;
    await this.rpc('<commit-configuration/>');
    this.changes.autoRollbackAt = undefined;
    if (!(await this.bindsNewCert())) {
      // The timer won the race after all: the device runs the previous configuration (the rollback checks it).
      throw new CertbenchError('the device had already rolled the commit back by itself when the confirmation came');
    }
    await this.unlock();
    this.emit('confirm', 'ok', `confirmed: certificate-id ${this.c.certId} is in the committed configuration and served`);
    await this.close();
    return this.result('pushed');
  }

  private abortCheck(): void {
    if (this.p.signal?.aborted) throw new CancelledError(this.endpoint);
  }

  private async open(signal: AbortSignal | undefined): Promise<void> {
    const { signal: _ignored, ...ssh } = this.p.ssh;
    this.locked = false;
    this.session = await this.connect({ ...ssh, ...(signal ? { signal } : {}) });
    const hk = this.session.hostKey;
    this.nc = await this.netconf(this.session, signal ? { signal } : {});
    this.emit('connect', 'ok', `connected; host key ${hk.type} ${hk.fingerprint}${hk.recorded ? ' (first use: recorded in the certbench known-hosts store)' : ' (trusted)'}; NETCONF session ${this.nc.sessionId}, base:${this.nc.framing} framing`);
  }

  private async rpc(body: string): Promise<RpcReply> {
    const reply = await this.nc!.rpc(body, { timeoutMs: RPC_TIMEOUT_MS });
    for (const w of reply.warnings) this.emit(this.log.lastStep ?? 'activate', 'info', `device warning: ${w.message}`);
    return reply;
  }

  private async lock(): Promise<void> {
    await this.rpc('<lock-configuration/>');
    this.locked = true;
  }

  // Unlocking before a commit discards the candidate's changes (Junos); after one it only releases the lock.
  private async unlock(): Promise<void> {
    if (!this.locked) return;
    this.locked = false;
    await this.rpc('<unlock-configuration/>').catch(() => undefined);
  }

  private async loadSet(lines: string[]): Promise<void> {
    await this.rpc(`<load-configuration action="set" format="text"><configuration-set>${xmlEscape(lines.join('\n'))}</configuration-set></load-configuration>`);
  }

  // An operational command as CLI text; Junos answers errors as rpc-error, but some releases put "error: ..." in the output.
  private async command(cli: string): Promise<string> {
    const reply = await this.rpc(`<command format="text">${xmlEscape(cli)}</command>`);
    const output = reply.output ?? '';
    const error = /^\s*error:\s*(.+)$/im.exec(output);
    if (error) throw new CertbenchError(`the device refused \`${cli}\`: ${error[1]!.trim()}`);
    return output;
  }

  private async readConfig(): Promise<JunosConfig> {
    return parseJunosSet(await this.command('show configuration | display set'), `${this.endpoint} configuration`);
  }

  private async inspect(): Promise<Before> {
    this.emit('inspect', 'start', 'reading the committed configuration and the PKI store');
    const config = await this.readConfig();
    const bound = new Map(certificateRefs(config).flatMap((r) => r.uses.map((u) => [u.service, r.id] as const)));
    for (const b of this.c.bind) {
      // Switching a management service on is not a certificate change: certbench only re-binds what runs.
      if (!config.statements.some((s) => startsWith(s.path, BINDING[b].base))) {
        throw new CertbenchError(`the ${BINDING[b].service} is not configured for HTTPS on the device (no "${BINDING[b].base.join(' ')}" statements): certbench does not switch services on; configure it first, or leave it out of --bind. Nothing was changed`);
      }
      const id = bound.get(BINDING[b].use);
      this.emit('inspect', 'info', `${BINDING[b].service} uses ${id ? `certificate-id ${id}` : 'no PKI certificate (system-generated)'} now`);
    }
    const local = identifiers(await this.command('show security pki local-certificate'));
    if (local.includes(this.c.certId)) {
      throw new CertbenchError(`certificate-id ${this.c.certId} already exists in the device's PKI store: give a new --cert-id (the bindings move to it; clear the old one after the push), nothing was changed`);
    }
    let addCaProfile = false;
    let loadCa = false;
    if (this.c.caProfile) {
      addCaProfile = !config.statements.some((s) => startsWith(s.path, ['security', 'pki', 'ca-profile', this.c.caProfile!]));
      loadCa = !identifiers(await this.command('show security pki ca-certificate')).includes(this.c.caProfile);
    }
    const served: Before['served'] = {};
    for (const b of this.c.bind) {
      try {
        const r = await this.probe(this.probeParams(b, this.p.signal));
        const sha = r.chain[0]?.sha256;
        if (sha) served[b] = sha;
        this.emit('inspect', 'info', `${BINDING[b].service} on ${endpointOf(this.c.host, this.c.ports[b])} serves SHA-256 ${sha ?? '(no certificate)'}`);
      } catch (e) {
        if (e instanceof CancelledError) throw e;
        this.emit('inspect', 'info', `nothing is served on ${endpointOf(this.c.host, this.c.ports[b])} now (${messageOf(e)}); the push goes on`);
      }
    }
    this.previousSha256 = served[this.c.bind[0]!];
    this.emit('inspect', 'ok', `certificate-id ${this.c.certId} is free${this.c.caProfile ? `; CA profile ${this.c.caProfile} ${addCaProfile ? 'is added' : 'exists'}${loadCa ? ' and gets the CA certificate' : ' and holds a CA certificate already'}` : ''}`);
    return { served, addCaProfile, loadCa, undo: this.undoLines(config, addCaProfile) };
  }

  // The inverse of the push's `set` lines, from the configuration as it was: correct whatever was committed since.
  private undoLines(config: JunosConfig, addCaProfile: boolean): string[] {
    const direct = config.statements.filter((s) => s.rank === 0);
    const lines: string[] = [];
    for (const b of this.c.bind) {
      const { base, leaf, choices } = BINDING[b];
      lines.push(`delete ${[...base, leaf].join(' ')}`);
      for (const s of direct) {
        if (startsWith(s.path, base) && choices.includes(s.path[base.length]!)) lines.push(`set ${s.path.map(word).join(' ')}`);
      }
    }
    if (this.c.caProfile && addCaProfile) lines.push(`delete security pki ca-profile ${this.c.caProfile}`);
    return lines;
  }

  private probeParams(b: JunosBinding, signal: AbortSignal | undefined): ProbeParams {
    return { host: this.c.host, port: this.c.ports[b], ...(this.c.sni ? { servername: this.c.sni } : {}), ...(signal ? { signal } : {}) };
  }

  private async verify(): Promise<void> {
    const seconds = Math.round(this.c.verifyTimeoutMs / 1000);
    for (const b of this.c.bind) {
      const where = endpointOf(this.c.host, this.c.ports[b]);
      this.emit('verify', 'start', `waiting up to ${seconds} s for the ${BINDING[b].service} on ${where} to serve SHA-256 ${this.newSha256}`);
      const r = await this.waitServed({ ...this.probeParams(b, this.p.signal), sha256: this.newSha256, timeoutMs: this.c.verifyTimeoutMs });
      const last = r.last?.chain[0]?.sha256;
      if (last) this.servedSha256 = last;
      if (!r.served) {
        throw new CertbenchError(last
          ? `after ${seconds} s the ${BINDING[b].service} on ${where} still serves SHA-256 ${last}, not the new certificate`
          : `after ${seconds} s nothing answered on ${where} (${r.lastError ? messageOf(r.lastError) : 'no answer'})`);
      }
      this.emit('verify', 'ok', `the ${BINDING[b].service} serves the new certificate: SHA-256 ${this.newSha256}`);
    }
  }

  // Nothing was committed: drop the candidate's changes, remove what was loaded and uploaded; the device serves what it served.
  private async cleanUp(cause: unknown): Promise<PushResult> {
    try {
      await this.onLiveConnection('rollback', 'remove what was loaded', async () => {
        if (this.locked) {
          await this.rpc('<load-configuration rollback="0"/>');
          await this.unlock();
        }
        if (this.changes.localLoaded) await this.clearLocal();
        await this.removeFiles('rollback', this.changes.uploaded);
      });
    } catch (e) {
      for (const path of this.changes.uploaded.filter((x) => x.endsWith('.key'))) this.keyFileLeft(path, e);
      const how = `on the device: ${this.changes.localLoaded ? `clear security pki local-certificate certificate-id ${this.c.certId}; ` : ''}file delete ${this.changes.uploaded.join('; file delete ')}`;
      this.emit('rollback', 'fail', `could not clean up (${messageOf(e)}); the configuration was not changed. ${how}`);
      await this.close();
      return this.result('needs-attention', new CertbenchError(`${messageOf(cause)}; the configuration was not changed, but the cleanup failed (${messageOf(e)}). ${how}`));
    }
    await this.close();
    return this.result('unchanged', cause);
  }

  private async rollback(cause: unknown): Promise<PushResult> {
    this.emit('rollback', 'start', 'putting the bindings back as they were');
    try {
      await this.onLiveConnection('rollback', 'roll back', async () => {
        // Junos restores the previous configuration itself when the session that committed confirmed ends;
        // the undo lines are committed only while the new binding is still there, and are harmless if repeated.
        // The CA certificate goes before its profile does (the undo deletes a profile the push added).
        await this.clearCa();
        if (await this.bindsNewCert()) {
          if (!this.locked) await this.lock();
          await this.loadSet(this.before.undo);
          await this.rpc('<commit-configuration/>');
          this.emit('rollback', 'info', `committed: ${this.before.undo.join('; ')}`);
          if (await this.bindsNewCert()) throw new CertbenchError(`the configuration still binds certificate-id ${this.c.certId} after the rollback commit`);
        } else {
          this.emit('rollback', 'info', 'the device already runs the previous configuration (Junos restores it when the session that committed ends)');
        }
        await this.unlock();
        this.changes.autoRollbackAt = undefined;
        this.changes.committed = false;
        await this.clearLoaded();
      });
    } catch (e) {
      if (this.changes.autoRollbackAt === undefined) return this.attention(cause, e);
      return this.awaitDeviceRollback(cause, e);
    }
    try {
      await this.checkOldServed();
    } catch (e) {
      return this.attention(cause, e);
    }
    this.emit('rollback', 'ok', `rolled back: the previous configuration is committed${this.previousSha256 ? ` and SHA-256 ${this.previousSha256} is served again` : ''}`);
    await this.close();
    return this.result('rolled-back', cause);
  }

  // The device cannot be reached: it undoes the confirmed commit by itself when the session ends or the time runs out.
  private async awaitDeviceRollback(cause: unknown, e: unknown): Promise<PushResult> {
    await this.close();
    const margin = Math.min(this.c.minuteMs / 2, 30_000);
    const waitMs = Math.max(0, this.changes.autoRollbackAt! - Date.now()) + margin;
    this.emit('rollback', 'info', `could not roll back explicitly (${messageOf(e)}); the device rolls the confirmed commit back by itself within ${Math.ceil(waitMs / 1000)} s (commit-confirmed timer): waiting for it`);
    const fingerprints = Object.keys(this.before.served).length > 0;
    try {
      if (fingerprints) await this.checkOldServed(waitMs + this.c.verifyTimeoutMs);
      else await new Promise((r) => setTimeout(r, waitMs));
    } catch (e2) {
      return this.attention(cause, e2);
    }
    // A lost confirmation may have made the change permanent: only a fingerprint or the configuration can tell.
    if (!this.changes.confirmSent) this.changes.autoRollbackAt = undefined;
    // Proof by the configuration too, and the loaded certificate is unused now: clear it when the device answers again.
    let stillBound = false;
    try {
      await this.onLiveConnection('rollback', 'check the configuration', async () => {
        stillBound = await this.bindsNewCert();
        if (stillBound) return;
        this.changes.committed = false;
        this.changes.autoRollbackAt = undefined;
        await this.clearLoaded();
      });
    } catch (e3) {
      if (!fingerprints) return this.attention(cause, new CertbenchError(`nothing proves the rollback: nothing was served before the push to compare with, and the device cannot be reached (${messageOf(e3)})`));
      this.warnings.push({ severity: 'warning', code: 'junos-leftover-certificate', message: `the old certificate is served again, but the device could not be asked to confirm it (${messageOf(e3)}): check that certificate-id ${this.c.certId} is no longer bound, then clear security pki local-certificate certificate-id ${this.c.certId}` });
      this.emit('rollback', 'info', `could not reach the device again (${messageOf(e3)}): check that certificate-id ${this.c.certId} is no longer bound, then clear security pki local-certificate certificate-id ${this.c.certId}`);
    }
    if (stillBound) return this.attention(cause, new CertbenchError(`the configuration still binds certificate-id ${this.c.certId}`));
    const w = 'the lost session may still hold the configuration lock until the device notices it is gone: if a commit is refused with "configuration database locked", end that session (show system users; request system logout)';
    this.warnings.push({ severity: 'warning', code: 'junos-stale-lock', message: w });
    this.emit('rollback', 'info', w);
    this.emit('rollback', 'ok', 'rolled back by the device itself (commit-confirmed): the old certificate is served again');
    await this.close();
    return this.result('rolled-back', cause);
  }

  private async bindsNewCert(): Promise<boolean> {
    return certificateRefs(await this.readConfig()).some((r) => r.id === this.c.certId);
  }

  private async clearLoaded(): Promise<void> {
    await this.clearCa();
    if (this.changes.localLoaded) await this.clearLocal();
    await this.removeFiles('rollback', this.changes.uploaded);
  }

  private async clearCa(): Promise<void> {
    // Marked loaded before the load ran (a lost connection leaves it unknown): clear only what the store holds.
    if (this.changes.caLoaded) {
      if (identifiers(await this.command('show security pki ca-certificate')).includes(this.c.caProfile!)) {
        await this.command(`clear security pki ca-certificate ca-profile ${this.c.caProfile!}`);
        this.emit('rollback', 'info', `the CA certificate loaded into CA profile ${this.c.caProfile!} cleared`);
      }
      this.changes.caLoaded = false;
    }
  }

  private async clearLocal(): Promise<void> {
    const local = identifiers(await this.command('show security pki local-certificate'));
    if (local.includes(this.c.certId)) {
      await this.command(`clear security pki local-certificate certificate-id ${this.c.certId}`);
      this.emit('rollback', 'info', `certificate-id ${this.c.certId} cleared from the PKI store`);
    }
    this.changes.localLoaded = false;
  }

  private async checkOldServed(timeoutMs = this.c.verifyTimeoutMs): Promise<void> {
    for (const b of this.c.bind) {
      const old = this.before.served[b];
      if (!old) continue;
      const r = await this.waitServed({ ...this.probeParams(b, undefined), sha256: old, timeoutMs });
      this.servedSha256 = r.last?.chain[0]?.sha256 ?? this.servedSha256;
      if (!r.served) throw new CertbenchError(`the ${BINDING[b].service} on ${endpointOf(this.c.host, this.c.ports[b])} does not serve the old certificate (SHA-256 ${old}) again`);
    }
  }

  private async attention(cause: unknown, e: unknown): Promise<PushResult> {
    const at = this.changes.autoRollbackAt;
    const pending = at === undefined ? ''
      : at > Date.now() ? ` The device rolls the confirmed commit back by itself at ${new Date(at).toISOString()} unless someone commits.`
      : ` The device's own rollback time (${new Date(at).toISOString()}) has passed${this.changes.confirmSent ? ', but the confirming commit was sent and may have made the change permanent' : ''}.`;
    const how = `check on the device: show system commit; if certificate-id ${this.c.certId} is still bound: ${this.before.undo.join('; ')}; commit; then clear security pki local-certificate certificate-id ${this.c.certId}.${pending}`;
    this.emit('rollback', 'fail', `rollback failed: ${messageOf(e)}. ${how}`);
    await this.close();
    return this.result('needs-attention', new CertbenchError(`${messageOf(cause)}; the rollback failed too (${messageOf(e)}). ${how}`));
  }

  // The key file must not stay in /var/tmp, whatever the load did.
  private async deleteKeyFile(path: string): Promise<void> {
    try {
      await this.onLiveConnection('activate', `delete ${path}`, async () => {
        await this.command(`file delete ${path}`);
      });
      this.changes.uploaded = this.changes.uploaded.filter((p) => p !== path);
    } catch (e) {
      this.keyFileLeft(path, e);
    }
  }

  private keyFileLeft(path: string, e: unknown): void {
    const w = `could not delete ${path} from the device (${messageOf(e)}): it holds the private key, delete it by hand (file delete ${path})`;
    this.warnings.push({ severity: 'warning', code: 'junos-key-file-left', message: w });
    this.emit(this.log.lastStep ?? 'activate', 'info', `warning: ${w}`);
  }

  private async removeFiles(step: PushStep, paths: string[]): Promise<void> {
    for (const path of paths) {
      try {
        await this.command(`file delete ${path}`);
      } catch (e) {
        if (e instanceof ConnectionLostError || e instanceof CancelledError) throw e;
        // A file an interrupted upload never created is not there to delete; anything else is said, loudly for the key.
        if (path.endsWith('.key') && !/no such file|not found|does not exist/i.test(messageOf(e))) this.keyFileLeft(path, e);
        else this.emit(step, 'info', `${path} was not deleted (${messageOf(e)})`);
      }
      this.changes.uploaded = this.changes.uploaded.filter((p) => p !== path);
    }
  }

  /**
   * Runs `work` on the push's connection, or on a fresh one when that connection is gone (dropped, or
   * closed by a cancel): what must be cleaned up or rolled back after a cancel must not be cancelled itself.
   */
  private async onLiveConnection(step: PushStep, what: string, work: () => Promise<void>): Promise<void> {
    try {
      if (!this.nc || this.p.signal?.aborted) throw new ConnectionLostError(this.endpoint, 'no connection');
      await work();
    } catch (e) {
      if (!unknownOutcome(e) && !(e instanceof CancelledError)) throw e;
      this.emit(step, 'info', `the connection is gone; reconnecting to ${what}`);
      await this.close();
      await this.open(undefined);
      await work();
    }
  }

  private async close(): Promise<void> {
    const nc = this.nc;
    const s = this.session;
    this.nc = undefined;
    this.session = undefined;
    this.locked = false;
    if (nc) await nc.close().catch(() => undefined);
    if (s) await s.close().catch(() => undefined);
  }
}

// A lost connection or a timeout: the device may or may not have done what was asked.
function unknownOutcome(e: unknown): boolean {
  return e instanceof ConnectionLostError || e instanceof TimeoutError;
}

function startsWith(path: string[], prefix: string[]): boolean {
  return prefix.every((w, i) => path[i] === w);
}

/** The `Certificate identifier: X` names of a `show security pki local-certificate` / `ca-certificate` output. */
function identifiers(output: string): string[] {
  return [...output.matchAll(/^\s*Certificate identifier:\s*(\S+)/gim)].map((m) => m[1]!);
}

/**
 * Installs a local certificate on a Junos device over NETCONF: preflight -> connect -> inspect (config, PKI
 * store, served certificates) -> upload (SCP to /var/tmp) -> activate (PKI load, key file deleted, lock, bindings
 * loaded, commit confirmed, CA load) -> verify the served fingerprint on each bound service -> confirm and
 * unlock. A failure before the commit discards the candidate and removes what was loaded; after it, commits
 * the inverse of the bindings (or relies on Junos restoring the configuration when the session ends or the
 * commit-confirmed timer runs out, when the device cannot be reached) and checks the old certificate is
 * served again. Device-side failures come back as the result's outcome and error, never as a throw.
 * @throws InputError for bad options or a bundle refused in preflight (nothing is sent then)
 */
export async function pushJunos(p: JunosPushParams, onEvent?: PushListener, deps: JunosPushDeps = {}): Promise<PushResult> {
  const c = checkParams(p);
  return new JunosPush(p, c, onEvent, deps).run(p.now ?? new Date());
}
