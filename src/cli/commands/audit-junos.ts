import { readFile, stat } from 'node:fs/promises';
import { auditJunos, auditReport, certificateRefs, loadCertificateDir, parseJunosSet, type AuditItem } from '../../core/audit/index.js';
import { fail } from '../../core/errors.js';
import { STDIN_NAME } from '../inputs.js';
import { VerdictError, printJson } from '../io.js';

interface AuditJunosOptions { config: string; certDir?: string; json?: boolean }

// A full router configuration in set form runs to megabytes, far past the 1 MiB limit for
// certificate files (readInputFile/readStdin), so the configuration gets a limit of its own.
const MAX_CONFIG_BYTES = 64 * 1024 * 1024;

async function readConfigFile(path: string): Promise<string> {
  let st;
  try {
    st = await stat(path);
  } catch {
    fail('not-found', 'no such file', path);
  }
  if (st.isDirectory()) fail('invalid-value', 'this is a directory, not a configuration file', path);
  if (st.size > MAX_CONFIG_BYTES) fail('too-large', `the file is ${st.size} bytes, over the ${MAX_CONFIG_BYTES}-byte limit for configurations`, path);
  try {
    return await readFile(path, 'utf8');
  } catch {
    return fail('not-found', 'the file cannot be read', path);
  }
}

async function readConfigStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > MAX_CONFIG_BYTES) fail('too-large', `standard input is over the ${MAX_CONFIG_BYTES}-byte limit for configurations`, STDIN_NAME);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function indent(text: string, by: string): string {
  return text.split('\n').map((l) => `${by}${l}`).join('\n');
}

function render(i: AuditItem): string {
  const lines = [`${i.status}  ${i.id}  ${i.title}`, indent(i.detail, '    ')];
  if (i.remediation) lines.push('    Remediation:', indent(i.remediation, '      '));
  return lines.join('\n');
}

/** `certbench audit junos`: CIS checks of the REST and J-Web HTTPS certificates; exit 1 when an item fails. */
export async function run(opts: AuditJunosOptions): Promise<void> {
  const file = opts.config === '-' ? STDIN_NAME : opts.config;
  const text = opts.config === '-' ? await readConfigStdin() : await readConfigFile(opts.config);
  const cfg = parseJunosSet(text, file);
  const refs = certificateRefs(cfg);
  const certs = opts.certDir === undefined ? undefined : await loadCertificateDir(opts.certDir, refs);
  const report = auditReport(file, auditJunos(cfg, certs === undefined ? {} : { certs }));

  if (opts.json) {
    printJson(report);
  } else {
    const count = (s: AuditItem['status']): number => report.items.filter((i) => i.status === s).length;
    const out = report.items.map(render);
    out.push(`${file}: ${report.items.length} items: ${count('PASS')} PASS, ${report.failed} FAIL, ${count('NOT APPLICABLE')} NOT APPLICABLE`);
    if (certs === undefined && refs.length > 0) {
      out.push(`The certificates themselves (${refs.map((r) => r.id.replace(/[\x00-\x1f\x7f]/g, '?')).join(', ')}) were not checked: give --cert-dir DIR holding ID.crt, ID.pem, ID.cer or ID.der for each.`);
    }
    process.stdout.write(`${out.join('\n')}\n`);
  }
  if (!report.pass) throw new VerdictError(`${file}: ${report.failed} of ${report.items.length} CIS items failed`);
}
