import { readFileSync } from 'node:fs';
import { CertbenchError, fail } from '../core/errors.js';
import { escapeControls } from '../core/text.js';
import { TransportError } from '../core/transport/errors.js';

// The output writers live in the core so the desktop app's main process shares them.
export { checkOutput, writeOutput, writeOutputs, type OutputFile, type WriteOutputParams } from '../core/output.js';

/** A negative verdict (mismatch, failed check): exit code 1. */
export class VerdictError extends CertbenchError {
  override name = 'VerdictError';
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

/**
 * One line safe for a terminal: line breaks become ` | ` and other control characters and bidi overrides `\uXXXX`, so
 * text quoted from a device (file names, a command's stderr, certificate names) cannot move the cursor,
 * rewrite a line or print a fake one.
 */
export function printable(text: string): string {
  // Tabs are harmless and common in command output; everything else goes through the core's escaping.
  return text.replace(/\r?\n/g, ' | ').split('\t').map(escapeControls).join('\t');
}

/** Prints one JSON object on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Exit code for an error: 1 for a negative verdict, including a device that could not be reached or
 * refused us (the inputs were fine; the device is as it was), 2 for everything else (bad input, usage, I/O).
 */
export function exitCodeFor(err: unknown): number {
  return err instanceof VerdictError || err instanceof TransportError ? 1 : 2;
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
