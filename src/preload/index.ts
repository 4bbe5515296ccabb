import { contextBridge, ipcRenderer } from 'electron';
import { channels } from '../shared/channels.js';
import type { CertbenchApi } from '../shared/contract.js';

// One function per contract channel; ipcRenderer itself never reaches the renderer. Main answers
// every call with the Result envelope; should IPC itself fail, the renderer still gets one.
const api = Object.freeze(
  Object.fromEntries(
    channels.map((channel) => [
      channel,
      (request: unknown) =>
        ipcRenderer.invoke(channel, request).catch(() => ({ ok: false, error: { code: 'internal', message: `internal error: the call ${channel} did not reach the application` } })),
    ]),
  ),
) as CertbenchApi;

contextBridge.exposeInMainWorld('certbench', api);
