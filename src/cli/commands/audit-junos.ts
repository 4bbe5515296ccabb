import { auditJunos, auditReport, certificateRefs, loadCertificateDir, parseJunosSet, type AuditItem } from '../../core/audit/index.js';
import { readInputFile } from '../../core/pki/decode.js';
import { readStdin, STDIN_NAME } from '../inputs.js';
import { VerdictError, printJson } from '../io.js';

interface AuditJunosOptions { config: string; certDir?: string; json?: boolean }

// A full router configuration in set form runs to megabytes, far past the 1 MiB limit for
// certificate files, so the configuration gets a limit of its own.
const MAX_CONFIG_BYTES = 64 * 1024 * 1024;

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
  const bytes = opts.config === '-' ? await readStdin(MAX_CONFIG_BYTES) : await readInputFile(opts.config, opts.config, MAX_CONFIG_BYTES);
  const text = Buffer.from(bytes).toString('utf8');
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
