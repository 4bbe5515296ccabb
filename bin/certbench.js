#!/usr/bin/env node
// The `certbench` command.
//
// `npm run build:cli` (run by `npm install` through `prepare`) compiles the CLI into dist/cli and then
// bundles it into one file, dist/bundle/certbench.cjs, with a V8 code cache made by running the bundle
// once at build time. Loading one pre-compiled file instead of resolving and compiling some 300 modules
// (commander, @peculiar/x509, asn1js, tsyringe...) is most of a command's start-up time. When the bundle
// is missing or older than dist/cli (someone ran `tsc` alone), dist/cli is used as it is.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const bundle = fileURLToPath(new URL('../dist/bundle/certbench.cjs', import.meta.url));
const codeCache = `${bundle}.v8-cache`;
const compiled = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

// Runs the bundle as a CommonJS module through vm.Script, which is what accepts V8 cached data.
// "use strict" keeps the semantics of the ES modules it was built from.
function loadBundle(cachedData) {
  const source = readFileSync(bundle, 'utf8');
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {"use strict";${source}\n})`, {
    filename: bundle,
    cachedData,
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  return { main: module.exports.main, script };
}

function readCodeCache() {
  try {
    return readFileSync(codeCache);
  } catch {
    return undefined;
  }
}

// Build step: run the commands people run most, in this process, so V8 has compiled their code, then
// save that code. Output is thrown away; a failure leaves no cache (start-up is slower, nothing breaks).
async function writeCodeCache() {
  const { main, script } = loadBundle(undefined);
  const dir = mkdtempSync(join(tmpdir(), 'certbench-code-cache-'));
  const fixtures = fileURLToPath(new URL('../test/fixtures/pki/', import.meta.url));
  const have = (names) => names.map((n) => join(fixtures, n)).filter((p) => existsSync(p));
  const out = process.stdout.write;
  const err = process.stderr.write;
  process.stdout.write = () => true;
  process.stderr.write = () => true;
  try {
    const key = join(dir, 'ec.key');
    const csr = join(dir, 'ec.csr');
    await main(['--help']);
    await main(['keygen', '--alg', 'ecdsa', '-o', key]);
    await main(['csr', '--key', key, '--subject', 'C=US,O=certbench,CN=cache.example.net', '--san', 'DNS:cache.example.net', '-o', csr]);
    await main(['inspect', key, csr, ...have(['rsa.crt', 'ec.crt', 'rsa.key', 'int.crt'])]);
    await main(['inspect', '--json', csr, ...have(['ec.crt'])]);
    await main(['match', key, csr]);
    await main(['match', '--json', ...have(['rsa.key', 'rsa.crt', 'rsa.csr'])]);
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    rmSync(dir, { recursive: true, force: true });
  }
  writeFileSync(codeCache, script.createCachedData());
}

async function loadMain() {
  const bundled = mtime(bundle);
  const plain = mtime(compiled);
  if (bundled !== undefined && (plain === undefined || bundled >= plain)) return loadBundle(readCodeCache()).main;
  if (plain !== undefined) return (await import(new URL('../dist/cli/main.js', import.meta.url).href)).main;
  process.stderr.write('certbench: the command line is not built yet; run `npm install` (or `npm run build:cli`) in the certbench folder first\n');
  process.exit(2);
}

if (process.env.CERTBENCH_WRITE_CODE_CACHE === '1') {
  try {
    await writeCodeCache();
  } catch (e) {
    rmSync(codeCache, { force: true });
    process.stderr.write(`certbench: no code cache written (start-up will be slower): ${e instanceof Error ? e.message : String(e)}\n`);
  }
} else {
  const main = await loadMain();
  // Let stdout drain before exiting: large --json output must not be cut off.
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
