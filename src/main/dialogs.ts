/*
 * The native dialogs main needs, as an interface: Electron implements it (electron-dialogs.ts) and
 * the browser test bridge scripts it with paths in a temp folder. `undefined` means canceled.
 */

/** A file-type filter of an open dialog, as Electron takes it (`['*']` matches every file). */
export interface FileFilter {
  name: string;
  extensions: string[];
}

/** Native open, save and folder dialogs; every method answers `undefined` when the user cancels. */
export interface Dialogs {
  /** Lets the user pick existing files (several unless `multiple` is false). */
  openFiles(o: { title: string; filters?: FileFilter[]; multiple?: boolean }): Promise<string[] | undefined>;
  /** Asks where to save a file; the dialog itself confirms replacing an existing one. */
  saveFile(o: { title: string; defaultName: string }): Promise<string | undefined>;
  /** Lets the user pick (or create) a folder. */
  chooseFolder(o: { title: string }): Promise<string | undefined>;
}
