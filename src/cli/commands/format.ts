import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fail } from '../../core/errors.js';
import { decodeFile } from '../../core/pki/decode.js';
import { assembleBundle, certIdFor, formatFor, type TargetName } from '../../core/targets/index.js';
import { passphraseFrom } from '../inputs.js';
import { printJson, writeOutputs } from '../io.js';

interface FormatOptions {
  target: TargetName; cert: string; key: string; passphraseFile?: string; chain: string[]; csr?: string;
  certId?: string; out: string; force?: boolean; json?: boolean;
}

// What to tell the engineer to open next, per target.
const NEXT_STEP: Record<TargetName, string> = {
  junos: 'follow junos-commands.txt on the device (and delete the key from /var/tmp after loading)',
  apstra: 'copy the files to the Apstra server and run apstra-commands.sh there (it backs up, installs, restarts and verifies)',
  sps: 'run sps-commands.sh with SPS, SPS_USER and SPS_CA set (it commits only when every step succeeded)',
  sdcloud: 'add an OAuth server in Security Director Cloud (Administration > API Security) with public-key.pem, or host jwks.json; see sdcloud-notes.txt',
};

/**
 * `certbench format`: checks key, certificate, chain (and CSR) for a target, then writes its files
 * together or not at all. A refusal (exit 2) writes nothing, not even the output folder.
 */
export async function run(opts: FormatOptions): Promise<void> {
  if (opts.certId !== undefined && opts.target !== 'junos') {
    fail('invalid-value', `--cert-id names the Junos local certificate; ${opts.target} does not use it`, '--cert-id');
  }
  let outStat;
  try {
    outStat = statSync(opts.out);
  } catch {
    outStat = undefined;
  }
  if (outStat && !outStat.isDirectory()) fail('invalid-value', 'is a file; -o names the output folder', `-o ${opts.out}`);

  const passphrase = passphraseFrom(opts);
  const read = (path: string) => decodeFile(path, { file: path, passphrase });
  const bundle = assembleBundle({
    key: await read(opts.key),
    cert: await read(opts.cert),
    chain: await Promise.all(opts.chain.map(read)),
    ...(opts.csr ? { csr: await read(opts.csr) } : {}),
  });
  const params = opts.certId !== undefined ? { certId: opts.certId } : {};
  const result = formatFor(opts.target, bundle, params);

  // Only now that everything checked out does anything touch the disk.
  let created = false;
  if (!outStat) {
    try {
      mkdirSync(opts.out, { mode: 0o700 });
      created = true;
    } catch {
      fail('not-found', 'cannot create the output folder (does its parent exist?)', `-o ${opts.out}`);
    }
  }
  try {
    writeOutputs(result.files.map((f) => ({
      path: join(opts.out, f.name),
      data: f.content,
      params: { secret: f.secret, executable: f.name.endsWith('.sh'), force: opts.force, flag: '-o' },
    })));
  } catch (err) {
    if (created && readdirSync(opts.out).length === 0) rmdirSync(opts.out);
    throw err;
  }

  if (opts.json) {
    printJson({
      target: result.target,
      dir: opts.out,
      ...(opts.target === 'junos' ? { certId: certIdFor(bundle, params) } : {}),
      files: result.files.map((f) => ({
        name: f.name,
        path: join(opts.out, f.name),
        secret: f.secret,
        description: f.description,
        sha256: createHash('sha256').update(f.content).digest('hex'),
        // Scripts read the commands and the one-line values from here; key material never appears.
        ...(f.secret ? {} : { content: f.content }),
      })),
      warnings: result.warnings,
    });
    return;
  }
  process.stdout.write(`wrote ${result.files.length} files for ${opts.target} to ${opts.out}:\n`);
  const width = Math.max(...result.files.map((f) => f.name.length));
  for (const f of result.files) process.stdout.write(`  ${f.name.padEnd(width)}  ${f.secret ? '(0600) ' : ''}${f.description}\n`);
  for (const w of result.warnings) {
    process.stdout.write(`${w.severity === 'info' ? 'note' : 'warning'} [${w.code}]: ${w.message}\n`);
  }
  process.stdout.write(`next: ${NEXT_STEP[opts.target]}\n`);
}
