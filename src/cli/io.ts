import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync, readFileSync, existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CertbenchError, fail } from '../core/errors.js';

/** A negative verdict (mismatch, failed check): exit code 1. */
export class VerdictError extends CertbenchError {
  override name = 'VerdictError';
}

/** Options for writing one output file. */
export interface WriteOutputParams {
  /** Holds a private key (or anything secret): written with mode 0600. */
  secret?: boolean;
  /** A script meant to be run: 0755 (0700 when also secret). */
  executable?: boolean;
  /** Replace an existing file; without it an existing file is never touched. */
  force?: boolean;
  /** The flag that named the path, for error messages. */
  flag?: string;
}

/** One output file of a command. */
export interface OutputFile {
  path: string;
  data: string | Uint8Array;
  params?: WriteOutputParams;
}

/**
 * Checks that an output can be written (its folder exists, and it is new or --force was given), so
 * commands can refuse before slow work such as RSA-4096 generation.
 * @throws InputError not-found or invalid-value naming the flag and path
 */
export function checkOutput(path: string, p: WriteOutputParams = {}): void {
  const flag = p.flag ?? '-o';
  const dir = dirname(path);
  let dirStat;
  try {
    dirStat = statSync(dir);
  } catch {
    fail('not-found', `the folder "${dir}" does not exist`, `${flag} ${path}`);
  }
  if (!dirStat.isDirectory()) fail('invalid-value', `"${dir}" is not a folder`, `${flag} ${path}`);
  if (existsSync(path) && !p.force) {
    fail('invalid-value', 'the file already exists; choose another name or pass --force to replace it', `${flag} ${path}`);
  }
}

function modeFor(p: WriteOutputParams = {}): number {
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
  files.forEach((f, i) => renameSync(staged[i]!, f.path));
}

/** Writes one output atomically (see {@link writeOutputs}). @throws InputError as writeOutputs */
export function writeOutput(path: string, data: string | Uint8Array, p: WriteOutputParams = {}): void {
  writeOutputs([{ path, data, params: p }]);
}

/**
 * Reads a passphrase file: the first line, without its line ending (as OpenSSL's `file:` does).
 * @throws InputError when the file cannot be read or is empty
 */
export function readPassphraseFile(path: string, flag = '--passphrase-file'): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    fail('not-found', 'cannot read the passphrase file', `${flag} ${path}`);
  }
  const first = text.split(/\r?\n/)[0] ?? '';
  if (first.length === 0) fail('empty', 'the passphrase file is empty', `${flag} ${path}`);
  return first;
}

/** Prints one JSON object on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Exit code for an error: 1 for a negative verdict, 2 for everything else (bad input, usage, I/O). */
export function exitCodeFor(err: unknown): number {
  return err instanceof VerdictError ? 1 : 2;
}

/** The one line printed on stderr for an error; never a stack trace for expected errors. */
export function describeError(err: unknown): string {
  if (err instanceof CertbenchError) return err.message;
  if (err && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'string') {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT' && e.path) return `${e.path}: no such file`;
    if (e.code === 'EACCES' && e.path) return `${e.path}: permission denied`;
    if (e.code === 'ENOSPC') return 'no space left on the device';
  }
  return `internal error: ${err instanceof Error ? err.message : String(err)}`;
}
