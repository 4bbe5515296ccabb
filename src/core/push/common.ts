import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import type { Bundle, Finding } from '../targets/types.js';
import { CertbenchError, InputError } from '../errors.js';
import { TransportError } from '../transport/errors.js';
import type { PlanStep, PushEvent, PushListener, PushOutcome, PushResult, PushStep, PushStepStatus } from './types.js';

/** `20261130T005000Z`: a UTC time for backup and temp file names (sorts, no colons). */
export function timestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

/** The message of an error, or the thing itself as text. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A push result's `error`: the code and words of a known failure, `internal` for anything else. */
export function errorView(e: unknown): { code: string; message: string } {
  if (e instanceof TransportError || e instanceof InputError) return { code: e.code, message: e.message };
  if (e instanceof CertbenchError) return { code: 'push-failed', message: e.message };
  return { code: 'internal', message: `internal error: ${messageOf(e)}` };
}

/** SHA-256 (`AB:CD:...`) of the first certificate in PEM or DER bytes, undefined when there is none. */
export function firstCertSha256(pem: Buffer | string): string | undefined {
  try {
    return new X509Certificate(pem).fingerprint256;
  } catch {
    return undefined;
  }
}

/** A push's progress events, numbered against its plan's steps, passed on to a listener as they happen. */
export class PushLog {
  readonly events: PushEvent[] = [];

  constructor(private readonly steps: readonly PushStep[], private readonly listener?: PushListener) {}

  /** Records one event; a `rollback` (not a plan step) counts as one step past the plan. */
  emit(step: PushStep, status: PushStepStatus, message: string): void {
    const planIndex = this.steps.indexOf(step);
    const total = this.steps.length + (planIndex < 0 ? 1 : 0);
    const e: PushEvent = { step, status, message, at: new Date().toISOString(), index: planIndex >= 0 ? planIndex + 1 : total, total };
    this.events.push(e);
    this.listener?.(e);
  }

  /** The step of the latest event. */
  get lastStep(): PushStep | undefined {
    return this.events.at(-1)?.step;
  }
}

/**
 * The push-only part of preflight: the leaf and chain must be valid at `now`, and `serverName` (the name
 * clients use) must be in the leaf's SAN; `consequence` says what a missing name breaks. Returns the reasons to refuse.
 */
export function servingChecks(b: Bundle, serverName: string, now: Date, consequence: string): string[] {
  const reasons = validityReasons(b, now);
  const leaf = new X509Certificate(b.cert);
  const named = isIP(serverName) !== 0 ? leaf.checkIP(serverName) : leaf.checkHost(serverName, { subject: 'never' });
  if (named === undefined) {
    const sans = leaf.subjectAltName ?? 'none';
    reasons.push(`${serverName} is not in the certificate's subject alternative names (${sans}): ${consequence}. Give the name clients use with --server-name, or issue a certificate that names ${serverName}`);
  }
  return reasons;
}

/** Why the leaf or a chain certificate is not valid at `now` (expired, or not valid yet); empty when all are. */
export function validityReasons(b: Bundle, now: Date): string[] {
  const reasons: string[] = [];
  const leaf = new X509Certificate(b.cert);
  const from = new Date(leaf.validFrom);
  const to = new Date(leaf.validTo);
  if (to.getTime() < now.getTime()) reasons.push(`the certificate in ${b.files.cert} expired on ${to.toISOString()}`);
  else if (from.getTime() > now.getTime()) reasons.push(`the certificate in ${b.files.cert} is not valid before ${from.toISOString()}`);
  b.chain.forEach((der, i) => {
    const ca = new X509Certificate(der);
    if (new Date(ca.validTo).getTime() < now.getTime()) reasons.push(`chain certificate ${i + 1} (${b.files.chain[i] ?? 'chain'}, ${ca.subject.replace(/\n/g, ', ')}) expired on ${new Date(ca.validTo).toISOString()}`);
  });
  return reasons;
}

/** The reasons a target formatter refused a bundle (its InputError `refused` lists them one per line). */
export function formatterReasons(e: unknown): string[] {
  if (!(e instanceof InputError && e.code === 'refused')) throw e;
  return e.message.split('\n  - ').slice(1);
}

/** What every deployer records while it runs, and the result it builds from it. */
export abstract class PushRun {
  protected readonly log: PushLog;
  protected readonly warnings: Finding[] = [];
  protected readonly backups: string[] = [];
  /** SHA-256 of the certificate being pushed, `AB:CD:...`. */
  protected readonly newSha256: string;
  protected previousSha256?: string;
  protected servedSha256?: string;

  protected constructor(
    private readonly target: PushResult['target'],
    protected readonly endpoint: string,
    protected readonly plan: PlanStep[],
    steps: readonly PushStep[],
    cert: Uint8Array,
    listener: PushListener | undefined,
  ) {
    this.newSha256 = new X509Certificate(cert).fingerprint256;
    this.log = new PushLog(steps, listener);
  }

  protected emit(step: PushStep, status: PushStepStatus, message: string): void {
    this.log.emit(step, status, message);
  }

  protected result(outcome: PushOutcome, error?: unknown): PushResult {
    return {
      target: this.target,
      endpoint: this.endpoint,
      outcome,
      plan: this.plan,
      events: this.log.events,
      warnings: this.warnings,
      newSha256: this.newSha256,
      ...(this.previousSha256 ? { previousSha256: this.previousSha256 } : {}),
      ...(this.servedSha256 ? { servedSha256: this.servedSha256 } : {}),
      backups: this.backups,
      ...(error === undefined ? {} : { error: errorView(error) }),
    };
  }
}
