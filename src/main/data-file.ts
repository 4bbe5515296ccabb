import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { z } from 'zod';
import { fail } from '../core/errors.js';
import { writeOutput } from '../core/output.js';

/**
 * Reads one of the app's JSON data files (devices, secrets, push history); undefined when it does not exist.
 * @throws InputError `unknown-content` naming the file and what to do, when it is not JSON or not of `schema`
 */
export function readDataFile<T>(file: string, schema: z.ZodType<T>, what: string, remedy: string): T | undefined {
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    fail('unknown-content', `the saved ${what} file is damaged (not JSON); ${remedy}`, file);
  }
  const v = schema.safeParse(parsed);
  if (!v.success) fail('unknown-content', `the saved ${what} file is damaged (unexpected content); ${remedy}`, file);
  return v.data;
}

/** Writes one of the app's data files whole or not at all, readable by this user only (it maps the network). */
export function writeDataFile(file: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeOutput(file, `${JSON.stringify(value, null, 2)}\n`, { secret: true, force: true, flag: '' });
}
