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
