import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, clipboard, dialog, ipcMain, Menu, screen, session, shell, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { channels, type Result } from '../shared/contract.js';
import { createAppHandlers, dispatch } from './dispatch.js';
import { createElectronDialogs } from './electron-dialogs.js';
import { createElectronSecrets } from './electron-secrets.js';
import { buildMenu } from './menu.js';
import { readWindowState, writeWindowState } from './window-state.js';

// The same policy as the renderer's <meta> tag, also sent as a header where the page comes over HTTP (dev server).
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const here = import.meta.dirname;
const rendererIndex = join(here, '../renderer/index.html');
const devUrl = !app.isPackaged ? process.env['ELECTRON_RENDERER_URL'] : undefined;
const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

// Every renderer is sandboxed, whatever a window's own preferences say.
app.enableSandbox();

let mainWindow: BrowserWindow | undefined;
const ours = new Set<number>();

const appHandlers = createAppHandlers({
  appInfo: { name: app.getName(), version: app.getVersion() },
  dialogs: createElectronDialogs(() => mainWindow),
  clipboard: { writeText: (text) => clipboard.writeText(text) },
  dataDir: app.getPath('userData'),
  // Device passwords and passphrases: encrypted by the OS key store, or refused.
  secrets: createElectronSecrets(),
  // Packaged builds carry resources/templates as extra resources next to app.asar.
  templatesDir: app.isPackaged ? join(process.resourcesPath, 'templates') : join(app.getAppPath(), 'resources', 'templates'),
});
const handlers = appHandlers.handlers;

function sameOrigin(url: string, base: string): boolean {
  try {
    return new URL(url).origin === new URL(base).origin;
  } catch {
    return false;
  }
}

// Only the top frame of our own window, showing our own page, may call main.
function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  if (!frame || !ours.has(event.sender.id) || frame.parent !== null) return false;
  if (devUrl) return sameOrigin(frame.url, devUrl);
  const url = frame.url.split('#')[0]!.split('?')[0]!;
  return url === pathToFileURL(rendererIndex).href;
}

function harden(contents: WebContents): void {
  contents.setWindowOpenHandler(({ url }) => {
    // Documentation links open in the system browser, never in an app window.
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

// Quit waits for running pushes to end (see before-quit); the window's close handler reads it too.
let quitState: 'running' | 'ending-pushes' | 'pushes-ended' = 'running';

function createWindow(): void {
  const stateFile = join(app.getPath('userData'), 'window-state.json');
  const state = readWindowState(stateFile, screen.getAllDisplays().map((d) => d.workArea));
  const win = new BrowserWindow({
    ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
    width: state.width,
    height: state.height,
    minWidth: 800,
    minHeight: 560,
    show: false,
    title: 'certbench',
    webPreferences: {
      preload: join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  mainWindow = win;
  const id = win.webContents.id;
  ours.add(id);
  if (state.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());
  win.on('close', (event) => {
    // Closing during a push asks first, and then keeps the window (and its live log) open while the push is
    // cancelled and rolled back: closing it at once would leave the app running unseen until that ends.
    if (appHandlers.pushing() && quitState === 'running') {
      event.preventDefault();
      const choice = dialog.showMessageBoxSync(win, {
        type: 'warning',
        buttons: ['Keep working', 'Cancel the push and quit'],
        defaultId: 0,
        cancelId: 0,
        title: 'A push is running',
        message: 'A push to a device is running.',
        detail: 'Quitting now cancels it. If the device was already changed, certbench restores its previous certificate first and quits when that is done; the log shows it.',
      });
      if (choice === 1) app.quit();
      return;
    }
    if (quitState === 'ending-pushes') {
      event.preventDefault();
      return;
    }
    writeWindowState(stateFile, { ...win.getNormalBounds(), maximized: win.isMaximized() }, log);
  });
  win.on('closed', () => {
    ours.delete(id);
    if (mainWindow === win) mainWindow = undefined;
  });
  if (devUrl) void win.loadURL(devUrl);
  else void win.loadFile(rendererIndex);
}

app.on('web-contents-created', (_event, contents) => harden(contents));

void app.whenReady().then(() => {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
  for (const channel of channels) {
    ipcMain.handle(channel, async (event, payload: unknown): Promise<Result<unknown>> => {
      if (!isTrustedSender(event)) {
        log(`certbench: refused ${channel} from an untrusted frame (${event.senderFrame?.url ?? 'gone'})`);
        return { ok: false, error: { code: 'invalid-request', message: 'the request came from a page that is not certbench and was refused' } };
      }
      return dispatch(handlers, channel, payload, { log });
    });
  }
  Menu.setApplicationMenu(buildMenu());
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

// Quitting mid-push would leave the device half-changed with no history entry: hold the quit until every push
// has been cancelled, rolled back and recorded, then quit for real (the second quit is let through).
app.on('before-quit', (event) => {
  if (quitState === 'pushes-ended') return;
  if (quitState === 'ending-pushes') {
    // Another Quit while the rollback runs: it still has to finish.
    event.preventDefault();
    return;
  }
  if (!appHandlers.pushing()) return;
  event.preventDefault();
  quitState = 'ending-pushes';
  log('certbench: quitting: cancelling the running push and restoring the previous certificate first');
  void appHandlers.shutdown()
    .catch((e: unknown) => log(`certbench: quitting: the running push did not end cleanly: ${e instanceof Error ? e.message : String(e)}`))
    .finally(() => {
      quitState = 'pushes-ended';
      log('certbench: quitting: every push has ended');
      app.quit();
    });
});
