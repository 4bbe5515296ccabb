import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, linkSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fail } from './errors.js';

/*
 * Writing outputs safely, shared by the CLI and the desktop app's main process: keys land with mode
 * 0600, scripts 0755, and several files land together or not at all.
 */

/** Options for writing one output file. */
export interface WriteOutputParams {
  /** Holds a private key (or anything secret): written with mode 0600. */
  secret?: boolean;
  /** A script meant to be run: 0755 (0700 when also secret). */
  executable?: boolean;
  /** Replace an existing file; without it an existing file is never touched. */
  force?: boolean;
  /** The flag that named the path, for error messages (default `-o`; an empty string names the path alone). */
  flag?: string;
}

/** One output file of a command. */
export interface OutputFile {
  path: string;
  data: string | Uint8Array;
  params?: WriteOutputParams;
}

function labelFor(path: string, p: WriteOutputParams): string {
  const flag = p.flag ?? '-o';
  return flag.length > 0 ? `${flag} ${path}` : path;
}

/**
 * Checks that an output can be written (its folder exists, and it is new or --force was given), so
 * commands can refuse before slow work such as RSA-4096 generation.
 * @throws InputError not-found or invalid-value naming the flag and path
 */
export function checkOutput(path: string, p: WriteOutputParams = {}): void {
  const label = labelFor(path, p);
  const dir = dirname(path);
  let dirStat;
  try {
    dirStat = statSync(dir);
  } catch {
    fail('not-found', `the folder "${dir}" does not exist`, label);
  }
  if (!dirStat.isDirectory()) fail('invalid-value', `"${dir}" is not a folder`, label);
  if (existsSync(path) && !p.force) {
    fail('exists', 'the file already exists; choose another name or pass --force to replace it', label);
  }
}

/** The file mode an output is created with: 0600 secret, 0755 executable, 0700 both, else 0644. */
export function modeFor(p: WriteOutputParams = {}): number {
  if (p.secret) return p.executable ? 0o700 : 0o600;
  return p.executable ? 0o755 : 0o644;
}

// Checks the target and writes the data to a temp file beside it (fsynced); returns the temp path.
function stage(f: OutputFile): string {
  checkOutput(f.path, f.params);
  const dir = dirname(f.path);
  const tmp = join(dir, `.${basename(f.path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', modeFor(f.params));
  try {
    const buf = typeof f.data === 'string' ? Buffer.from(f.data, 'utf8') : f.data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkSync(tmp);
    throw err;
  }
  closeSync(fd);
  return tmp;
}

/**
 * Writes several outputs so that they land together or not at all: every target is checked and
 * written to a temp file first, and only then renamed into place. An error before the renames
 * leaves no new file and replaces no old one (a --force target keeps its old content).
 * @throws InputError when a folder is missing or a file exists without `force`
 */
export function writeOutputs(files: OutputFile[]): void {
  const staged: string[] = [];
  try {
    for (const f of files) staged.push(stage(f));
  } catch (err) {
    for (const tmp of staged) {
      try { unlinkSync(tmp); } catch { /* best effort */ }
    }
    throw err;
  }
  const placed: string[] = [];
  try {
    files.forEach((f, i) => {
      place(staged[i]!, f);
      if (!f.params?.force) placed.push(f.path);
    });
  } catch (err) {
    // A file appeared between the check and now: take back the new files placed so far.
    for (const path of placed) {
      try { unlinkSync(path); } catch { /* best effort */ }
    }
    for (const tmp of staged) {
      try { unlinkSync(tmp); } catch { /* already renamed, or gone */ }
    }
    throw err;
  }
}

// Moves a staged file into place. Without `force`, a hard link (which fails when the name is taken)
// closes the gap between checkOutput and the rename in which another program could create the file.
function place(tmp: string, f: OutputFile): void {
  if (f.params?.force) {
    renameSync(tmp, f.path);
    return;
  }
  try {
    linkSync(tmp, f.path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') fail('exists', 'the file appeared while certbench was writing; nothing of it was replaced', labelFor(f.path, f.params ?? {}));
    // File systems without hard links (FAT, some network shares): the check in stage() has to do.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'EXDEV' || code === 'EMLINK') {
      renameSync(tmp, f.path);
      return;
    }
    throw e;
  }
  unlinkSync(tmp);
}

/** Writes one output atomically (see {@link writeOutputs}). @throws InputError as writeOutputs */
export function writeOutput(path: string, data: string | Uint8Array, p: WriteOutputParams = {}): void {
  writeOutputs([{ path, data, params: p }]);
}
