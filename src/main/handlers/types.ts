import type { Channel, RequestOf, ResponseOf } from '../../shared/contract.js';
import type { Dialogs } from '../dialogs.js';
import type { SessionStore } from '../session-store.js';

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
}

/** What every handler module gets: the deps with the store resolved. */
export type HandlerContext = Omit<HandlerDeps, 'store'> & { store: SessionStore };

/** The handlers one module provides. */
export type HandlerGroup<C extends Channel> = { [K in C]: Handlers[K] };
