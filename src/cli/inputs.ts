import type { KeyObject } from 'node:crypto';
import { fail } from '../core/errors.js';
import { decode, decodeFile, readInputFile, readInputFileSync } from '../core/pki/decode.js';
import { MAX_INPUT_BYTES, type DecodedItem } from '../core/pki/types.js';
import { readPassphraseFile } from './io.js';

/** The passphrase named by --passphrase-file, if any. */
export function passphraseFrom(opts: { passphraseFile?: string }): string | undefined {
  return opts.passphraseFile ? readPassphraseFile(opts.passphraseFile) : undefined;
}

/**
 * Reads a small text input (a template) with the same checks and size limit as every other input.
 * @throws InputError not-found, too-large or empty (also when it holds only white space)
 */
export async function readTextFile(path: string): Promise<string> {
  const text = Buffer.from(await readInputFile(path)).toString('utf8');
  if (text.trim().length === 0) fail('empty', 'the file is empty', path);
  return text;
}

/**
 * Reads a file that must hold exactly one private key.
 * @throws InputError wrong-kind when it holds no key or several
 */
export async function loadPrivateKey(path: string, passphrase: string | undefined): Promise<KeyObject> {
  const items = await decodeFile(path, { file: path, passphrase });
  const keys = items.filter((i): i is Extract<DecodedItem, { kind: 'private-key' }> => i.kind === 'private-key');
  if (keys.length === 0) {
    const kinds = [...new Set(items.map((i) => i.kind))].join(', ');
    fail('wrong-kind', `expected a private key but the file holds ${kinds || 'nothing certbench reads'}`, path);
  }
  if (keys.length > 1) fail('wrong-kind', `the file holds ${keys.length} private keys; give a file with one`, path);
  return keys[0]!.key;
}

/** The name standard input goes by in results and errors. */
export const STDIN_NAME = 'stdin';

/**
 * Reads all of standard input (for `-`, so PEM can be piped or pasted), stopping past the size limit.
 * @throws InputError too-large
 */
export async function readStdin(limit = MAX_INPUT_BYTES): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > limit) fail('too-large', `standard input is over the ${limit}-byte limit for this input`, STDIN_NAME);
    chunks.push(chunk as Buffer);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * Decodes every file in order (`-` is standard input, once), naming each item by its file. Files are
 * read synchronously: a command line has nothing else to do meanwhile, and a folder of small files
 * reads several times faster that way than through the event loop.
 */
export async function loadAll(paths: string[], passphrase: string | undefined): Promise<DecodedItem[]> {
  if (paths.filter((p) => p === '-').length > 1) fail('invalid-value', 'standard input (-) can be given once', '-');
  const out: DecodedItem[] = [];
  for (const path of paths) {
    const bytes = path === '-' ? await readStdin() : readInputFileSync(path);
    out.push(...(await decode(bytes, { file: path === '-' ? STDIN_NAME : path, passphrase })));
  }
  return out;
}
