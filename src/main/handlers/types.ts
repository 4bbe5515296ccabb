import type { Channel, RequestOf, ResponseOf } from '../../shared/contract.js';
import type { Dialogs } from '../dialogs.js';
import type { PushFn } from '../push-jobs.js';
import type { SessionStore } from '../session-store.js';
import type { SecretCipher } from '../vault.js';

/** Reads an SSH server's host key without logging in (the core's `scanHostKey`, or a stand-in). */
export type ScanHostKeyFn = (p: { host: string; port: number }) => Promise<{ type: string; fingerprint: string }>;

/** One handler per channel, over the Electron-free core; requests arrive already checked by zod. */
export type Handlers = { [C in Channel]: (request: RequestOf<C>) => Promise<ResponseOf<C>> };

/** What the handlers need from their host (Electron, or the browser test bridge). */
export interface HandlerDeps {
  appInfo: { name: string; version: string };
  dialogs: Dialogs;
  clipboard: { writeText(text: string): void };
  /** The app's data folder; saved templates live in `dataDir/templates`. */
  dataDir: string;
  /** The shipped templates (resources/templates). */
  templatesDir: string;
  /** The session's items; a fresh store when not given. */
  store?: SessionStore;
  /** The moment validity is judged at; the current time when not given (tests pin it). */
  now?: () => Date;
  /** Encrypts device passwords and passphrases (Electron's safeStorage); without one, saving a secret is refused. */
  secrets?: SecretCipher;
  /** The Apstra push; the core's `pushApstra` when not given. */
  push?: PushFn;
  /** The host-key scan; the core's `scanHostKey` when not given. */
  scanHostKey?: ScanHostKeyFn;
}

/** What every handler module gets: the deps with the store, the cipher and the push functions resolved. */
export type HandlerContext = Omit<HandlerDeps, 'store' | 'secrets' | 'push' | 'scanHostKey'> & {
  store: SessionStore;
  secrets: SecretCipher;
  push: PushFn;
  scanHostKey: ScanHostKeyFn;
};

/** The handlers one module provides. */
export type HandlerGroup<C extends Channel> = { [K in C]: Handlers[K] };
