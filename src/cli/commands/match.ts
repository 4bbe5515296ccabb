import { fail } from '../../core/errors.js';
import { describeMatch, match, mismatched } from '../../core/pki/match.js';
import { loadAll, passphraseFrom } from '../inputs.js';
import { VerdictError, printJson } from '../io.js';

interface MatchOptions { passphraseFile?: string; json?: boolean }

/** `certbench match`: do the keys, certificates and CSRs share one public key? Exit 1 when not. */
export async function run(files: string[], opts: MatchOptions): Promise<void> {
  const items = await loadAll(files, passphraseFrom(opts));
  const result = match(items);
  if (result.items.length < 2) {
    fail('invalid-value', `match needs at least two keys, certificates or CSRs; found ${result.items.length} in ${files.join(', ')}`, 'match');
  }
  if (opts.json) {
    printJson(result);
  } else {
    const odd = new Set(mismatched(result));
    process.stdout.write(result.match
      ? `MATCH: all ${result.items.length} items share one public key\n`
      : `MISMATCH: the items do not share one public key (! marks the odd ones out)\n`);
    for (const i of result.items) {
      const mark = odd.has(i) ? '! ' : '  ';
      process.stdout.write(`${mark}${i.kind.padEnd(12)} ${i.spkiSha256}  ${i.file}\n`);
    }
  }
  if (!result.match) throw new VerdictError(describeMatch(result));
}
