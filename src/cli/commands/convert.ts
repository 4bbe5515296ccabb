import { fail, InputError, withFile } from '../../core/errors.js';
import { exportPrivateKey, exportPublicKeyPem, spkiDer, type KeyFormat } from '../../core/pki/keys.js';
import { toPem } from '../../core/pki/pem.js';
import type { DecodedItem, PrivateKeyItem } from '../../core/pki/types.js';
import { loadAll, passphraseFrom } from '../inputs.js';
import { printJson, readPassphraseFile, writeOutput } from '../io.js';

type Target = 'pem' | 'der' | 'pkcs1' | 'pkcs8' | 'sec1' | 'pkcs12';
interface ConvertOptions {
  to: Target; passphraseFile?: string; outPassphraseFile?: string; cert?: string; chain: string[];
  out: string; force?: boolean; json?: boolean;
}

function objectPem(item: DecodedItem): string {
  switch (item.kind) {
    case 'certificate': return toPem('CERTIFICATE', item.der);
    case 'csr': return toPem('CERTIFICATE REQUEST', item.der);
    case 'public-key': return exportPublicKeyPem(item.key);
    case 'private-key': return exportPrivateKey(item.key, { format: 'pkcs8' }) as string;
  }
}

function objectDer(item: DecodedItem): Uint8Array {
  switch (item.kind) {
    case 'certificate':
    case 'csr': return item.der;
    case 'public-key': return spkiDer(item.key);
    case 'private-key': return exportPrivateKey(item.key, { format: 'pkcs8', der: true }) as Buffer;
  }
}

/** `certbench convert`: re-encode one input; any output holding a private key is written 0600. */
export async function run(input: string, opts: ConvertOptions): Promise<void> {
  const inPass = passphraseFrom(opts);
  const outPass = opts.outPassphraseFile ? readPassphraseFile(opts.outPassphraseFile, '--out-passphrase-file') : undefined;
  if ((opts.cert || opts.chain.length > 0) && opts.to !== 'pkcs12') fail('invalid-value', '--cert and --chain go with --to pkcs12', '--cert');
  const items = await loadAll([input], inPass);
  const keys = items.filter((i): i is PrivateKeyItem => i.kind === 'private-key');
  let data: string | Uint8Array;
  let secret = keys.length > 0;
  let written: string;

  if (opts.to === 'pkcs1' || opts.to === 'pkcs8' || opts.to === 'sec1') {
    if (keys.length !== 1) fail('wrong-kind', `--to ${opts.to} converts one private key; the file holds ${keys.length}`, input);
    if (outPass !== undefined && opts.to !== 'pkcs8') fail('unsupported', 'only PKCS#8 output can be encrypted; use --to pkcs8', '--out-passphrase-file');
    data = exportPrivateKey(keys[0]!.key, { format: opts.to as KeyFormat, passphrase: outPass });
    secret = true;
    written = `${opts.to} private key${outPass ? ' (encrypted)' : ''}`;
  } else if (opts.to === 'pkcs12') {
    const pass = outPass ?? inPass;
    if (pass === undefined) fail('passphrase-required', 'a PKCS#12 file needs a passphrase: give --out-passphrase-file (or --passphrase-file)', '--to pkcs12');
    if (keys.length !== 1) fail('wrong-kind', `a PKCS#12 holds one private key; ${input} holds ${keys.length}`, input);
    const certs = items.filter((i) => i.kind === 'certificate').map((i) => (i as { der: Uint8Array }).der);
    const extra = await loadAll([...(opts.cert ? [opts.cert] : []), ...opts.chain], inPass);
    for (const i of extra) {
      if (i.kind !== 'certificate') fail('wrong-kind', `expected certificates only, found a ${i.kind}`, i.file);
      certs.push(i.der);
    }
    if (certs.length === 0) fail('invalid-value', 'a PKCS#12 for a device needs the certificate: give --cert FILE', '--cert');
    const { writePkcs12 } = await import('../../core/pki/pkcs12.js');
    try {
      // writePkcs12 refuses a leaf that does not belong to the key; name the file it came from.
      data = await writePkcs12({ key: keys[0]!.key, certificates: certs, passphrase: pass });
    } catch (err) {
      throw err instanceof InputError ? withFile(err, opts.cert ?? input) : err;
    }
    secret = true;
    written = `PKCS#12 with 1 key and ${certs.length} certificate(s)`;
  } else if (opts.to === 'der') {
    if (items.length !== 1) fail('invalid-value', `DER holds one object; the file holds ${items.length} (convert to pem instead, or split it)`, input);
    if (outPass !== undefined) fail('unsupported', 'DER output is not encrypted; use --to pkcs8 with --out-passphrase-file', '--out-passphrase-file');
    data = objectDer(items[0]!);
    written = `DER ${items[0]!.kind}`;
  } else {
    if (outPass !== undefined) {
      if (items.length !== 1 || keys.length !== 1) fail('unsupported', 'encrypted PEM output is for a single private key (PKCS#8)', '--out-passphrase-file');
      data = exportPrivateKey(keys[0]!.key, { format: 'pkcs8', passphrase: outPass });
    } else {
      data = items.map(objectPem).join('');
    }
    written = `PEM with ${items.length} object(s)`;
  }

  writeOutput(opts.out, data, { secret, force: opts.force });
  if (opts.json) printJson({ file: opts.out, to: opts.to, objects: items.map((i) => i.kind), secret, mode: secret ? '0600' : '0644' });
  else process.stdout.write(`wrote ${written} to ${opts.out}${secret ? ' (mode 0600)' : ''}\n`);
}
