import { test as base, expect, type Locator, type Page } from '@playwright/test';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { channels, type Channel } from '../../../src/shared/channels.js';
import type { RequestOf, ResponseOf, Result } from '../../../src/shared/contract.js';
import { createHandlers, dispatch } from '../../../src/main/dispatch.js';
import type { Dialogs } from '../../../src/main/dialogs.js';
import { repoRoot, startRendererServer, type StaticServer } from './server.js';
import { testCipher } from '../../helpers/cipher.js';

/*
 * The browser test bridge: the built renderer runs in Chromium, and `window.certbench` is the same
 * one-function-per-channel API the preload exposes, but each call crosses `page.exposeBinding` into
 * this (Node) process and runs the real main-process handlers through the same `dispatch` Electron's
 * ipcMain.handle uses. Only the native dialogs and the clipboard are scripted.
 */

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string };

/** The binding the init script calls; nothing in the renderer may use it directly. */
const BINDING = '__certbenchInvoke';

/** One dialog the handlers opened, with the options they passed and what the script answered. */
export type DialogCall =
  | { kind: 'openFiles'; options: Parameters<Dialogs['openFiles']>[0]; answer: string[] | undefined }
  | { kind: 'saveFile'; options: Parameters<Dialogs['saveFile']>[0]; answer: string | undefined }
  | { kind: 'chooseFolder'; options: Parameters<Dialogs['chooseFolder']>[0]; answer: string | undefined };

/** One call that crossed the bridge. */
export interface BridgeCall {
  channel: string;
  ok: boolean;
  code?: string;
}

/** The per-test bridge state a spec reads and scripts. */
export interface Bench {
  /** This test's temp folder (removed after the test). */
  dir: string;
  /** The app data folder handed to the handlers (saved templates land in dataDir/templates). */
  dataDir: string;
  /** Where the save dialog points by default. */
  saveDir: string;
  /** The next open dialog answers these paths; `undefined` answers "canceled". Unqueued dialogs are canceled. */
  queueOpen(paths: string[] | undefined): void;
  /** The next save dialog answers this path (or cancel); by default it answers saveDir/<defaultName>. */
  queueSave(path: string | undefined): void;
  /** The next folder dialog answers this folder (or cancel); by default a fresh folder under dir. */
  queueFolder(path: string | undefined): void;
  /** Every dialog opened so far, in order. */
  dialogs: DialogCall[];
  /** Paths the save dialog answered, in order. */
  saved: string[];
  /** Folders the folder dialog answered, in order. */
  folders: string[];
  /** Text of a saved file: by path, by base name among the saved files, or the last saved file. */
  readSaved(nameOrPath?: string): string;
  /** Every text written to the clipboard, in order. */
  clipboard: string[];
  /** The last text written to the clipboard (fails the test when nothing was copied). */
  clipboardText(): string;
  /** Every call that crossed the bridge, in order. */
  calls: BridgeCall[];
  /** What dispatch logged in "main" (internal errors, with their stack). */
  log: string[];
  /** Uncaught errors in the page; the test fails at the end unless this is emptied. */
  pageErrors: Error[];
  /** Calls a channel from Node through the same handlers the page uses (for setup). */
  invoke<C extends Channel>(channel: C, request: RequestOf<C>): Promise<Result<ResponseOf<C>>>;
}

export const test = base.extend<{ bench: Bench }, { rendererServer: StaticServer }>({
  rendererServer: [
    async ({}, use) => {
      const server = await startRendererServer();
      await use(server);
      await server.close();
    },
    { scope: 'worker' },
  ],
  baseURL: async ({ rendererServer }, use) => {
    await use(rendererServer.url + '/');
  },
  bench: [
    async ({ page }, use) => {
      const dir = mkdtempSync(join(tmpdir(), 'certbench-e2e-'));
      try {
        const bench = await installBridge(page, dir);
        await use(bench);
        const internal = bench.calls.filter((c) => c.code === 'internal');
        expect(internal, `calls that failed with an internal error (main logged: ${bench.log.join('\n') || 'nothing'})`).toEqual([]);
        expect(bench.pageErrors.map((e) => e.message), 'uncaught errors in the page').toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    { auto: true },
  ],
});

export { expect };

export { testCipher };

async function installBridge(page: Page, dir: string): Promise<Bench> {
  const dataDir = join(dir, 'data');
  const saveDir = join(dir, 'saved');
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(saveDir, { recursive: true });

  const openQueue: (string[] | undefined)[] = [];
  const saveQueue: (string | undefined)[] = [];
  const folderQueue: (string | undefined)[] = [];
  const dialogs: DialogCall[] = [];
  const saved: string[] = [];
  const folders: string[] = [];
  const clipboard: string[] = [];
  const calls: BridgeCall[] = [];
  const pageErrors: Error[] = [];
  const log: string[] = [];

  const scripted: Dialogs = {
    async openFiles(options) {
      const answer = openQueue.length > 0 ? openQueue.shift() : undefined;
      dialogs.push({ kind: 'openFiles', options, answer });
      return answer;
    },
    async saveFile(options) {
      // basename: a suggested name never picks the folder, as in a real save dialog.
      const answer = saveQueue.length > 0 ? saveQueue.shift() : join(saveDir, basename(options.defaultName));
      dialogs.push({ kind: 'saveFile', options, answer });
      if (answer !== undefined) saved.push(answer);
      return answer;
    },
    async chooseFolder(options) {
      const answer = folderQueue.length > 0 ? folderQueue.shift() : mkdtempSync(join(dir, 'folder-'));
      dialogs.push({ kind: 'chooseFolder', options, answer });
      if (answer !== undefined) folders.push(answer);
      return answer;
    },
  };

  const handlers = createHandlers({
    appInfo: { name: pkg.name, version: pkg.version },
    dialogs: scripted,
    clipboard: { writeText: (text: string) => void clipboard.push(text) },
    dataDir,
    templatesDir: join(repoRoot, 'resources/templates'),
    secrets: testCipher(),
  });

  const call = async (channel: string, payload: unknown): Promise<Result<unknown>> => {
    try {
      const result = await dispatch(handlers, channel, payload, { log: (line) => void log.push(line) });
      calls.push({ channel, ok: result.ok, ...(result.ok ? {} : { code: result.error.code }) });
      return result;
    } catch (err) {
      // dispatch promises never to throw; when it does, the test must fail, not the UI hang.
      calls.push({ channel, ok: false, code: 'internal' });
      throw err;
    }
  };

  page.on('pageerror', (err) => pageErrors.push(err));
  await page.exposeBinding(BINDING, (_source, channel: string, payload: unknown) => call(channel, payload));
  await page.addInitScript(
    ({ names, binding }) => {
      const g = globalThis as unknown as Record<string, unknown>;
      // The binding is looked up per call: Playwright may install it after this script runs.
      const api = Object.fromEntries(
        names.map((name) => [name, (request: unknown) => (g[binding] as (c: string, p: unknown) => Promise<unknown>)(name, request)]),
      );
      // Like contextBridge.exposeInMainWorld: a frozen object the page cannot replace.
      Object.defineProperty(globalThis, 'certbench', { value: Object.freeze(api), enumerable: true, configurable: false, writable: false });
    },
    { names: [...channels], binding: BINDING },
  );

  const readSaved = (nameOrPath?: string): string => {
    let path: string | undefined;
    if (nameOrPath === undefined) path = saved.at(-1);
    else if (existsSync(nameOrPath)) path = nameOrPath;
    else path = [...saved].reverse().find((p) => basename(p) === nameOrPath);
    if (!path || !existsSync(path)) {
      throw new Error(`no saved file ${nameOrPath ?? ''} (saved so far: ${saved.map((p) => basename(p)).join(', ') || 'none'})`);
    }
    return readFileSync(path, 'utf8');
  };

  return {
    dir,
    dataDir,
    saveDir,
    queueOpen: (paths) => void openQueue.push(paths),
    queueSave: (path) => void saveQueue.push(path),
    queueFolder: (path) => void folderQueue.push(path),
    dialogs,
    saved,
    folders,
    readSaved,
    clipboard,
    clipboardText: () => {
      const last = clipboard.at(-1);
      if (last === undefined) throw new Error('nothing was copied to the clipboard');
      return last;
    },
    calls,
    pageErrors,
    log,
    invoke: (channel, request) => call(channel, request) as never,
  };
}

/** Calls `window.certbench[channel](request)` inside the page, as the renderer does. */
export async function invokeInPage<C extends Channel>(page: Page, channel: C, request: RequestOf<C>): Promise<Result<ResponseOf<C>>> {
  return page.evaluate(
    ([c, r]) => {
      const api = (globalThis as unknown as { certbench: Record<string, (r: unknown) => Promise<unknown>> }).certbench;
      const fn = api[c];
      if (!fn) throw new Error(`window.certbench has no ${c}`);
      return fn(r);
    },
    [channel, request] as const,
  ) as Promise<Result<ResponseOf<C>>>;
}

/** A file of the committed test PKI (test/fixtures/pki). */
export function pkiFile(name: string): string {
  return join(repoRoot, 'test/fixtures/pki', name);
}

/** Saves a full-page screenshot as test-results/screenshots/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const path = join(repoRoot, 'test-results/screenshots', `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

// What Chromium reports for files dragged from the desktop; anything else arrives without a type.
const dropTypes: Record<string, string> = {
  '.crt': 'application/x-x509-ca-cert',
  '.cer': 'application/x-x509-ca-cert',
  '.der': 'application/x-x509-ca-cert',
  '.p12': 'application/x-pkcs12',
  '.pfx': 'application/x-pkcs12',
  '.txt': 'text/plain',
};

/**
 * Drops files on an element as a person dragging them from the desktop would: dragenter,
 * dragover and drop, a frame apart, each a real DragEvent whose DataTransfer holds File objects built in the
 * page from the files' bytes (react-dropzone, under Mantine's Dropzone, reads exactly that).
 */
export async function dropFiles(page: Page, target: string | Locator, paths: string[]): Promise<void> {
  const files = await Promise.all(
    paths.map(async (p) => ({ name: basename(p), type: dropTypes[extname(p).toLowerCase()] ?? '', base64: (await readFile(p)).toString('base64') })),
  );
  const locator = typeof target === 'string' ? page.locator(target) : target;
  await locator.evaluate(async (el, list) => {
    type DataTransferLike = { items: { add(file: unknown): unknown } };
    const w = globalThis as unknown as {
      atob(s: string): string;
      DataTransfer: new () => DataTransferLike;
      DragEvent: new (type: string, init: { bubbles: boolean; cancelable: boolean; composed: boolean; dataTransfer: DataTransferLike }) => Event;
      File: new (parts: Uint8Array[], name: string, options: { type: string }) => unknown;
    };
    const dataTransfer = new w.DataTransfer();
    for (const f of list) {
      const bin = w.atob(f.base64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      dataTransfer.items.add(new w.File([bytes], f.name, { type: f.type }));
    }
    const node = el as unknown as EventTarget;
    const frame = (): Promise<unknown> => new Promise((resolve) => (globalThis as unknown as { requestAnimationFrame(f: () => void): void }).requestAnimationFrame(() => resolve(undefined)));
    for (const type of ['dragenter', 'dragover', 'drop']) {
      node.dispatchEvent(new w.DragEvent(type, { bubbles: true, cancelable: true, composed: true, dataTransfer }));
      // A frame between the events, as a hand gives: react-dropzone marks the zone "accept" when
      // it has read the dragenter's files (a promise); a drop in the same tick resets the zone
      // before that lands, and it stays tinted "accept" after the drop.
      await frame();
    }
  }, files);
}

/** Opens a workbench tab by its name and returns its panel once visible. */
export async function openTab(page: Page, name: string): Promise<Locator> {
  await page.getByRole('tab', { name, exact: true }).click();
  const panel = page.getByRole('tabpanel', { name });
  await expect(panel).toBeVisible();
  return panel;
}
