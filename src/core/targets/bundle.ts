import { fail } from '../errors.js';
import type { DecodedItem } from '../pki/types.js';
import type { Bundle } from './types.js';

/** The decoded contents of each input, by the role the user gave it. */
export interface BundleParts {
  /** Items of the key file (its certificates, as in a PKCS#12 or `cat key crt`, are ignored). */
  key: DecodedItem[];
  /** Items of the certificate file: the first certificate is the leaf, any others start the chain. */
  cert: DecodedItem[];
  /** Items of each chain file, in the order given. */
  chain: DecodedItem[][];
  csr?: DecodedItem[];
}

function describeKinds(items: DecodedItem[]): string {
  const kinds = [...new Set(items.map((i) => i.kind))];
  return kinds.length > 0 ? kinds.join(', ') : 'nothing certbench reads';
}

/**
 * Builds a {@link Bundle} from decoded inputs, checking each holds what its role needs: exactly one
 * private key, a certificate, only certificates in chain files, one CSR.
 * @throws InputError `wrong-kind` naming the file and what it holds instead
 */
export function assembleBundle(parts: BundleParts): Bundle {
  const keyFile = parts.key[0]?.file ?? 'key';
  const keys = parts.key.filter((i) => i.kind === 'private-key');
  if (keys.length === 0) fail('wrong-kind', `expected a private key but the file holds ${describeKinds(parts.key)}`, keyFile);
  if (keys.length > 1) fail('wrong-kind', `the file holds ${keys.length} private keys; give a file with one`, keyFile);

  const certFile = parts.cert[0]?.file ?? 'certificate';
  const certs = parts.cert.filter((i) => i.kind === 'certificate');
  if (certs.length === 0) fail('wrong-kind', `expected a certificate but the file holds ${describeKinds(parts.cert)}`, certFile);
  const [leaf, ...rest] = certs;

  const chain = rest.map((c) => ({ der: c.der, file: c.file }));
  for (const items of parts.chain) {
    const file = items[0]?.file ?? 'chain';
    const odd = items.find((i) => i.kind !== 'certificate');
    if (odd) fail('wrong-kind', `a chain file holds certificates only, but item #${odd.index + 1} is a ${odd.kind}`, file);
    if (items.length === 0) fail('empty', 'the chain file holds no certificate', file);
    for (const c of items) if (c.kind === 'certificate') chain.push({ der: c.der, file });
  }

  let csr: Uint8Array | undefined;
  let csrFile: string | undefined;
  if (parts.csr) {
    csrFile = parts.csr[0]?.file ?? 'CSR';
    const csrs = parts.csr.filter((i) => i.kind === 'csr');
    if (csrs.length !== 1) fail('wrong-kind', `expected one certificate signing request but the file holds ${describeKinds(parts.csr)}`, csrFile);
    csr = csrs[0]!.der;
  }

  const key = keys[0]!;
  if (key.kind !== 'private-key' || leaf?.kind !== 'certificate') throw new Error('unreachable');
  return {
    key: key.key,
    cert: leaf.der,
    chain: chain.map((c) => c.der),
    ...(csr ? { csr } : {}),
    files: { key: keyFile, cert: certFile, chain: chain.map((c) => c.file), ...(csrFile ? { csr: csrFile } : {}) },
  };
}
