import { contract, type Channel, type RequestOf, type ResponseOf } from '../shared/contract.js';

/** One handler per channel, over the Electron-free core. */
export type Handlers = { [C in Channel]: (request: RequestOf<C>) => Promise<ResponseOf<C>> };

/** Builds the handlers; `appInfo` is injected so the test bridge can run without Electron. */
export function createHandlers(appInfo: { name: string; version: string }): Handlers {
  return {
    'app:info': async () => ({ ...appInfo, platform: process.platform }),
  };
}

/**
 * The single entry for every IPC call, used by Electron's ipcMain.handle and the browser test
 * bridge alike: unknown channels and malformed payloads are refused before any handler runs.
 * @throws Error for an unknown channel or a request that does not match the contract
 */
export async function dispatch(handlers: Handlers, channel: string, payload: unknown): Promise<unknown> {
  if (!Object.hasOwn(contract, channel)) throw new Error(`unknown IPC channel "${channel}"`);
  const c = channel as Channel;
  const request = contract[c].request.parse(payload ?? {});
  return handlers[c](request as never);
}
