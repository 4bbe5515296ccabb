import { inspect, type Inspection } from '../../core/pki/inspect.js';
import { loadAll, passphraseFrom } from '../inputs.js';
import { VerdictError, printJson } from '../io.js';

interface InspectOptions { passphraseFile?: string; strict?: boolean; json?: boolean }

function keyText(i: Inspection): string {
  if (i.key.algorithm === 'rsa') return `RSA ${i.key.bits} bits`;
  if (i.key.algorithm === 'ecdsa') return `ECDSA ${i.key.curve ?? `${i.key.bits} bits`}`;
  return 'Ed25519';
}

function render(i: Inspection): string {
  const rows: [string, string | undefined][] = [
    ['subject', i.subject],
    ['issuer', i.issuer],
    ['serial', i.serial],
    ['SAN', i.san && i.san.length > 0 ? i.san.join(', ') : undefined],
    ['key', keyText(i) + (i.encoding ? ` (${i.encoding})` : '')],
    ['signature', i.signatureAlgorithm],
    ['valid', i.notBefore && i.notAfter ? `${i.notBefore} -> ${i.notAfter}${i.daysLeft !== undefined ? ` (${i.daysLeft} days left)` : ''}` : undefined],
    ['key usage', i.keyUsage?.join(', ')],
    ['ext key usage', i.extendedKeyUsage?.join(', ')],
    ['CA', i.isCa === undefined ? undefined : i.isCa ? 'yes' : 'no'],
    ['SHA-256', i.sha256],
    ['SHA-1', i.sha1],
    ['SPKI SHA-256', i.spkiSha256],
  ];
  const lines = [`${i.file} #${i.index + 1}: ${i.kind}${i.container !== 'pem' ? ` (${i.container})` : ''}`];
  for (const [k, v] of rows) if (v) lines.push(`  ${k.padEnd(14)}${v}`);
  if (i.findings.length === 0) lines.push('  findings      none');
  for (const f of i.findings) lines.push(`  ${f.severity.toUpperCase().padEnd(8)}${f.code}: ${f.message}`);
  return lines.join('\n');
}

/** `certbench inspect`: decode every file and print what it holds with lint findings. */
export async function run(files: string[], opts: InspectOptions): Promise<void> {
  const items = await loadAll(files, passphraseFrom(opts));
  const result = inspect(items);
  if (opts.json) printJson({ items: result });
  else process.stdout.write(`${result.map(render).join('\n\n')}\n`);
  const errors = result.flatMap((i) => i.findings.filter((f) => f.severity === 'error'));
  if (opts.strict && errors.length > 0) throw new VerdictError(`${errors.length} finding(s) of severity error`);
}
