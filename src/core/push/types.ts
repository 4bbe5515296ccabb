import type { Finding } from '../pki/lint.js';

/** The steps of a push, in order (see DESIGN.md "Push safety model"). */
export type PushStep =
  | 'preflight'
  | 'connect'
  | 'inspect'
  | 'backup'
  | 'upload'
  | 'activate'
  | 'verify'
  /** Junos: the confirming commit that makes a `commit confirmed` permanent. */
  | 'confirm'
  | 'rollback';

/** What happened to a step. */
export type PushStepStatus = 'start' | 'ok' | 'fail' | 'skip' | 'info';

/** One progress event; the CLI prints them and the UI shows them as a live log. */
export interface PushEvent {
  step: PushStep;
  status: PushStepStatus;
  /** One line for people; never key material or a password. */
  message: string;
  /** ISO 8601 time of the event. */
  at: string;
  /** 1-based position of the step in the plan and the plan's length, for a progress bar. */
  index: number;
  total: number;
}

/** How a push ended. */
export type PushOutcome =
  /** The new certificate is served (verified by fingerprint). */
  | 'pushed'
  /** Dry run: the plan was made, nothing changed. */
  | 'planned'
  /** Failed before anything changed on the device. */
  | 'unchanged'
  /** Failed after a change; the backup was restored and the old certificate is served again. */
  | 'rolled-back'
  /** Failed and the old state could not be restored or confirmed: the engineer must act (message says how). */
  | 'needs-attention';

/** One step of the plan, as shown before anything runs. */
export interface PlanStep {
  step: PushStep;
  /** What the step will do, in the device's own terms (paths, commands). */
  description: string;
}

/** The result of a push or a dry run. */
export interface PushResult {
  target: 'apstra' | 'junos' | 'sps';
  /** `host:port` of the management connection. */
  endpoint: string;
  outcome: PushOutcome;
  plan: PlanStep[];
  events: PushEvent[];
  warnings: Finding[];
  /** SHA-256 of the certificate being pushed, `AB:CD:...`. */
  newSha256: string;
  /** SHA-256 of the certificate served before the push, when one was served. */
  previousSha256?: string;
  /** SHA-256 of the certificate served at the end (after verify or rollback), when it could be read. */
  servedSha256?: string;
  /** Remote paths of the backup copies made. */
  backups: string[];
  /** Why it failed, when it did. */
  error?: { code: string; message: string };
}

/** Receives progress events as they happen. */
export type PushListener = (e: PushEvent) => void;

/** Options of an Apstra push (see `pushApstra`). */
export interface ApstraPushParams {
  /** What to install: key, leaf, chain (checked in preflight). */
  bundle: import('../targets/types.js').Bundle;
  /** The SSH connection: host, port, user, credentials and host-key policy. */
  ssh: import('../transport/types.js').SshParams;
  /** The name users browse to; must be in the certificate's SAN and is the SNI when verifying. Default: ssh.host. */
  serverName?: string;
  /** Default `/etc/aos/nginx.conf.d`. */
  nginxDir?: string;
  /** Runs through the account's shell on the server. Default `sudo -n docker restart aos_nginx_1`. */
  restartCmd?: string;
  /**
   * Read and write the folder through `sudo -n` commands instead of SFTP as the login user: for an account
   * (Apstra's admin) that may not write /etc/aos/nginx.conf.d itself. Files are still created owner-only first.
   */
  sudo?: boolean;
  /** The HTTPS port verified after the restart. Default 443. */
  httpsPort?: number;
  /** How long to wait for the new certificate to be served, default 90 000 ms. */
  verifyTimeoutMs?: number;
  /** Connect, read the current state and make the plan; change nothing. */
  dryRun?: boolean;
  /** Cancels the push; a cancel after files changed still rolls back. */
  signal?: AbortSignal;
  /** Judges validity at this moment (tests); now when not given. */
  now?: Date;
}

/** The HTTPS services a Junos push binds the certificate to. */
export type JunosBinding = 'rest' | 'web';

/** Options of a Junos push over NETCONF (see `pushJunos`). */
export interface JunosPushParams {
  /** What to install: key, leaf, chain (checked in preflight). */
  bundle: import('../targets/types.js').Bundle;
  /** The SSH connection that carries NETCONF (subsystem `netconf`; port 830 or 22) and the SCP upload. */
  ssh: import('../transport/types.js').SshParams;
  /** The local certificate's name in the device's PKI store; must not exist there yet. */
  certId: string;
  /** Load the issuing CA certificate (the chain's first) into this CA profile; created when missing. Needs a chain. */
  caProfile?: string;
  /** Services to bind; default both. */
  bind?: JunosBinding[];
  /** `commit confirmed N`: the device rolls back by itself after N minutes without the confirming commit. Default 5, 1-65535. */
  confirmMinutes?: number;
  /** HTTPS port of the REST API to verify (`system services rest https port`), default 3443. */
  verifyPort?: number;
  /** HTTPS port of J-Web to verify, default 443. */
  webPort?: number;
  /** SNI when verifying; also must be in the certificate's SAN. Default ssh.host when it is a name. */
  serverName?: string;
  /** How long to wait for the new certificate to be served, default 60 000 ms. */
  verifyTimeoutMs?: number;
  /** Connect, read the device's state and make the plan; change nothing. */
  dryRun?: boolean;
  signal?: AbortSignal;
  now?: Date;
  /** Length of one of the device's minutes in ms (tests run a scaled commit-confirmed timer); default 60 000. */
  minuteMs?: number;
}

/** The SPS certificate roles of /api/configuration/management/certificates. */
export type SpsRole = 'server' | 'ca' | 'tsa';

/** Options of an SPS push over its REST API (see `pushSps`). */
export interface SpsPushParams {
  bundle: import('../targets/types.js').Bundle;
  /** `https://host[:port]`: the SPS web interface (no path, no credentials). */
  url: string;
  /** How SPS's current web certificate is trusted: a CA bundle or a pinned SHA-256. */
  trust: import('../transport/types.js').TlsTrust;
  user: string;
  password: string;
  /** Which certificate to replace; default `server` (the web and REST interface's own, verified after commit). */
  role?: SpsRole;
  /** How long to wait for the new certificate to be served after the commit (role server), default 60 000 ms. */
  verifyTimeoutMs?: number;
  dryRun?: boolean;
  signal?: AbortSignal;
  now?: Date;
}
