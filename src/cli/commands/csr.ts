import { fail } from '../../core/errors.js';
import { buildCsr, describeCsr, parseSan, parseSubject, type San } from '../../core/pki/csr.js';
import { opensslReqCommand, parseOpensslCnf, writeOpensslCnf, type CsrTemplate } from '../../core/pki/openssl-cnf.js';
import { loadPrivateKey, passphraseFrom, readTextFile } from '../inputs.js';
import { printJson, writeOutputs } from '../io.js';

interface CsrOptions {
  key: string; passphraseFile?: string; subject?: string; template?: string; var: string[]; san: string[];
  emitOpensslCnf?: string; out: string; force?: boolean; json?: boolean;
}

function parseVars(pairs: string[]): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const pair of pairs) {
    const i = pair.indexOf('=');
    if (i <= 0) fail('invalid-value', `expected name=value, got "${pair}"`, '--var');
    vars[pair.slice(0, i)] = pair.slice(i + 1);
  }
  return vars;
}

function sameSan(a: San, b: San): boolean {
  return a.type === b.type && a.value.toLowerCase() === b.value.toLowerCase();
}

/** `certbench csr`: build a CSR from a key and a subject or a KB37299-style template. */
export async function run(opts: CsrOptions): Promise<void> {
  if (!opts.subject && !opts.template) fail('invalid-value', 'give --subject "C=..,O=..,CN=.." or --template FILE.cnf', 'csr');
  if (opts.var.length > 0 && !opts.template) fail('invalid-value', '--var fills placeholders of a --template; no template was given', '--var');
  let template: CsrTemplate = { subject: [], sans: [], keyUsage: [], extendedKeyUsage: [] };
  if (opts.template) template = parseOpensslCnf(await readTextFile(opts.template), parseVars(opts.var), opts.template);
  const subject = opts.subject ? parseSubject(opts.subject, '--subject') : template.subject;
  if (subject.length === 0) fail('invalid-value', 'the subject is empty', opts.template ?? '--subject');
  const sans = [...template.sans];
  for (const s of opts.san) {
    const san = parseSan(s);
    if (!sans.some((x) => sameSan(x, san))) sans.push(san);
  }
  const key = await loadPrivateKey(opts.key, passphraseFrom(opts));
  const csr = await buildCsr({
    key,
    subject,
    sans,
    keyUsage: template.keyUsage.length > 0 ? template.keyUsage : undefined,
    extendedKeyUsage: template.extendedKeyUsage.length > 0 ? template.extendedKeyUsage : undefined,
  });
  const described = await describeCsr(csr.der);
  const outputs: { path: string; data: string }[] = [{ path: opts.out, data: csr.pem }];
  let command: string | undefined;
  if (opts.emitOpensslCnf) {
    const cnf = writeOpensslCnf({ ...template, subject: described.subject, sans: described.sans, keyUsage: described.keyUsage, extendedKeyUsage: described.extendedKeyUsage });
    outputs.push({ path: opts.emitOpensslCnf, data: cnf });
    command = opensslReqCommand({ keyPath: opts.key, configPath: opts.emitOpensslCnf, csrPath: opts.out });
  }
  writeOutputs(outputs.map((o) => ({ ...o, params: { force: opts.force, flag: o.path === opts.out ? '-o' : '--emit-openssl-cnf' } })));
  if (sans.length === 0) process.stderr.write('certbench: warning: the CSR has no subject alternative names; browsers and most clients ignore the CN\n');
  if (opts.json) {
    printJson({ file: opts.out, subject: described.subject, sans: described.sans, keyUsage: described.keyUsage, extendedKeyUsage: described.extendedKeyUsage, signatureAlgorithm: described.signatureAlgorithm, opensslConfig: opts.emitOpensslCnf ?? null, opensslCommand: command ?? null });
  } else {
    process.stdout.write(`wrote CSR to ${opts.out}\nsubject: ${described.subject.map((a) => `${a.type}=${a.value}`).join(', ')}\n`);
    if (described.sans.length > 0) process.stdout.write(`SAN: ${described.sans.map((s) => `${s.type}:${s.value}`).join(', ')}\n`);
    if (command) process.stdout.write(`wrote OpenSSL config to ${opts.emitOpensslCnf}; on the device run:\n  ${command}\n`);
  }
}
