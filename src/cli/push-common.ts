import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fail } from '../core/errors.js';
import { decodeFile, readInputFileSync } from '../core/pki/decode.js';
import type { PushEvent, PushResult } from '../core/push/index.js';
import { assembleBundle, type Bundle } from '../core/targets/index.js';
import { normalizePin } from '../core/transport/host-keys.js';
import { keyForSsh } from '../core/transport/ssh-key.js';
import type { HostKeyPolicy, SshAuth } from '../core/transport/types.js';
import { passphraseFrom } from './inputs.js';
import { VerdictError, printJson, printable, readPassphraseFile } from './io.js';

/** The SSH login options every SSH-based verb takes (see `sshLogin` in main.ts). */
export interface SshLoginOptions {
  host?: string; port: string; user?: string;
  identity?: string; identityPassphraseFile?: string; passwordEnv?: string; agent?: boolean;
  hostKey: string[]; knownHosts?: string; acceptNewHostKey?: boolean;
}

/** The files of what a push installs (see `pushBundle` in main.ts). */
export interface PushBundleOptions {
  cert: string; key: string; passphraseFile?: string; chain: string[];
}

/** certbench's own known-hosts store, used when neither --host-key nor --known-hosts is given. */
export function defaultKnownHostsStore(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CERTBENCH_KNOWN_HOSTS) return env.CERTBENCH_KNOWN_HOSTS;
  const config = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(config, 'certbench', 'known_hosts');
}

/** A password from the environment variable named by `flag`; the name is checked, the value never printed. */
export function passwordFromEnv(name: string, flag = '--password-env'): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) fail('invalid-value', `${JSON.stringify(name)} is not an environment variable name`, flag);
  const password = process.env[name];
  if (!password) fail('not-found', `the environment variable ${name} is not set or empty`, `${flag} ${name}`);
  return password;
}

/** The SSH credentials; bad credential files and a missing agent are input errors (exit 2), found before connecting. */
export async function authFrom(o: SshLoginOptions): Promise<SshAuth> {
  const given = [o.identity !== undefined, o.passwordEnv !== undefined, o.agent === true].filter(Boolean).length;
  if (given !== 1) fail('invalid-value', 'give exactly one of --identity FILE, --password-env VAR or --agent', '--identity/--password-env/--agent');
  if (o.identity !== undefined) {
    const passphrase = o.identityPassphraseFile ? readPassphraseFile(o.identityPassphraseFile, '--identity-passphrase-file') : undefined;
    const file = `--identity ${o.identity}`;
    const privateKey = readInputFileSync(o.identity, file);
    await keyForSsh(privateKey, passphrase, file);
    return { kind: 'key', privateKey, file, ...(passphrase ? { passphrase } : {}) };
  }
  if (o.passwordEnv !== undefined) return { kind: 'password', password: passwordFromEnv(o.passwordEnv) };
  if (!process.env.SSH_AUTH_SOCK) fail('invalid-value', 'no ssh-agent to log in with: SSH_AUTH_SOCK is not set (start ssh-agent and ssh-add the key, or give --identity)', '--agent');
  return { kind: 'agent' };
}

/** How the SSH host key is trusted: a pin, a known_hosts file, or certbench's own store. */
export function hostKeyFrom(o: SshLoginOptions): HostKeyPolicy {
  if (o.hostKey.length > 0 && o.knownHosts !== undefined) fail('invalid-value', 'give --host-key or --known-hosts, not both', '--host-key');
  if (o.hostKey.length > 0) return { kind: 'pin', fingerprints: o.hostKey.map(normalizePin) };
  if (o.knownHosts !== undefined) {
    try {
      readFileSync(o.knownHosts);
    } catch {
      fail('not-found', 'cannot read the known_hosts file', `--known-hosts ${o.knownHosts}`);
    }
    return { kind: 'known-hosts', file: o.knownHosts };
  }
  return { kind: 'store', file: defaultKnownHostsStore(), acceptNew: o.acceptNewHostKey === true };
}

/** A whole number of `unit`s from `min` to `max`, or exit 2 naming `flag`. */
export function wholeNumber(value: string, flag: string, min: number, max: number, unit: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max)) fail('invalid-value', `${JSON.stringify(value)} is not a whole number of ${unit} from ${min} to ${max}`, flag);
  return n;
}

/** Seconds (1-3600, decimals allowed) as milliseconds, or exit 2 naming `flag`. */
export function seconds(value: string, flag: string): number {
  const n = /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= 3600)) fail('invalid-value', `${JSON.stringify(value)} is not a number of seconds from 1 to 3600`, flag);
  return Math.round(n * 1000);
}

/** Reads key, certificate and chain into a Bundle (exit 2 naming the file when one cannot be read). */
export async function readBundle(o: PushBundleOptions): Promise<Bundle> {
  const passphrase = passphraseFrom(o);
  const read = (path: string) => decodeFile(path, { file: path, passphrase });
  return assembleBundle({ key: await read(o.key), cert: await read(o.cert), chain: await Promise.all(o.chain.map(read)) });
}

function progressLine(e: PushEvent): string {
  const mark = { start: '..', ok: 'ok', fail: 'FAIL', skip: 'skip', info: '  ' }[e.status];
  // Messages quote what the device said (file names, a command's stderr): no control character reaches the terminal.
  return `[${e.index}/${e.total}] ${e.step.padEnd(9)} ${mark.padEnd(4)} ${printable(e.message)}\n`;
}

/** Progress on stderr. Preflight's lines wait until it passes: a refusal is one error line that says it all. */
export function progressPrinter(): (e: PushEvent) => void {
  let held: PushEvent[] | undefined = [];
  return (e) => {
    if (held && e.step === 'preflight') {
      if (e.status !== 'ok') return void held.push(e);
      for (const h of held) process.stderr.write(progressLine(h));
      held = undefined;
    }
    process.stderr.write(progressLine(e));
  };
}

const HEADLINE: Record<PushResult['outcome'], string> = {
  pushed: 'PUSHED: the new certificate is served',
  planned: 'PLAN (dry run): nothing was changed',
  unchanged: 'FAILED: nothing was changed on the device',
  'rolled-back': 'ROLLED BACK: the push failed and the old certificate is back in place',
  'needs-attention': 'NEEDS ATTENTION: the push failed and the old state could not be restored',
};

function printText(r: PushResult): void {
  // An SPS internal CA or timestamping certificate is not served: it is verified by reading SPS's settings back.
  const pushedNotServed = r.outcome === 'pushed' && r.servedSha256 !== r.newSha256;
  const out: string[] = [pushedNotServed ? 'PUSHED: the new certificate is in place (read back from the device)' : HEADLINE[r.outcome]];
  if (r.outcome === 'planned') {
    out.push('plan:');
    r.plan.forEach((s, i) => out.push(`  ${i + 1}. ${s.step}: ${s.description}`));
  }
  out.push(`  new       SHA-256 ${r.newSha256}`);
  if (r.previousSha256) out.push(`  previous  SHA-256 ${r.previousSha256}`);
  if (r.servedSha256) out.push(`  served    SHA-256 ${r.servedSha256}`);
  if (r.backups.length > 0) out.push(`  backups   ${r.backups.join(', ')}`);
  for (const w of r.warnings) out.push(`${w.severity === 'info' ? 'note' : 'warning'} [${w.code}]: ${w.message}`);
  process.stdout.write(`${out.map(printable).join('\n')}\n`);
}

/**
 * Runs a push with Ctrl-C, SIGTERM and SIGHUP wired to its AbortSignal, prints the result (text or JSON)
 * and throws VerdictError (exit 1) unless it was pushed or planned. The first signal cancels and the push
 * restores what it changed; later ones only say so, because dying mid-rollback would leave the device half-changed.
 */
export async function runPush(verb: string, json: boolean | undefined, push: (signal: AbortSignal, onEvent?: (e: PushEvent) => void) => Promise<PushResult>): Promise<void> {
  const abort = new AbortController();
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const onSignal = (): void => {
    if (abort.signal.aborted) {
      process.stderr.write('certbench: still restoring the device\'s previous state; wait for it\n');
      return;
    }
    process.stderr.write('certbench: cancelling; a change already made is rolled back first\n');
    abort.abort();
  };
  for (const sig of signals) process.on(sig, onSignal);
  let result: PushResult;
  try {
    result = await push(abort.signal, json ? undefined : progressPrinter());
  } finally {
    for (const sig of signals) process.off(sig, onSignal);
  }
  if (json) printJson(result);
  else printText(result);
  if (result.outcome !== 'pushed' && result.outcome !== 'planned') {
    throw new VerdictError(printable(`${verb} ${result.outcome}: ${result.error?.message ?? 'failed'}`));
  }
}
