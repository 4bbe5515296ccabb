import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { decodeFile } from '../../src/core/pki/decode.js';
import { assembleBundle, type Bundle, type TargetFile } from '../../src/core/targets/index.js';

/** The committed lab PKI (test/fixtures/pki/make.sh). */
export const PKI = fileURLToPath(new URL('../fixtures/pki/', import.meta.url));
/** The golden files of one target. */
export const goldenDir = (target: string): string => fileURLToPath(new URL(`../fixtures/golden/${target}/`, import.meta.url));
/** The lab PKI is valid 2025-01-01 to 2125-01-01: a fixed moment inside keeps the warnings stable. */
export const NOW = new Date('2026-06-01T00:00:00Z');
const UPDATE = process.env['CERTBENCH_UPDATE_GOLDEN'] === '1';

/** File names (in `dir`, the lab PKI by default) of a bundle's parts. */
export interface BundleInput { cert: string; key: string; chain: string[]; csr?: string }

/** Decodes the named files and assembles them into a Bundle, each part named by its file name. */
export async function bundleOf(i: BundleInput, dir = PKI): Promise<Bundle> {
  const load = (f: string): ReturnType<typeof decodeFile> => decodeFile(join(dir, f), { file: f });
  return assembleBundle({
    key: await load(i.key), cert: await load(i.cert), chain: await Promise.all(i.chain.map(load)),
    ...(i.csr ? { csr: await load(i.csr) } : {}),
  });
}

/** Writes a result's files into `dir` (secret ones 0600), as the CLI would. */
export function writeFiles(dir: string, files: TargetFile[]): void {
  mkdirSync(dir, { recursive: true });
  for (const f of files) writeFileSync(join(dir, f.name), f.content, { mode: f.secret ? 0o600 : 0o644 });
}

/** Compares every file byte-for-byte with the committed golden copy; CERTBENCH_UPDATE_GOLDEN=1 rewrites them first. */
export function expectGolden(dir: string, files: TargetFile[]): void {
  if (UPDATE) {
    rmSync(dir, { recursive: true, force: true });
    writeFiles(dir, files);
  }
  expect(existsSync(dir), `${dir} is missing: run with CERTBENCH_UPDATE_GOLDEN=1 and review the files`).toBe(true);
  expect(readdirSync(dir).sort()).toEqual(files.map((f) => f.name).sort());
  for (const f of files) {
    const onDisk = readFileSync(join(dir, f.name));
    expect(onDisk.toString('utf8'), `${f.name} differs from ${join(dir, f.name)}`).toBe(f.content);
  }
}

/** The named file of a result. @throws Error naming the files there are */
export function fileOf(r: { files: TargetFile[] }, name: string): TargetFile {
  const f = r.files.find((x) => x.name === name);
  if (!f) throw new Error(`no ${name} among ${r.files.map((x) => x.name).join(', ')}`);
  return f;
}
