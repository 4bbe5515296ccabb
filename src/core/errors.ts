/**
 * The typed error tree shared by every core module. Every error a user can cause carries a
 * stable `code`, an optional `file` it is about, and a message an engineer can act on; no
 * message ever contains key material.
 */

/** Codes for errors caused by input: the CLI maps every one of them to exit code 2. */
export type InputErrorCode =
  | 'too-large'
  | 'empty'
  | 'bad-base64'
  | 'truncated'
  | 'unknown-content'
  | 'passphrase-required'
  | 'wrong-passphrase'
  | 'unsupported'
  | 'invalid-value'
  | 'not-found'
  | 'wrong-kind'
  /** Readable input that the chosen target cannot take (mismatched key, broken chain, key type). */
  | 'refused'
  /** An output file is already there and replacing it was not asked for. */
  | 'exists';

/** Base of every error certbench raises on purpose. */
export class CertbenchError extends Error {
  override name = 'CertbenchError';
  /** Path or label of the input the error is about, when there is one. */
  file?: string;
  constructor(message: string, options?: { file?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    if (options?.file !== undefined) this.file = options.file;
  }
}

/** Bad input: unreadable, malformed, of the wrong kind, or an invalid value. */
export class InputError extends CertbenchError {
  override name = 'InputError';
  readonly code: InputErrorCode;
  constructor(code: InputErrorCode, message: string, options?: { file?: string; cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Returns a copy of `err` that names `file`, unless it already names one. */
export function withFile<E extends CertbenchError>(err: E, file: string): E {
  if (err.file === undefined) {
    err.file = file;
    if (!err.message.startsWith(file)) err.message = `${file}: ${err.message}`;
  }
  return err;
}

/** Shorthand for throwing an {@link InputError}. @throws InputError always */
export function fail(code: InputErrorCode, message: string, file?: string): never {
  throw new InputError(code, file ? `${file}: ${message}` : message, file === undefined ? undefined : { file });
}
