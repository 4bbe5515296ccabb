import { CertbenchError, InputError, fail } from '../errors.js';
import { APSTRA_NGINX_DIR } from '../targets/apstra.js';
import { formatFor } from '../targets/index.js';
import { CancelledError, ConnectionLostError, RemoteFileError } from '../transport/errors.js';
import { endpointOf, validateHost, validatePort } from '../transport/host.js';
import { connectSsh } from '../transport/ssh.js';
import { probeTls, waitForServed } from '../transport/tls-probe.js';
import type { ProbeParams, ProbeResult, RemoteFs, SshParams, SshSession } from '../transport/types.js';
import { PushRun, firstCertSha256, formatterReasons, messageOf, servingChecks, timestamp } from './common.js';
import { shellQuote } from '../transport/shell-quote.js';
import { SUDO, sudoFs } from '../transport/sudo-fs.js';
import type { ApstraPushParams, PlanStep, PushListener, PushResult, PushStep } from './types.js';

/** The default command that restarts Apstra's nginx container (vendor text step 6). */
export const APSTRA_RESTART_CMD = 'sudo -n docker restart aos_nginx_1';

/** The transports a push uses; tests and the UI may swap them (conventions 6). */
export interface ApstraPushDeps {
  connect?: (p: SshParams) => Promise<SshSession>;
  probe?: (p: ProbeParams) => Promise<ProbeResult>;
  waitServed?: typeof waitForServed;
}

// Absolute, plain path characters only: the folder goes into `mv` command lines on the server.
const DIR_RE = /^\/[A-Za-z0-9._/-]*$/;
const PLAN_STEPS: PushStep[] = ['preflight', 'connect', 'inspect', 'backup', 'upload', 'activate', 'verify'];
const RESTART_TIMEOUT_MS = 180_000;

interface Checked {
  host: string;
  port: number;
  httpsPort: number;
  serverName: string;
  dir: string;
  restartCmd: string;
  verifyTimeoutMs: number;
}

// Options are checked before anything else happens: a bad value must not reach a command line or a socket.
function checkParams(p: ApstraPushParams): Checked {
  const host = validateHost(p.ssh.host, '--host');
  const port = validatePort(p.ssh.port ?? 22, '--port');
  const httpsPort = validatePort(p.httpsPort ?? 443, '--https-port');
  const serverName = validateHost(p.serverName ?? host, '--server-name');
  const dir = (p.nginxDir ?? APSTRA_NGINX_DIR).replace(/\/+$/, '') || '/';
  if (!DIR_RE.test(dir) || dir.split('/').includes('..')) {
    fail('invalid-value', `${JSON.stringify(dir)} is not an absolute folder of letters, digits, dots, hyphens, underscores and slashes`, '--nginx-dir');
  }
  const restartCmd = (p.restartCmd ?? APSTRA_RESTART_CMD).trim();
  if (restartCmd.length === 0 || /[\x00-\x1f\x7f]/.test(restartCmd)) {
    fail('invalid-value', 'must be one non-empty line (no newlines or control characters)', '--restart-cmd');
  }
  const verifyTimeoutMs = p.verifyTimeoutMs ?? 90_000;
  if (!Number.isFinite(verifyTimeoutMs) || verifyTimeoutMs < 1000 || verifyTimeoutMs > 3_600_000) {
    fail('invalid-value', 'must be between 1 and 3600 seconds', '--verify-timeout');
  }
  return { host, port, httpsPort, serverName, dir, restartCmd, verifyTimeoutMs };
}

function planFor(c: Checked, user: string, sudo: boolean): PlanStep[] {
  const d = c.dir;
  const via = sudo ? ' (through sudo -n)' : '';
  return [
    { step: 'preflight', description: `check key, certificate and chain match, are in order and valid now, and that ${c.serverName} is in the SAN` },
    { step: 'connect', description: `SSH to ${endpointOf(c.host, c.port)} as ${user}, host key checked` },
    { step: 'inspect', description: `read ${d}/nginx.crt and nginx.key${via}, look for stray *.conf files, probe the certificate served on ${endpointOf(c.host, c.httpsPort)}` },
    { step: 'backup', description: `copy nginx.crt and nginx.key to timestamped *.certbench-<time>.bak files in ${d} (key 0600)${via}, read back` },
    { step: 'upload', description: `write the new nginx.crt (leaf + intermediates) and nginx.key (0600) under temporary names in ${d}${via}, read back` },
    { step: 'activate', description: `rename both into place in one command, then run \`${c.restartCmd}\`` },
    { step: 'verify', description: `probe ${endpointOf(c.host, c.httpsPort)} (SNI ${c.serverName}) until the new certificate is served, for up to ${Math.round(c.verifyTimeoutMs / 1000)} s; on any failure restore the backup and restart again` },
  ];
}

/** Where the old files were saved and what they held, for the rollback. */
interface Saved {
  crt: Buffer;
  key: Buffer;
  crtMode: number;
  keyMode: number;
}

class ApstraPush extends PushRun {
  private session?: SshSession;
  private fs?: RemoteFs;
  private readonly connect: (p: SshParams) => Promise<SshSession>;
  private readonly probe: (p: ProbeParams) => Promise<ProbeResult>;
  private readonly waitServed: typeof waitForServed;

  constructor(private readonly p: ApstraPushParams, private readonly c: Checked, listener: PushListener | undefined, deps: ApstraPushDeps) {
    super('apstra', endpointOf(c.host, c.port), planFor(c, p.ssh.username, p.sudo === true), PLAN_STEPS, p.bundle.cert, listener);
    this.connect = deps.connect ?? connectSsh;
    this.probe = deps.probe ?? probeTls;
    this.waitServed = deps.waitServed ?? waitForServed;
  }

  private path(name: string): string {
    return `${this.c.dir === '/' ? '' : this.c.dir}/${name}`;
  }

  private probeParams(): ProbeParams {
    return { host: this.c.host, port: this.c.httpsPort, servername: this.c.serverName, ...(this.p.signal ? { signal: this.p.signal } : {}) };
  }

  /** Local checks; throws InputError `refused` listing every reason. */
  preflight(now: Date): { crt: string; key: string } {
    this.emit('preflight', 'start', 'checking key, certificate and chain');
    let files;
    const reasons: string[] = [];
    try {
      const formatted = formatFor('apstra', this.p.bundle, { now });
      files = formatted.files;
      this.warnings.push(...formatted.warnings.filter((w) => w.code !== 'expired' && w.code !== 'not-yet-valid'));
    } catch (e) {
      reasons.push(...formatterReasons(e));
    }
    reasons.push(...servingChecks(this.p.bundle, this.c.serverName, now, 'browsers would refuse the Apstra UI'));
    if (reasons.length > 0 || !files) {
      const msg = `refused before connecting; nothing was sent: ${reasons.join('; ')}`;
      this.emit('preflight', 'fail', msg);
      throw new InputError('refused', `push apstra: ${msg}`);
    }
    for (const w of this.warnings) this.emit('preflight', 'info', `${w.severity}: ${w.message}`);
    this.emit('preflight', 'ok', `key matches, chain in order, valid now, ${this.c.serverName} is in the SAN`);
    const crt = files.find((f) => f.name === 'nginx.crt')!.content;
    const key = files.find((f) => f.name === 'nginx.key')!.content;
    return { crt, key };
  }

  async run(now: Date): Promise<PushResult> {
    const files = this.preflight(now);
    const stamp = timestamp(now);

    // connect + inspect: read-only; a failure here leaves the server as it was.
    let saved: Saved;
    try {
      this.emit('connect', 'start', `connecting to ${this.endpoint} as ${this.p.ssh.username}`);
      this.session = await this.connect({ ...this.p.ssh, ...(this.p.signal ? { signal: this.p.signal } : {}) });
      const hk = this.session.hostKey;
      this.emit('connect', 'ok', `connected; host key ${hk.type} ${hk.fingerprint}${hk.recorded ? ' (first use: recorded in the certbench known-hosts store)' : ' (trusted)'}`);
      saved = await this.inspect();
    } catch (err) {
      const e = this.withHint(err);
      this.emit(this.session ? 'inspect' : 'connect', 'fail', messageOf(e));
      await this.close();
      // An unreadable known_hosts file or identity, found while connecting, is still bad input (exit 2).
      if (e instanceof InputError) throw e;
      return this.result('unchanged', e);
    }
    if (this.p.dryRun) {
      this.emit('backup', 'skip', 'dry run: nothing changed on the server');
      await this.close();
      return this.result('planned');
    }

    const tmpCrt = this.path(`.nginx.crt.certbench-${stamp}.tmp`);
    const tmpKey = this.path(`.nginx.key.certbench-${stamp}.tmp`);
    // Until the rename, the live files are untouched: a failure only leaves hidden temp files behind.
    try {
      await this.backup(saved, stamp);
      this.emit('upload', 'start', `writing the new files under temporary names in ${this.c.dir}`);
      await this.writeChecked(tmpCrt, Buffer.from(files.crt), 0o644);
      await this.writeChecked(tmpKey, Buffer.from(files.key), 0o600);
      this.emit('upload', 'ok', `uploaded and read back ${tmpCrt} and ${tmpKey} (0600)`);
    } catch (err) {
      const e = this.withHint(err);
      const step = this.backups.length < 2 ? 'backup' : 'upload';
      this.emit(step, 'fail', messageOf(e));
      if (step === 'upload') await this.removeTemps(step, [tmpCrt, tmpKey]);
      await this.close();
      return this.result('unchanged', e);
    }
    // A cancel that arrived during the upload stops here, before anything live is touched.
    if (this.p.signal?.aborted) {
      this.emit('activate', 'fail', 'cancelled before the new files were moved into place; the live files were not touched');
      await this.removeTemps('activate', [tmpCrt, tmpKey]);
      await this.close();
      return this.result('unchanged', new CancelledError(this.endpoint));
    }

    // From the rename on, the server may be changed: every failure rolls back.
    try {
      this.emit('activate', 'start', 'moving the new files into place');
      await this.session!.exec(this.swapCommand(tmpKey, tmpCrt));
      this.emit('activate', 'info', `nginx.crt and nginx.key replaced; running \`${this.c.restartCmd}\``);
      await this.session!.exec(this.c.restartCmd, { timeoutMs: RESTART_TIMEOUT_MS });
      this.emit('activate', 'ok', 'nginx restarted');
      await this.verify();
      await this.close();
      return this.result('pushed');
    } catch (e) {
      this.emit(this.log.lastStep === 'verify' ? 'verify' : 'activate', 'fail', messageOf(e));
      return this.rollback(saved, stamp, e, [tmpCrt, tmpKey]);
    }
  }

  private async inspect(): Promise<Saved> {
    const fs = (this.fs = await this.filesOf(this.session!));
    this.emit('inspect', 'start', `reading ${this.c.dir}`);
    const dirStat = await fs.stat(this.c.dir);
    if (!dirStat?.isDirectory) throw new CertbenchError(`${this.c.dir} is not a folder on the server (--nginx-dir)`);
    const crtPath = this.path('nginx.crt');
    const keyPath = this.path('nginx.key');
    const [crtStat, keyStat] = [await fs.stat(crtPath), await fs.stat(keyPath)];
    if (!crtStat?.isFile || !keyStat?.isFile) {
      throw new CertbenchError(`${!crtStat?.isFile ? crtPath : keyPath} is missing: is ${this.c.dir} the Apstra server's nginx folder (--nginx-dir)? Nothing was changed`);
    }
    const saved: Saved = { crt: await fs.readFile(crtPath), key: await fs.readFile(keyPath), crtMode: crtStat.mode & 0o777, keyMode: keyStat.mode & 0o777 };
    const current = firstCertSha256(saved.crt);
    this.emit('inspect', 'info', current ? `current nginx.crt: SHA-256 ${current}` : 'current nginx.crt holds no readable certificate');
    const names = await fs.readdir(this.c.dir);
    const stray = names.filter((n) => n.endsWith('.conf') && n !== 'nginx.conf');
    if (stray.length > 0) {
      const w = `${this.c.dir} holds ${stray.join(', ')}: nginx loads every *.conf there when it starts, which can stop it; remove them unless they are Apstra's own`;
      this.warnings.push({ severity: 'warning', code: 'apstra-stray-conf', message: w });
      this.emit('inspect', 'info', `warning: ${w}`);
    }
    const leftovers = names.filter((n) => /\.certbench-\d{8}T\d{6}Z(-\d+)?\.tmp$/.test(n));
    if (leftovers.length > 0) this.emit('inspect', 'info', `temporary files from an interrupted push are still there: ${leftovers.join(', ')}`);
    try {
      const served = await this.probe(this.probeParams());
      this.previousSha256 = served.chain[0]?.sha256;
      this.emit('inspect', 'ok', `${endpointOf(this.c.host, this.c.httpsPort)} serves SHA-256 ${this.previousSha256 ?? '(no certificate)'}`);
    } catch (e) {
      if (e instanceof CancelledError) throw e;
      this.emit('inspect', 'ok', `nothing is served on ${endpointOf(this.c.host, this.c.httpsPort)} now (${messageOf(e)}); the push goes on`);
    }
    return saved;
  }

  private async backup(saved: Saved, stamp: string): Promise<void> {
    this.emit('backup', 'start', 'saving the current nginx.crt and nginx.key');
    for (const [name, data, mode] of [['nginx.crt', saved.crt, saved.crtMode], ['nginx.key', saved.key, 0o600]] as const) {
      const target = await this.freeName(this.path(`${name}.certbench-${stamp}.bak`));
      await this.writeChecked(target, data, mode);
      this.backups.push(target);
    }
    this.emit('backup', 'ok', `backed up to ${this.backups.join(' and ')}`);
  }

  // Two pushes in one second must not overwrite each other's backups.
  private async freeName(path: string): Promise<string> {
    for (let i = 1; ; i++) {
      const candidate = i === 1 ? path : path.replace(/\.bak$/, `-${i}.bak`);
      if ((await this.fs!.stat(candidate)) === undefined) return candidate;
    }
  }

  private async writeChecked(path: string, data: Buffer, mode: number): Promise<void> {
    await this.fs!.writeFile(path, data, mode);
    const back = await this.fs!.readFile(path);
    if (!back.equals(data)) throw new CertbenchError(`${path} on the server does not hold what was written (${back.length} of ${data.length} bytes)`);
  }

  // One command renames both, so nginx never sees a new certificate beside the old key for longer than two syscalls.
  private swapCommand(key: string, crt: string): string {
    const mv = this.p.sudo ? `${SUDO} mv` : 'mv';
    return `${mv} -f -- ${shellQuote(key)} ${shellQuote(this.path('nginx.key'))} && ${mv} -f -- ${shellQuote(crt)} ${shellQuote(this.path('nginx.crt'))}`;
  }

  // Permission denied as the login user is what a root-owned folder looks like: say how to get past it.
  private withHint(e: unknown): unknown {
    if (this.p.sudo || !(e instanceof RemoteFileError) || !/permission denied/i.test(e.message)) return e;
    return new RemoteFileError(e.endpoint, e.path, `permission denied for ${this.p.ssh.username}: log in as a user that may write ${this.c.dir}, or let certbench use sudo -n (--sudo; "Use sudo" in the device)`, { cause: e });
  }

  // SFTP as the login user, or `sudo -n` commands where the folder belongs to root (Apstra's admin account).
  private async filesOf(session: SshSession): Promise<RemoteFs> {
    return this.p.sudo ? sudoFs(session) : session.files();
  }

  private async verify(): Promise<void> {
    const seconds = Math.round(this.c.verifyTimeoutMs / 1000);
    this.emit('verify', 'start', `waiting up to ${seconds} s for ${endpointOf(this.c.host, this.c.httpsPort)} to serve SHA-256 ${this.newSha256}`);
    const r = await this.waitServed({ ...this.probeParams(), sha256: this.newSha256, timeoutMs: this.c.verifyTimeoutMs });
    const last = r.last?.chain[0]?.sha256;
    if (last) this.servedSha256 = last;
    if (!r.served) {
      throw new CertbenchError(last
        ? `after ${seconds} s ${endpointOf(this.c.host, this.c.httpsPort)} still serves SHA-256 ${last}, not the new certificate`
        : `after ${seconds} s nothing answered on ${endpointOf(this.c.host, this.c.httpsPort)} (${r.lastError ? messageOf(r.lastError) : 'no answer'})`);
    }
    this.emit('verify', 'ok', `the new certificate is served: SHA-256 ${this.newSha256}`);
  }

  private async rollback(saved: Saved, stamp: string, cause: unknown, temps: string[]): Promise<PushResult> {
    this.emit('rollback', 'start', 'restoring the backup');
    try {
      await this.onLiveConnection('rollback', 'restore the backup', () => this.restore(saved, stamp));
      // A swap that failed half-way leaves a temp file (possibly the new key) behind.
      await this.removeTemps('rollback', temps);
      if (this.previousSha256) {
        const { signal: _signal, ...probe } = this.probeParams();
        const r = await this.waitServed({ ...probe, sha256: this.previousSha256, timeoutMs: this.c.verifyTimeoutMs });
        this.servedSha256 = r.last?.chain[0]?.sha256 ?? this.servedSha256;
        if (!r.served) throw new CertbenchError(`the old files are back, but ${endpointOf(this.c.host, this.c.httpsPort)} does not serve the old certificate (SHA-256 ${this.previousSha256}) again`);
        this.emit('rollback', 'ok', `rolled back: the old certificate is served again (SHA-256 ${this.previousSha256})`);
      } else {
        this.emit('rollback', 'ok', 'rolled back: the old files are in place and nginx was restarted (nothing was served before the push, so there is no fingerprint to compare)');
      }
      await this.close();
      return this.result('rolled-back', cause);
    } catch (e) {
      const how = `restore by hand on the server: cp -p ${this.backups[0] ?? '<backup of nginx.crt>'} ${this.path('nginx.crt')}; cp -p ${this.backups[1] ?? '<backup of nginx.key>'} ${this.path('nginx.key')}; ${this.c.restartCmd}`;
      this.emit('rollback', 'fail', `rollback failed: ${messageOf(e)}. ${how}`);
      await this.close();
      return this.result('needs-attention', new CertbenchError(`${messageOf(cause)}; the rollback failed too (${messageOf(e)}). ${how}`));
    }
  }

  // Puts the saved files back the same way the new ones went in (temp names, read back, one rename command), then restarts.
  private async restore(saved: Saved, stamp: string): Promise<void> {
    this.fs = await this.filesOf(this.session!);
    const tmpCrt = this.path(`.nginx.crt.certbench-${stamp}.restore`);
    const tmpKey = this.path(`.nginx.key.certbench-${stamp}.restore`);
    await this.writeChecked(tmpCrt, saved.crt, saved.crtMode || 0o644);
    await this.writeChecked(tmpKey, saved.key, saved.keyMode || 0o600);
    await this.session!.exec(this.swapCommand(tmpKey, tmpCrt));
    this.emit('rollback', 'info', `old nginx.crt and nginx.key restored; running \`${this.c.restartCmd}\``);
    await this.session!.exec(this.c.restartCmd, { timeoutMs: RESTART_TIMEOUT_MS });
  }

  /**
   * Runs `work` on the push's connection, or on a fresh one when that connection is gone (dropped, or
   * closed by a cancel): what must be cleaned up or restored after a cancel must not be cancelled itself.
   */
  private async onLiveConnection(step: PushStep, what: string, work: () => Promise<void>): Promise<void> {
    try {
      if (!this.session || this.p.signal?.aborted) throw new ConnectionLostError(this.endpoint, 'no connection');
      await work();
    } catch (e) {
      if (!(e instanceof ConnectionLostError || e instanceof CancelledError)) throw e;
      this.emit(step, 'info', `the connection is gone; reconnecting to ${what}`);
      await this.close();
      const { signal: _signal, ...ssh } = this.p.ssh;
      this.session = await this.connect(ssh);
      await work();
    }
  }

  // The temp files hold the new certificate and key: they must not stay on the server after a failed push.
  private async removeTemps(step: PushStep, paths: string[]): Promise<void> {
    try {
      await this.onLiveConnection(step, 'remove the temporary files', async () => {
        const fs = await this.filesOf(this.session!);
        for (const path of paths) await fs.unlink(path);
      });
    } catch (e) {
      this.emit(step, 'info', `could not remove ${paths.join(' and ')} from the server (${messageOf(e)}): delete them by hand, they hold the new certificate and key`);
    }
  }

  private async close(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    this.fs = undefined;
    if (s) await s.close().catch(() => undefined);
  }
}

/**
 * Replaces the Apstra server's nginx certificate over SSH and SFTP: preflight -> connect -> inspect ->
 * backup -> upload -> activate (rename + restart) -> verify the served fingerprint; any failure after the
 * rename restores the backup, restarts again and checks the old certificate is served. Device-side failures
 * come back as the result's outcome and error, never as a throw.
 * @throws InputError for bad options or a bundle refused in preflight (nothing is sent then)
 */
export async function pushApstra(p: ApstraPushParams, onEvent?: PushListener, deps: ApstraPushDeps = {}): Promise<PushResult> {
  const c = checkParams(p);
  return new ApstraPush(p, c, onEvent, deps).run(p.now ?? new Date());
}

