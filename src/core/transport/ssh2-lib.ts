import { createRequire } from 'node:module';
import type * as Ssh2 from 'ssh2';

let lib: typeof Ssh2 | undefined;

/**
 * The ssh2 library, loaded on first use. It stays outside the CLI bundle (its optional native crypto
 * addons cannot be bundled), and a top-level import would make every verb, even `inspect`, load it at start.
 */
export function ssh2(): typeof Ssh2 {
  lib ??= createRequire(import.meta.url)('ssh2') as typeof Ssh2;
  return lib;
}
