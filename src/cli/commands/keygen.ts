import { describeKey, generatePrivateKey, exportPrivateKey, keyInfo, spkiDer, type KeyFormat } from '../../core/pki/keys.js';
import type { KeyAlgorithm } from '../../core/pki/types.js';
import { createHash } from 'node:crypto';
import { fail } from '../../core/errors.js';
import { checkOutput, printJson, readPassphraseFile, writeOutput } from '../io.js';

interface KeygenOptions {
  alg: KeyAlgorithm; bits?: string; curve?: string; format: KeyFormat; der?: boolean;
  passphraseFile?: string; out: string; force?: boolean; json?: boolean;
}

/** `certbench keygen`: generate, encode and write a private key with mode 0600. */
export async function run(opts: KeygenOptions): Promise<void> {
  if (opts.alg !== 'rsa' && opts.bits) fail('invalid-value', '--bits applies to RSA keys only', '--bits');
  if (opts.alg !== 'ecdsa' && opts.curve) fail('invalid-value', '--curve applies to ECDSA keys only', '--curve');
  if (opts.format === 'pkcs1' && opts.alg !== 'rsa') fail('unsupported', 'PKCS#1 holds RSA keys only; use --format pkcs8', '--format');
  if (opts.format === 'sec1' && opts.alg !== 'ecdsa') fail('unsupported', 'SEC1 holds EC keys only; use --format pkcs8', '--format');
  const passphrase = opts.passphraseFile ? readPassphraseFile(opts.passphraseFile) : undefined;
  if (passphrase !== undefined && opts.format !== 'pkcs8') {
    fail('unsupported', 'only PKCS#8 keys can be encrypted; use --format pkcs8 with --passphrase-file', '--format');
  }
  checkOutput(opts.out, { force: opts.force });
  const bits = opts.bits ? Number(opts.bits) : undefined;
  const slow = opts.alg === 'rsa' && (bits ?? 2048) >= 3072;
  if (slow && process.stderr.isTTY) process.stderr.write(`generating an RSA-${bits} key (this can take a few seconds)...\n`);
  const key = await generatePrivateKey({ alg: opts.alg, bits, curve: opts.curve });
  const data = exportPrivateKey(key, { format: opts.format, der: opts.der, passphrase });
  writeOutput(opts.out, data, { secret: true, force: opts.force });
  const info = keyInfo(key);
  const spki = createHash('sha256').update(spkiDer(key)).digest('hex');
  if (opts.json) {
    printJson({ file: opts.out, algorithm: info.algorithm, bits: info.bits, curve: info.curve ?? null, format: opts.format, der: !!opts.der, encrypted: passphrase !== undefined, spkiSha256: spki });
  } else {
    process.stdout.write(`wrote ${describeKey(info)} private key to ${opts.out} (${opts.format}${opts.der ? ' DER' : ' PEM'}${passphrase ? ', encrypted' : ''}, mode 0600)\npublic key SHA-256: ${spki}\n`);
  }
}
