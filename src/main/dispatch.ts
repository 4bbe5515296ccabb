import type { z } from 'zod';
import { CertbenchError, InputError } from '../core/errors.js';
import { pushApstra } from '../core/push/index.js';
import { scanHostKey } from '../core/transport/ssh.js';
import { contract, type Channel, type Result } from '../shared/contract.js';
import { csrHandlers, deviceHandlers, formatHandlers, itemHandlers, keyHandlers, miscHandlers, pushHandlers, templateHandlers, type HandlerDeps, type Handlers } from './handlers/index.js';
import { pushJobs } from './handlers/push.js';
import { SessionStore } from './session-store.js';
import { unavailableCipher } from './vault.js';

export type { HandlerDeps, Handlers } from './handlers/index.js';
export type { Dialogs, FileFilter } from './dialogs.js';
export type { SecretCipher } from './vault.js';

/** The handlers with what their owner needs when the app quits. */
export interface AppHandlers {
  handlers: Handlers;
  /** True while a push or dry run is starting or running. */
  pushing(): boolean;
  /**
   * Refuses new pushes, cancels the running ones (the core rolls back a change it had made, on a fresh
   * connection) and resolves once every one has ended and written its history entry.
   */
  shutdown(): Promise<void>;
}

/** Builds one handler per channel over the core; Electron and the browser test bridge inject their own deps. */
export function createHandlers(deps: HandlerDeps): Handlers {
  return createAppHandlers(deps).handlers;
}

/** {@link createHandlers}, plus the push jobs' shutdown for the app's quit. */
export function createAppHandlers(deps: HandlerDeps): AppHandlers {
  const ctx = {
    ...deps,
    store: deps.store ?? new SessionStore(),
    // No cipher, no saved secrets: never a plain-text fallback.
    secrets: deps.secrets ?? unavailableCipher,
    push: deps.push ?? pushApstra,
    scanHostKey: deps.scanHostKey ?? ((p: { host: string; port: number }) => scanHostKey(p)),
  };
  const jobs = pushJobs(ctx);
  const handlers: Handlers = {
    ...miscHandlers(ctx),
    ...keyHandlers(ctx),
    ...itemHandlers(ctx),
    ...csrHandlers(ctx),
    ...templateHandlers(ctx),
    ...formatHandlers(ctx),
    ...deviceHandlers(ctx),
    ...pushHandlers(ctx, jobs),
  };
  return { handlers, pushing: () => jobs.running, shutdown: () => jobs.shutdown() };
}

/** Options for {@link dispatch}. */
export interface DispatchParams {
  /** Where internal errors are reported (never to the renderer); stderr when not given. */
  log?: (line: string) => void;
}

function failure(code: string, message: string): Result<never> {
  return { ok: false, error: { code, message } };
}

// Zod's messages name the field and what was expected, never the value that was sent (it may be a passphrase).
function describeIssues(error: z.ZodError): string {
  const issues = error.issues.slice(0, 5).map((i) => `${i.path.length > 0 ? i.path.join('.') : 'request'}: ${i.message}`);
  return `${issues.join('; ')}${error.issues.length > 5 ? `; and ${error.issues.length - 5} more` : ''}`;
}

function shortName(e: unknown): string {
  if (!(e instanceof Error)) return typeof e;
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' ? `${e.name} ${code}` : e.name;
}

/**
 * The single entry for every IPC call, used by Electron's ipcMain.handle and the browser test bridge
 * alike. Never throws: an unknown channel or a request that does not match the contract answers
 * `invalid-request` before any handler runs; the core's errors keep their code and message; anything
 * else answers `internal` with no detail (the detail goes to `log`). Responses are parsed by their
 * schema, so nothing undeclared reaches the renderer.
 */
export async function dispatch(handlers: Handlers, channel: string, payload: unknown, p: DispatchParams = {}): Promise<Result<unknown>> {
  const log = p.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (typeof channel !== 'string' || !Object.hasOwn(contract, channel)) {
    return failure('invalid-request', `unknown IPC channel "${String(channel).slice(0, 64).replace(/[^\x20-\x7e]/g, '?')}"`);
  }
  const c = channel as Channel;
  try {
    const request = contract[c].request.safeParse(payload === undefined ? {} : payload);
    if (!request.success) return failure('invalid-request', `${c}: the request does not match the contract: ${describeIssues(request.error)}`);
    if (!Object.hasOwn(handlers, c)) throw new Error(`no handler for ${c}`);
    const value = await (handlers[c] as (r: unknown) => Promise<unknown>)(request.data);
    const response = contract[c].response.safeParse(value);
    if (!response.success) {
      log(`certbench: ${c}: the response does not match the contract: ${describeIssues(response.error)}`);
      return failure('internal', 'internal error: the answer did not match the contract');
    }
    return { ok: true, value: response.data };
  } catch (e) {
    if (e instanceof InputError) return failure(e.code, e.message);
    if (e instanceof CertbenchError) {
      const code = (e as { code?: unknown }).code;
      return failure(typeof code === 'string' ? code : 'failed', e.message);
    }
    try {
      log(`certbench: ${c}: internal error: ${e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e)}`);
    } catch {
      // A failing log must not turn into a thrown dispatch.
    }
    return failure('internal', `internal error: ${shortName(e)} (details are in the application log)`);
  }
}
