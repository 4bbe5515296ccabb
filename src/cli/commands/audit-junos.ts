import { auditJunos, auditReport, certificateRefs, loadCertificateDir, parseJunosSet, type AuditItem, type JunosConfig } from '../../core/audit/index.js';
import { readJunosLive } from '../../core/audit/junos-live.js';
import { fail } from '../../core/errors.js';
import { readInputFile } from '../../core/pki/decode.js';
import type { DecodedItem } from '../../core/pki/types.js';
import { validatePort } from '../../core/transport/host.js';
import { readStdin, STDIN_NAME } from '../inputs.js';
import { VerdictError, printJson, printable } from '../io.js';
import { authFrom, hostKeyFrom, type SshLoginOptions } from '../push-common.js';

interface AuditJunosOptions extends SshLoginOptions { config?: string; certDir?: string; verifyPort?: string; webPort: string; json?: boolean }

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
async function fromFile(config: string, certDir: string | undefined): Promise<{ file: string; cfg: JunosConfig; certs?: Map<string, DecodedItem[]> }> {
  const file = config === '-' ? STDIN_NAME : config;
  const bytes = config === '-' ? await readStdin(MAX_CONFIG_BYTES) : await readInputFile(config, config, MAX_CONFIG_BYTES);
  const cfg = parseJunosSet(Buffer.from(bytes).toString('utf8'), file);
  const certs = certDir === undefined ? undefined : await loadCertificateDir(certDir, certificateRefs(cfg));
  return { file, cfg, ...(certs ? { certs } : {}) };
}

// Read-only: the committed configuration over NETCONF, and each bound certificate as its service serves it.
async function fromDevice(opts: AuditJunosOptions & { host: string }): Promise<{ file: string; cfg: JunosConfig; certs: Map<string, DecodedItem[]> }> {
  if (opts.user === undefined) fail('invalid-value', 'give the SSH user of the device with --user', '--user');
  if (opts.certDir !== undefined) fail('invalid-value', 'with --host the certificates are read from the device\'s HTTPS services; --cert-dir goes with --config', '--cert-dir');
  const port = validatePort(opts.port, '--port');
  const restPort = opts.verifyPort === undefined ? undefined : validatePort(opts.verifyPort, '--verify-port');
  const webPort = validatePort(opts.webPort, '--web-port');
  const auth = await authFrom(opts);
  const hostKey = hostKeyFrom(opts);
  const live = await readJunosLive({ ssh: { host: opts.host, port, username: opts.user, auth, hostKey }, webPort, ...(restPort === undefined ? {} : { restPort }) });
  for (const u of live.unreadable) {
    process.stderr.write(`certbench: the certificate of ${u.service} (certificate-id ${printable(u.id)}) could not be read on ${u.endpoint}: ${printable(u.reason)}; only its configuration is checked\n`);
  }
  return { file: live.source, cfg: live.config, certs: live.certs };
}

export async function run(opts: AuditJunosOptions): Promise<void> {
  if ((opts.config === undefined) === (opts.host === undefined)) fail('invalid-value', 'give the configuration with --config FILE, or read it from the device with --host HOST', '--config/--host');
  const { file, cfg, certs } = opts.host !== undefined ? await fromDevice({ ...opts, host: opts.host }) : await fromFile(opts.config!, opts.certDir);
  const refs = certificateRefs(cfg);
  const report = auditReport(file, auditJunos(cfg, certs === undefined ? {} : { certs, partial: opts.host !== undefined }));

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
