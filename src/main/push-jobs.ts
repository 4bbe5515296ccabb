import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { CertbenchError, fail } from '../core/errors.js';
import { readInputFile } from '../core/pki/decode.js';
import type { ApstraPushParams, JunosPushParams, PushEvent, PushListener, PushOutcome, PushResult, SpsPushParams } from '../core/push/types.js';
import { assembleBundle, preflight, type Bundle } from '../core/targets/index.js';
import { endpointOf } from '../core/transport/host.js';
import type { SshAuth, SshParams } from '../core/transport/types.js';
import { pushHistoryEntrySchema, type PushHistoryEntry } from '../shared/contract.js';
import { readDataFile, writeDataFile } from './data-file.js';
import { checkTlsPin, deviceEndpoint, JUNOS_DEFAULTS, SPS_DEFAULTS, type DeviceProfile, type DevicesStore } from './devices-store.js';
import type { SessionStore } from './session-store.js';
import type { Vault } from './vault.js';
import { JUNOS_ID_RE } from '../shared/push-cert-id.js';

/** The core's Apstra push (src/core/push), or a stand-in with its signature. */
export type PushFn = (params: ApstraPushParams, onEvent?: PushListener) => Promise<PushResult>;
/** The core's Junos push over NETCONF, or a stand-in with its signature. */
export type JunosPushFn = (params: JunosPushParams, onEvent?: PushListener) => Promise<PushResult>;
/** The core's SPS push over REST, or a stand-in with its signature. */
export type SpsPushFn = (params: SpsPushParams, onEvent?: PushListener) => Promise<PushResult>;

// Loaded on the first push to such a device, so the app starts without them.
const loadPushJunos = async (): Promise<JunosPushFn> => (await import('../core/push/junos.js')).pushJunos;
const loadPushSps = async (): Promise<SpsPushFn> => (await import('../core/push/sps.js')).pushSps;

/** What `push:start` asks for. */
export interface PushStartParams {
  deviceId: string;
  keyId: string;
  certId: string;
  chainIds: string[];
  dryRun: boolean;
  /** Junos: the certificate-id for this push, instead of the profile's (the device refuses one it already holds). */
  junosCertId?: string;
}

/** A job's progress as `push:status` reports it. */
export interface PushJobStatus {
  jobId: string;
  deviceId: string;
  dryRun: boolean;
  events: PushEvent[];
  next: number;
  done: boolean;
  result?: Omit<PushResult, 'events'>;
  error?: { code: string; message: string };
}

interface Job {
  id: string;
  deviceId: string;
  dryRun: boolean;
  events: PushEvent[];
  done: boolean;
  result?: PushResult;
  error?: { code: string; message: string };
  controller: AbortController;
  finished?: Promise<void>;
}

/** Past pushes kept; the oldest go first. */
export const MAX_HISTORY = 200;
// Finished jobs kept for their status; a renderer polls its job within a second of it ending.
const MAX_JOBS = 32;
const HISTORY_FILE = 'push-history.json';

// The file holds the same entries push:history answers with; one schema checks both.
const historySchema = z.object({
  version: z.literal(1),
  entries: z.array(pushHistoryEntrySchema),
});

/** The pushes made from this computer, in dataDir/push-history.json (mode 0600): fingerprints and outcomes, never keys or passwords. */
export class PushHistory {
  readonly #dataDir: string;

  constructor(dataDir: string) {
    this.#dataDir = dataDir;
  }

  /** Path of the history file. */
  get file(): string {
    return join(this.#dataDir, HISTORY_FILE);
  }

  /** Every entry, oldest first; a damaged file reads as empty (it is history, not configuration). */
  read(): PushHistoryEntry[] {
    try {
      return readDataFile(this.file, historySchema, 'push history', 'it is rewritten by the next push')?.entries ?? [];
    } catch {
      return [];
    }
  }

  /** Appends an entry, keeping the newest {@link MAX_HISTORY}. */
  append(entry: PushHistoryEntry): void {
    const entries = [...this.read(), entry].slice(-MAX_HISTORY);
    writeDataFile(this.file, { version: 1, entries });
  }
}

/** OpenSSL-style SHA-256 of a DER certificate, `AB:CD:...`. */
function sha256Of(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g)!.join(':');
}

// Belt and braces: the core never puts a password in a message, and this makes sure none reaches the renderer or the history.
function redactor(secrets: (string | undefined)[]): (s: string) => string {
  const list = secrets.filter((s): s is string => s !== undefined && s.length >= 3);
  return (s) => list.reduce((acc, secret) => acc.split(secret).join('********'), s);
}

// The core names the CLI's flags; the push screen's user knows the fields of the device form.
// Longer flags first where one starts like another (--host-key before --host).
const FIELDS: [RegExp, string][] = [
  // The core names both the flag and the checkbox; the form's user needs only the checkbox.
  [/\(--sudo; ("Use sudo" in the device)\)/g, '($1)'],
  [/--sudo(?![\w-])/g, '"Use sudo"'],
  [/--server-name(?![\w-])/g, '"Server name (in the certificate)"'],
  [/--nginx-dir(?![\w-])/g, '"nginx folder"'],
  [/--restart-cmd(?![\w-])/g, '"Restart command"'],
  [/--https-port(?![\w-])/g, '"HTTPS port"'],
  [/--host-key(?![\w-])/g, 'the trusted host key'],
  [/--cert-id(?![\w-])/g, '"Certificate ID"'],
  [/--ca-profile(?![\w-])/g, '"CA profile"'],
  [/--bind(?![\w-])/g, '"Bind to"'],
  [/--confirm-minutes(?![\w-])/g, '"Confirm within (minutes)"'],
  [/--verify-port(?![\w-])/g, '"REST API HTTPS port"'],
  [/--web-port(?![\w-])/g, '"J-Web HTTPS port"'],
  // SPS: the URL is made of the form's host and port; the pin is the certificate trusted with "Check certificate".
  [/--url(?![\w-])/g, '"Host" and "HTTPS port"'],
  [/--pin(?![\w-])/g, 'the trusted certificate'],
  [/--role(?![\w-])/g, '"Role"'],
  [/--chain(?![\w-])/g, '"Chain"'],
  [/--user(?![\w-])/g, '"User"'],
  [/--password-env(?![\w-])/g, 'the saved password'],
  [/--host(?![\w-])/g, '"Host"'],
  [/--port(?![\w-])/g, '"SSH port"'],
];

/** The push screen's field that overrides the profile's "Certificate ID" for one push. */
export const PUSH_CERT_ID_FIELD = 'Certificate ID for this push';

/**
 * A core message with the CLI's flag names replaced by the device form's field names; with `perPushCertId`,
 * --cert-id names the push screen's "Certificate ID for this push" (the id came from there, not from the profile).
 */
export function inFormTerms(message: string, o: { perPushCertId?: boolean } = {}): string {
  const m = o.perPushCertId ? message.replace(/--cert-id(?![\w-])/g, `"${PUSH_CERT_ID_FIELD}"`) : message;
  return FIELDS.reduce((acc, [re, field]) => acc.replace(re, field), m);
}

// As the profile's "Certificate ID" (src/main/devices-store.ts) and the core's --cert-id: it becomes part of a file
// name in /var/tmp and of CLI commands on the device.

/**
 * Checks the certificate-id given for one push and returns it trimmed.
 * @throws InputError `invalid-value` naming the push screen's field
 */
export function checkPushCertId(value: string): string {
  const t = value.trim();
  if (t === '') fail('invalid-value', 'give the certificate-id this push loads into the device\'s PKI store, one that does not exist there yet (e.g. web-2026-2)', PUSH_CERT_ID_FIELD);
  const shown = `"${t.replace(/[^\x20-\x7e]/g, '?').slice(0, 80)}"`;
  if (!JUNOS_ID_RE.test(t)) fail('invalid-value', `${shown} is not a Junos certificate-id: 1 to 63 letters, digits, ".", "_" or "-", starting with a letter or digit`, PUSH_CERT_ID_FIELD);
  if (t.includes('..')) fail('invalid-value', `${shown} holds "..": the certificate-id names files in /var/tmp on the device; use single dots`, PUSH_CERT_ID_FIELD);
  return t;
}

function errorOf(e: unknown, terms: (m: string) => string): { code: string; message: string } {
  if (e instanceof CertbenchError) {
    const code = (e as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : 'failed', message: terms(e.message) };
  }
  return { code: 'internal', message: `internal error: ${e instanceof Error ? e.name : typeof e} (details are in the application log)` };
}

/** The things a push job needs from main. */
export interface PushJobsDeps {
  devices: DevicesStore;
  vault: Vault;
  store: SessionStore;
  history: PushHistory;
  /** The Apstra push. */
  push: PushFn;
  /** The Junos push; the core's `pushJunos` when not given. */
  pushJunos?: JunosPushFn;
  /** The SPS push; the core's `pushSps` when not given. */
  pushSps?: SpsPushFn;
  now?: () => Date;
  /** Where unexpected errors are reported (stderr when not given). */
  log?: (line: string) => void;
}

/** Pushes running in the background, polled by the renderer. */
export class PushJobs {
  readonly #deps: PushJobsDeps;
  readonly #jobs = new Map<string, Job>();
  // Devices with a push starting or running, whether it is a dry run. Marked before start's first await, so a
  // second click that arrives while the first is still reading its key file is refused rather than run alongside.
  readonly #busy = new Map<string, boolean>();
  #closing = false;

  constructor(deps: PushJobsDeps) {
    this.#deps = deps;
  }

  // The session's key, leaf and chain as the core takes them (as format:build builds them).
  #bundle(p: PushStartParams): Bundle {
    const { store } = this.#deps;
    const key = store.get(p.keyId, ['private-key'], 'key');
    const cert = store.get(p.certId, ['certificate'], 'certificate');
    const chainIds = [...new Set(p.chainIds.filter((id) => id !== '' && id !== p.certId))];
    const chain = chainIds.map((id) => store.get(id, ['certificate'], 'chain certificate'));
    return assembleBundle({ key: [key.item], cert: [cert.item], chain: chain.map((c) => [c.item]) });
  }

  async #ssh(d: DeviceProfile, signal: AbortSignal): Promise<{ ssh: SshParams; secrets: (string | undefined)[] }> {
    if (!d.hostKey) {
      fail('refused', `no host key is trusted for ${d.name} yet: press "Check host key", compare the fingerprint with the server's (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) and trust it before pushing`);
    }
    const { vault } = this.#deps;
    let auth: SshAuth;
    const secrets: (string | undefined)[] = [];
    switch (d.auth) {
      case 'password': {
        const password = vault.get(d.id, 'password', d.name);
        if (password === undefined) fail('invalid-value', `no password is saved for ${d.name}; edit the device and enter it`);
        auth = { kind: 'password', password };
        secrets.push(password);
        break;
      }
      case 'key-file': {
        if (!d.identityFile) fail('invalid-value', `no key file is set for ${d.name}; edit the device and choose it`);
        const privateKey = await readInputFile(d.identityFile, d.identityFile);
        const passphrase = vault.get(d.id, 'passphrase', d.name);
        auth = { kind: 'key', privateKey, file: d.identityFile, ...(passphrase !== undefined ? { passphrase } : {}) };
        secrets.push(passphrase);
        break;
      }
      case 'agent':
        auth = { kind: 'agent' };
        break;
    }
    return { ssh: { host: d.host, port: d.port, username: d.user, auth, hostKey: { kind: 'pin', fingerprints: [d.hostKey] }, signal }, secrets };
  }

  // SPS's login: its saved password and the pinned web certificate (nothing else is trusted over HTTPS).
  #sps(d: DeviceProfile): { password: string; pin: string } {
    if (!d.tlsPin) {
      fail('refused', `no certificate is trusted for ${d.name} yet: press "Check certificate", compare its SHA-256 with the one SPS shows (Basic Settings > Management > SSL certificate) and trust it before pushing`);
    }
    const password = this.#deps.vault.get(d.id, 'password', d.name);
    if (password === undefined) fail('invalid-value', `no password is saved for ${d.name}; edit the device and enter it`);
    return { password, pin: d.tlsPin };
  }

  // The push of the device's target with the profile's fields, ready to run, and the secrets to keep out of every message.
  // `certId` is the Junos certificate-id in effect (this push's, else the profile's).
  async #prepare(device: DeviceProfile, certId: string | undefined, bundle: Bundle, dryRun: boolean, signal: AbortSignal, now: Date | undefined): Promise<{ run: (onEvent: PushListener) => Promise<PushResult>; secrets: (string | undefined)[] }> {
    const common = { bundle, dryRun, signal, ...(now ? { now } : {}) };
    switch (device.target) {
      case 'apstra': {
        const { ssh, secrets } = await this.#ssh(device, signal);
        const params: ApstraPushParams = {
          ...common,
          ssh,
          sudo: device.sudo === true,
          ...(device.serverName ? { serverName: device.serverName } : {}),
          ...(device.nginxDir ? { nginxDir: device.nginxDir } : {}),
          ...(device.restartCmd ? { restartCmd: device.restartCmd } : {}),
          ...(device.httpsPort ? { httpsPort: device.httpsPort } : {}),
        };
        const push = this.#deps.push;
        return { run: (onEvent) => push(params, onEvent), secrets };
      }
      case 'junos': {
        if (!certId) fail('invalid-value', `no certificate ID is set for ${device.name}; edit the device and give one`);
        const { ssh, secrets } = await this.#ssh(device, signal);
        const params: JunosPushParams = {
          ...common,
          ssh,
          certId,
          bind: device.bind ?? JUNOS_DEFAULTS.bind,
          confirmMinutes: device.confirmMinutes ?? JUNOS_DEFAULTS.confirmMinutes,
          verifyPort: device.verifyPort ?? JUNOS_DEFAULTS.verifyPort,
          webPort: device.webPort ?? JUNOS_DEFAULTS.webPort,
          ...(device.caProfile ? { caProfile: device.caProfile } : {}),
          ...(device.serverName ? { serverName: device.serverName } : {}),
        };
        const push = this.#deps.pushJunos ?? (await loadPushJunos());
        return { run: (onEvent) => push(params, onEvent), secrets };
      }
      case 'sps': {
        const { password, pin } = this.#sps(device);
        const params: SpsPushParams = {
          ...common,
          url: `https://${endpointOf(device.host, device.port)}`,
          trust: { kind: 'pin', sha256: pin },
          user: device.user,
          password,
          role: device.role ?? SPS_DEFAULTS.role,
        };
        const push = this.#deps.pushSps ?? (await loadPushSps());
        return { run: (onEvent) => push(params, onEvent), secrets: [password] };
      }
    }
  }

  /**
   * Checks the request and starts the push (or dry run) in the background.
   * @throws InputError for an unknown device or item, a bad or misplaced per-push certificate-id, nothing trusted for the device yet (host key, SPS certificate), missing secrets, a bundle preflight refuses, a push already starting or running to this device, or the app quitting
   */
  async start(p: PushStartParams): Promise<string> {
    const device = this.#deps.devices.get(p.deviceId);
    if (this.#closing) fail('refused', 'certbench is quitting; no new push is started');
    if (p.junosCertId !== undefined && device.target !== 'junos') fail('invalid-value', `only a Junos device takes a certificate-id; ${device.name} is ${device.target === 'sps' ? 'an SPS' : 'an Apstra'} device`, PUSH_CERT_ID_FIELD);
    const perPush = p.junosCertId !== undefined;
    const certId = p.junosCertId !== undefined ? checkPushCertId(p.junosCertId) : device.certId;
    const terms = (m: string): string => inFormTerms(m, { perPushCertId: perPush });
    const busy = this.#busy.get(device.id);
    if (busy !== undefined) fail('refused', `a ${busy ? 'dry run' : 'push'} to ${device.name} is still running; wait for it to end or cancel it`);
    this.#busy.set(device.id, p.dryRun);
    let job: Job;
    let bundle: Bundle;
    let prepared: { run: (onEvent: PushListener) => Promise<PushResult>; secrets: (string | undefined)[] };
    const now = this.#deps.now?.();
    try {
      bundle = this.#bundle(p);
      // A refusal (mismatched key, broken chain, a key type the device cannot take) answers the click itself rather than a failed job.
      try {
        preflight(bundle, device.target, { ...(now ? { now } : {}), ...(certId ? { certId } : {}) });
      } catch (e) {
        if (e instanceof CertbenchError) e.message = terms(e.message);
        throw e;
      }
      const controller = new AbortController();
      prepared = await this.#prepare(device, certId, bundle, p.dryRun, controller.signal, now);
      // Quitting began while the key file was read: nothing has touched the device, so nothing is started.
      if (this.#closing) fail('refused', 'certbench is quitting; no new push is started');
      job = { id: randomUUID(), deviceId: device.id, dryRun: p.dryRun, events: [], done: false, controller };
      this.#remember(job);
    } catch (e) {
      this.#busy.delete(device.id);
      throw e;
    }
    const redact = redactor(prepared.secrets);
    job.finished = this.#run(job, device, prepared.run, (m) => redact(terms(m)), redact, sha256Of(bundle.cert), device.target === 'junos' ? certId : undefined);
    return job.id;
  }

  // `words` puts a core message in the form's terms and redacts it; `redact` only redacts (plan descriptions name no flags).
  async #run(job: Job, device: DeviceProfile, push: (onEvent: PushListener) => Promise<PushResult>, words: (s: string) => string, redact: (s: string) => string, newSha256: string, certId: string | undefined): Promise<void> {
    const at = (): string => (this.#deps.now?.() ?? new Date()).toISOString();
    const startedAt = at();
    let outcome: PushOutcome;
    let result: PushResult | undefined;
    let error: { code: string; message: string } | undefined;
    try {
      const r = await push((e) => void job.events.push({ ...e, message: words(e.message) }));
      result = {
        ...r,
        plan: r.plan.map((s) => ({ ...s, description: redact(s.description) })),
        warnings: r.warnings.map((w) => ({ ...w, message: words(w.message) })),
        events: r.events.map((e) => ({ ...e, message: words(e.message) })),
        ...(r.error ? { error: { code: r.error.code, message: words(r.error.message) } } : {}),
      };
      outcome = result.outcome;
      error = result.error;
      if (!job.dryRun) this.#followServedCertificate(job, device, result);
      job.result = result;
    } catch (e) {
      error = errorOf(e, words);
      if (error.code === 'internal') this.#log(`certbench: push to ${deviceEndpoint(device)}: internal error: ${redact(e instanceof Error ? (e.stack ?? e.message) : String(e))}`);
      // An InputError comes before anything is touched; an unforeseen failure leaves the state unknown.
      outcome = e instanceof CertbenchError ? 'unchanged' : 'needs-attention';
      job.error = error;
    }
    if (!job.dryRun) {
      try {
        this.#deps.history.append({
          id: job.id,
          at: startedAt,
          deviceId: device.id,
          deviceName: device.name,
          target: device.target,
          host: device.host,
          port: device.port,
          outcome,
          newSha256: result?.newSha256 ?? newSha256,
          ...(result?.previousSha256 ? { previousSha256: result.previousSha256 } : {}),
          ...(result?.servedSha256 ? { servedSha256: result.servedSha256 } : {}),
          ...(certId ? { certId } : {}),
          ...(error ? { error } : {}),
        });
      } catch (e) {
        this.#log(`certbench: the push history could not be written: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    job.done = true;
    this.#busy.delete(device.id);
  }

  // SPS serves the pushed certificate on the very HTTPS port certbench logs in on: once the push has verified it by its
  // fingerprint, it is the certificate to trust next time (the old pin would refuse the next login).
  #followServedCertificate(job: Job, device: DeviceProfile, r: PushResult): void {
    if (device.target !== 'sps' || (device.role ?? SPS_DEFAULTS.role) !== 'server' || r.outcome !== 'pushed' || !device.tlsPin || !r.servedSha256) return;
    try {
      const served = checkTlsPin(r.servedSha256);
      if (served !== checkTlsPin(r.newSha256) || served === device.tlsPin) return;
      if (!this.#deps.devices.replaceTlsPin(device.id, device.tlsPin, served)) return;
      const last = job.events.at(-1);
      job.events.push({
        step: 'verify', status: 'info', at: new Date().toISOString(), index: last?.index ?? 1, total: last?.total ?? 1,
        message: `${device.name} now trusts the certificate it serves, SHA-256 ${served} (it replaced ${device.tlsPin})`,
      });
    } catch (e) {
      this.#log(`certbench: the trusted certificate of ${device.name} could not be updated: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  #log(line: string): void {
    try {
      (this.#deps.log ?? ((l: string) => process.stderr.write(`${l}\n`)))(line);
    } catch {
      // Logging must not end a push.
    }
  }

  #remember(job: Job): void {
    this.#jobs.set(job.id, job);
    for (const [id, j] of this.#jobs) {
      if (this.#jobs.size <= MAX_JOBS) break;
      if (j.done) this.#jobs.delete(id);
    }
  }

  #job(jobId: string): Job {
    const job = this.#jobs.get(jobId);
    if (!job) fail('not-found', 'this push is no longer known (it ended a while ago, or the app was restarted); see the push history');
    return job;
  }

  /**
   * Events from `since` on, and the result once done.
   * @throws InputError `not-found` for an unknown job
   */
  status(jobId: string, since: number): PushJobStatus {
    const job = this.#job(jobId);
    const done = job.done;
    const events = job.events.slice(Math.min(since, job.events.length));
    const status: PushJobStatus = { jobId: job.id, deviceId: job.deviceId, dryRun: job.dryRun, events, next: Math.min(since, job.events.length) + events.length, done };
    if (done && job.result) {
      const { events: _events, ...rest } = job.result;
      status.result = rest;
    }
    if (done && job.error) status.error = job.error;
    return status;
  }

  /**
   * Cancels a running job; false when it had already ended.
   * @throws InputError `not-found` for an unknown job
   */
  cancel(jobId: string): boolean {
    const job = this.#job(jobId);
    if (job.done) return false;
    job.controller.abort();
    return true;
  }

  /** Resolves when every running job has ended (tests; app shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.#jobs.values()].map((j) => j.finished));
  }

  /** True while a push or dry run is starting or running to any device. */
  get running(): boolean {
    return this.#busy.size > 0;
  }

  /**
   * For quitting the app: refuses new pushes, cancels every running one (the core rolls back a change it
   * had made, on a fresh connection) and resolves once each has ended and written its history entry.
   */
  async shutdown(): Promise<void> {
    this.#closing = true;
    for (const job of this.#jobs.values()) {
      if (!job.done) job.controller.abort();
    }
    await this.idle();
  }
}
