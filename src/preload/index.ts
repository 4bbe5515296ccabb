import { contextBridge, ipcRenderer } from 'electron';
import { channels } from '../shared/channels.js';
import type { CertbenchApi } from '../shared/contract.js';

// One function per contract channel; ipcRenderer itself never reaches the renderer.
const api = Object.fromEntries(
  channels.map((channel) => [channel, (request: unknown) => ipcRenderer.invoke(channel, request)]),
) as CertbenchApi;

contextBridge.exposeInMainWorld('certbench', api);
