import { basename, dirname, join } from 'node:path';
import { app, dialog, type BrowserWindow, type OpenDialogOptions } from 'electron';
import type { Dialogs } from './dialogs.js';

/**
 * The native dialogs, modal to the app's window; each starts in the folder last used, so a key,
 * its CSR and the CA's certificate end up side by side without hunting.
 */
export function createElectronDialogs(parent: () => BrowserWindow | undefined): Dialogs {
  let lastDir: string | undefined;
  const startIn = (): string => lastDir ?? app.getPath('documents');
  const open = async (opts: OpenDialogOptions): Promise<string[] | undefined> => {
    const win = parent();
    const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
    if (r.canceled || r.filePaths.length === 0) return undefined;
    return r.filePaths;
  };
  return {
    async openFiles(o) {
      const paths = await open({
        title: o.title,
        defaultPath: startIn(),
        ...(o.filters ? { filters: o.filters } : {}),
        properties: o.multiple === false ? ['openFile'] : ['openFile', 'multiSelections'],
      });
      if (paths) lastDir = dirname(paths[0]!);
      return paths;
    },
    async saveFile(o) {
      const win = parent();
      const opts = {
        title: o.title,
        // Only a name is suggested; the folder is always the user's choice.
        defaultPath: join(startIn(), basename(o.defaultName)),
        properties: ['createDirectory', 'showOverwriteConfirmation'] as ('createDirectory' | 'showOverwriteConfirmation')[],
      };
      const r = win ? await dialog.showSaveDialog(win, opts) : await dialog.showSaveDialog(opts);
      if (r.canceled || !r.filePath) return undefined;
      lastDir = dirname(r.filePath);
      return r.filePath;
    },
    async chooseFolder(o) {
      const paths = await open({ title: o.title, defaultPath: startIn(), properties: ['openDirectory', 'createDirectory'] });
      if (paths) lastDir = paths[0]!;
      return paths?.[0];
    },
  };
}
