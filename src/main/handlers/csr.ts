import { buildCsr, describeCsr, type SubjectAttr } from '../../core/pki/csr.js';
import { opensslReqCommand, writeOpensslCnf } from '../../core/pki/openssl-cnf.js';
import { PASTED_TEXT, safeFileName, viewsOf } from './common.js';
import type { HandlerContext, HandlerGroup } from './types.js';

// What a KB37299 server template asks for, used when the form names no usage and no key exists yet to decide.
const DEFAULT_KEY_USAGE = ['digitalSignature', 'keyEncipherment'];
const DEFAULT_EKU = ['serverAuth'];

// An empty list from the form means "the usual", as an empty template section does for `certbench csr`.
function given(list: string[] | undefined): string[] | undefined {
  return list && list.length > 0 ? list : undefined;
}

// File names for the OpenSSL command line: the CN when there is one.
function baseName(subject: SubjectAttr[]): string {
  const cn = subject.find((a) => a.type === 'CN')?.value;
  return safeFileName(cn ?? 'server', 'server');
}

/** csr:build and csr:openssl-config. */
export function csrHandlers(ctx: HandlerContext): HandlerGroup<'csr:build' | 'csr:openssl-config'> {
  return {
    'csr:build': async (r) => {
      const key = ctx.store.get(r.keyId, ['private-key'], 'key');
      if (key.item.kind !== 'private-key') throw new Error('unreachable');
      const keyUsage = given(r.keyUsage);
      const extendedKeyUsage = given(r.extendedKeyUsage);
      const csr = await buildCsr({
        key: key.item.key,
        subject: r.subject,
        sans: r.sans,
        ...(keyUsage ? { keyUsage } : {}),
        ...(extendedKeyUsage ? { extendedKeyUsage } : {}),
      });
      const d = describeCsr(csr.der);
      const [stored] = ctx.store.addAll([{ kind: 'csr', der: csr.der, file: 'generated CSR', index: 0, container: 'pem' }], true);
      const base = baseName(d.subject);
      const keyPath = key.generated || key.item.file === PASTED_TEXT ? `${base}.key` : safeFileName(key.item.file, `${base}.key`);
      return {
        pem: csr.pem,
        item: viewsOf([stored!], ctx.now?.() ?? new Date())[0]!,
        // Written from the request as built, so OpenSSL on the device makes the same one.
        opensslConfig: writeOpensslCnf({ subject: d.subject, sans: d.sans, keyUsage: d.keyUsage, extendedKeyUsage: d.extendedKeyUsage }),
        opensslCommand: opensslReqCommand({ keyPath, configPath: `${base}.cnf`, csrPath: `${base}.csr` }),
      };
    },
    'csr:openssl-config': async (r) => {
      const subject = r.subject;
      const base = baseName(subject);
      const config = writeOpensslCnf({
        subject,
        sans: r.sans,
        keyUsage: given(r.keyUsage) ?? DEFAULT_KEY_USAGE,
        extendedKeyUsage: given(r.extendedKeyUsage) ?? DEFAULT_EKU,
      });
      const command = opensslReqCommand({ keyPath: r.keyPath ?? `${base}.key`, configPath: `${base}.cnf`, csrPath: r.csrPath ?? `${base}.csr` });
      return { config, command };
    },
  };
}
