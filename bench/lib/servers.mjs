// The test suite's real-server helpers (test/helpers/sshd.ts, nginx.ts), reused by the bench rather than
// copied: rolldown bundles them into bench/tmp/helpers/ at run time, and the bench imports that build.
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, TMP, ensureDir } from './common.mjs';

const BUILTINS = new Set(builtinModules);

// Packages stay imports of node_modules (ssh2 loads native code); only the helpers' own files are bundled.
function external(id) {
  if (id.startsWith('node:') || BUILTINS.has(id) || BUILTINS.has(id.split('/')[0])) return true;
  return !id.startsWith('.') && !id.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(id);
}

let loaded;

/** `{ startSshd, startNginx, ... }` from test/helpers, built once per bench process. */
export async function loadServerHelpers() {
  if (loaded) return loaded;
  const { build } = await import('rolldown');
  const outDir = ensureDir(join(TMP, 'helpers'));
  await build({
    input: { sshd: join(ROOT, 'test/helpers/sshd.ts'), nginx: join(ROOT, 'test/helpers/nginx.ts') },
    platform: 'node',
    external,
    logLevel: 'warn',
    output: { dir: outDir, format: 'esm', entryFileNames: '[name].mjs', chunkFileNames: '[name].mjs' },
  });
  // A query string makes each bench process import this build, not one cached under the same URL.
  const url = (name) => `${pathToFileURL(join(outDir, `${name}.mjs`)).href}?t=${Date.now()}`;
  const [sshd, nginx] = await Promise.all([import(url('sshd')), import(url('nginx'))]);
  loaded = { ...sshd, ...nginx };
  return loaded;
}

let spsLoaded;

/**
 * `{ startSpsSim, opensslServedSha256 }` from test/helpers/sps-sim.ts (the in-process SPS REST simulator), built
 * once per bench process like the helpers above. The simulator answers from the bench process: whatever talks
 * to it must be spawned asynchronously.
 */
export async function loadSpsSim() {
  if (spsLoaded) return spsLoaded;
  const { build } = await import('rolldown');
  const outDir = ensureDir(join(TMP, 'helpers'));
  await build({
    input: { 'sps-sim': join(ROOT, 'test/helpers/sps-sim.ts') },
    platform: 'node',
    external,
    logLevel: 'warn',
    output: { dir: outDir, format: 'esm', entryFileNames: '[name].mjs', chunkFileNames: 'sps-sim-[name].mjs' },
  });
  spsLoaded = await import(`${pathToFileURL(join(outDir, 'sps-sim.mjs')).href}?t=${Date.now()}`);
  return spsLoaded;
}
