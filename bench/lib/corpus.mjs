// The folder of 2,000 mixed certificate/key files for the throughput row, generated once into
// bench/tmp/corpus and reused while its manifest matches CORPUS_VERSION.
//
// Base material (keys, CSRs, certificates, a two-level CA, PKCS#12 files) is made by the `openssl`
// CLI, each in every encoding; the 2,000 files are copies of that material spread over the
// variants below. The manifest records, for each file, what it is and the SPKI SHA-256 of every
// item `certbench match` reports for it (computed from `openssl pkey -pubout`), so every tool's
// answer can be checked, not only timed.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { TMP, ensureDir, execFileP } from './common.mjs';

export const CORPUS_VERSION = 4;
export const CORPUS_DIR = join(TMP, 'corpus');
export const FILES_DIR = join(CORPUS_DIR, 'files');
export const PASS_FILE = join(CORPUS_DIR, 'pass.txt');
const BASE_DIR = join(CORPUS_DIR, 'base');
const MANIFEST = join(CORPUS_DIR, 'manifest.json');
const PASSPHRASE = 'bench-passphrase-0';

// Base keys: a realistic mix for network gear (RSA-2048 and P-256 dominate; a few Ed25519).
const BASE_KEYS = [
  ...Array.from({ length: 14 }, () => 'rsa'),
  ...Array.from({ length: 12 }, () => 'ec'),
  ...Array.from({ length: 4 }, () => 'ed25519'),
];

// variant -> [count, file extension, key types it applies to, what certbench match reports (in file order)]
export const VARIANTS = {
  'cert-pem': [330, 'crt', ['rsa', 'ec', 'ed25519'], ['certificate']],
  'cert-der': [150, 'der', ['rsa', 'ec', 'ed25519'], ['certificate']],
  'fullchain-pem': [200, 'pem', ['rsa', 'ec', 'ed25519'], ['certificate']],
  'cert-key-pem': [100, 'pem', ['rsa', 'ec', 'ed25519'], ['certificate', 'private-key']],
  'csr-pem': [150, 'csr', ['rsa', 'ec', 'ed25519'], ['csr']],
  'csr-der': [100, 'der', ['rsa', 'ec', 'ed25519'], ['csr']],
  'key-pkcs8-pem': [150, 'key', ['rsa', 'ec', 'ed25519'], ['private-key']],
  'key-pkcs8-der': [100, 'der', ['rsa', 'ec', 'ed25519'], ['private-key']],
  'key-pkcs8-encrypted-pem': [120, 'key', ['rsa', 'ec', 'ed25519'], ['private-key']],
  'key-pkcs8-encrypted-der': [60, 'der', ['rsa', 'ec', 'ed25519'], ['private-key']],
  'key-pkcs1-pem': [120, 'key', ['rsa'], ['private-key']],
  'key-pkcs1-der': [60, 'der', ['rsa'], ['private-key']],
  'key-sec1-pem': [100, 'key', ['ec'], ['private-key']],
  'key-sec1-der': [60, 'der', ['ec'], ['private-key']],
  'key-legacy-encrypted-pem': [80, 'key', ['rsa', 'ec'], ['private-key']],
  'pkcs12': [120, 'p12', ['rsa', 'ec', 'ed25519'], ['private-key', 'certificate']],
};

async function openssl(args, cwd) {
  await execFileP('openssl', args, { cwd, maxBuffer: 16 * 1024 * 1024 });
}

async function pool(tasks, width) {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const t = tasks[next++];
      await t();
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
}

async function makeCa(dir) {
  const ext = join(dir, 'ca.ext');
  writeFileSync(ext, 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n');
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'root.key'], dir);
  await openssl(['req', '-new', '-x509', '-key', 'root.key', '-subj', '/O=Certbench Bench/CN=Bench Root CA', '-days', '36500',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', 'root.crt'], dir);
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'int.key'], dir);
  await openssl(['req', '-new', '-key', 'int.key', '-subj', '/O=Certbench Bench/CN=Bench Issuing CA', '-out', 'int.csr'], dir);
  await openssl(['x509', '-req', '-in', 'int.csr', '-CA', 'root.crt', '-CAkey', 'root.key', '-set_serial', '2', '-days', '36500',
    '-extfile', ext, '-out', 'int.crt'], dir);
}

async function makeBase(i, type) {
  const dir = ensureDir(join(BASE_DIR, String(i)));
  const host = `host${i}.bench.example.net`;
  const gen = type === 'rsa' ? ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']
    : type === 'ec' ? ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-algorithm', 'ED25519'];
  const pass = `file:${PASS_FILE}`;
  await openssl(['genpkey', ...gen, '-out', 'key.pem'], dir);
  chmodSync(join(dir, 'key.pem'), 0o600);
  await openssl(['req', '-new', '-key', 'key.pem', '-subj', `/C=US/O=Certbench Bench/OU=Network/CN=${host}`,
    '-addext', `subjectAltName=DNS:${host},DNS:host${i},IP:192.0.2.${(i % 250) + 1}`, '-out', 'csr.pem'], dir);
  writeFileSync(join(dir, 'leaf.ext'), `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature${type === 'rsa' ? ',keyEncipherment' : ''}\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:${host},DNS:host${i},IP:192.0.2.${(i % 250) + 1}\n`);
  await openssl(['x509', '-req', '-in', 'csr.pem', '-CA', join(BASE_DIR, 'int.crt'), '-CAkey', join(BASE_DIR, 'int.key'),
    '-set_serial', String(1000 + i), '-days', '36500', '-extfile', 'leaf.ext', '-out', 'cert.pem'], dir);
  await openssl(['x509', '-in', 'cert.pem', '-outform', 'DER', '-out', 'cert.der'], dir);
  await openssl(['req', '-in', 'csr.pem', '-outform', 'DER', '-out', 'csr.der'], dir);
  // `openssl pkey -outform DER` would write PKCS#1/SEC1 for RSA/EC keys; pkcs8 -topk8 -nocrypt writes PKCS#8.
  await openssl(['pkcs8', '-topk8', '-nocrypt', '-in', 'key.pem', '-outform', 'DER', '-out', 'key-pkcs8.der'], dir);
  await openssl(['pkcs8', '-topk8', '-in', 'key.pem', '-v2', 'aes-256-cbc', '-passout', pass, '-out', 'key-pkcs8-enc.pem'], dir);
  await openssl(['pkcs8', '-topk8', '-in', 'key.pem', '-v2', 'aes-256-cbc', '-passout', pass, '-outform', 'DER', '-out', 'key-pkcs8-enc.der'], dir);
  if (type !== 'ed25519') {
    // PKCS#1 for RSA, SEC1 for EC: OpenSSL's "traditional" forms, plain and with the legacy PEM encryption.
    await openssl(['pkey', '-in', 'key.pem', '-traditional', '-out', 'key-trad.pem'], dir);
    await openssl(['pkey', '-in', 'key.pem', '-traditional', '-outform', 'DER', '-out', 'key-trad.der'], dir);
    const legacy = type === 'rsa' ? ['rsa', '-traditional'] : ['ec'];
    await openssl([...legacy, '-in', 'key.pem', '-aes128', '-passout', pass, '-out', 'key-legacy-enc.pem'], dir);
  }
  writeFileSync(join(dir, 'chain.pem'), readFileSync(join(BASE_DIR, 'int.crt'), 'utf8') + readFileSync(join(BASE_DIR, 'root.crt'), 'utf8'));
  writeFileSync(join(dir, 'fullchain.pem'), readFileSync(join(dir, 'cert.pem'), 'utf8') + readFileSync(join(dir, 'chain.pem'), 'utf8'));
  writeFileSync(join(dir, 'cert-key.pem'), readFileSync(join(dir, 'cert.pem'), 'utf8') + readFileSync(join(dir, 'key.pem'), 'utf8'));
  await openssl(['pkcs12', '-export', '-inkey', 'key.pem', '-in', 'cert.pem', '-certfile', 'chain.pem', '-name', host, '-passout', pass, '-out', 'bundle.p12'], dir);
  const { stdout } = await execFileP('openssl', ['pkey', '-in', 'key.pem', '-pubout', '-outform', 'DER'], { cwd: dir, encoding: 'buffer' });
  return { i, type, dir, spki: createHash('sha256').update(stdout).digest('hex') };
}

const SOURCE = {
  'cert-pem': 'cert.pem', 'cert-der': 'cert.der', 'fullchain-pem': 'fullchain.pem', 'cert-key-pem': 'cert-key.pem',
  'csr-pem': 'csr.pem', 'csr-der': 'csr.der', 'key-pkcs8-pem': 'key.pem', 'key-pkcs8-der': 'key-pkcs8.der',
  'key-pkcs8-encrypted-pem': 'key-pkcs8-enc.pem', 'key-pkcs8-encrypted-der': 'key-pkcs8-enc.der',
  'key-pkcs1-pem': 'key-trad.pem', 'key-pkcs1-der': 'key-trad.der', 'key-sec1-pem': 'key-trad.pem', 'key-sec1-der': 'key-trad.der',
  'key-legacy-encrypted-pem': 'key-legacy-enc.pem', 'pkcs12': 'bundle.p12',
};

// The tag of each element inside the outer SEQUENCE (one level down), enough to tell the encodings apart.
function innerTags(der) {
  const len = (at) => (der[at + 1] < 0x80 ? [at + 2, der[at + 1]] : [at + 2 + (der[at + 1] & 0x7f), [...der.subarray(at + 2, at + 2 + (der[at + 1] & 0x7f))].reduce((n, b) => n * 256 + b, 0)]);
  const [start, length] = len(0);
  const tags = [];
  for (let at = start; at < start + length;) {
    tags.push(der[at]);
    const [s, l] = len(at);
    at = s + l;
  }
  return tags;
}

// Every base file must really be in the encoding its variant names: a mislabelled corpus would
// credit a reader for an encoding it never read.
const PEM_LABEL = {
  'key-pkcs8-pem': 'PRIVATE KEY', 'key-pkcs8-encrypted-pem': 'ENCRYPTED PRIVATE KEY', 'key-pkcs1-pem': 'RSA PRIVATE KEY',
  'key-sec1-pem': 'EC PRIVATE KEY', 'csr-pem': 'CERTIFICATE REQUEST', 'cert-pem': 'CERTIFICATE',
};
const DER_SHAPE = {
  'key-pkcs8-der': (t) => t[0] === 0x02 && t[1] === 0x30 && t[2] === 0x04,
  'key-pkcs8-encrypted-der': (t) => t.length === 2 && t[0] === 0x30 && t[1] === 0x04,
  'key-pkcs1-der': (t) => t.length >= 9 && t.every((x) => x === 0x02),
  'key-sec1-der': (t) => t[0] === 0x02 && t[1] === 0x04,
  'cert-der': (t) => t.length === 3 && t[0] === 0x30 && t[2] === 0x03,
  'csr-der': (t) => t.length === 3 && t[0] === 0x30 && t[2] === 0x03,
};
export function checkEncoding(variant, data) {
  const text = data.toString('latin1');
  if (PEM_LABEL[variant] && !text.startsWith(`-----BEGIN ${PEM_LABEL[variant]}-----`)) throw new Error(`corpus: ${variant} is not PEM "${PEM_LABEL[variant]}"`);
  if (variant === 'key-legacy-encrypted-pem' && !/^-----BEGIN (RSA|EC) PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED/.test(text)) throw new Error('corpus: legacy key is not Proc-Type encrypted');
  if (DER_SHAPE[variant] && !DER_SHAPE[variant](innerTags(data))) throw new Error(`corpus: ${variant} does not have the DER shape of its encoding`);
}

function readManifest() {
  if (!existsSync(MANIFEST)) return undefined;
  try {
    const m = JSON.parse(readFileSync(MANIFEST, 'utf8'));
    if (m.version !== CORPUS_VERSION || !Array.isArray(m.files)) return undefined;
    if (!m.files.every((f) => existsSync(join(FILES_DIR, f.name)))) return undefined;
    return m;
  } catch {
    return undefined;
  }
}

/** The corpus manifest, generating the folder first when it is missing or stale. */
export async function ensureCorpus(log = () => {}) {
  const cached = readManifest();
  if (cached) return cached;
  log(`generating the ${Object.values(VARIANTS).reduce((n, v) => n + v[0], 0)}-file corpus in ${CORPUS_DIR} (once; openssl does the work)...`);
  rmSync(CORPUS_DIR, { recursive: true, force: true });
  ensureDir(BASE_DIR);
  ensureDir(FILES_DIR);
  writeFileSync(PASS_FILE, `${PASSPHRASE}\n`, { mode: 0o600 });
  await makeCa(BASE_DIR);
  const bases = [];
  await pool(BASE_KEYS.map((type, i) => async () => { bases[i] = await makeBase(i, type); }), 2);

  const files = [];
  let n = 0;
  for (const [variant, [count, ext, types, items]] of Object.entries(VARIANTS)) {
    const fitting = bases.filter((b) => types.includes(b.type));
    for (let k = 0; k < count; k++) {
      const b = fitting[k % fitting.length];
      const name = `${String(++n).padStart(4, '0')}-${variant}-${b.type}.${ext}`;
      if (k < fitting.length) checkEncoding(variant, readFileSync(join(b.dir, SOURCE[variant])));
      copyFileSync(join(b.dir, SOURCE[variant]), join(FILES_DIR, name));
      if (variant.startsWith('key') || variant === 'pkcs12' || variant === 'cert-key-pem') chmodSync(join(FILES_DIR, name), 0o600);
      files.push({ name, variant, keyType: b.type, items: items.map((kind) => ({ kind, spkiSha256: b.spki })) });
    }
  }
  const manifest = { version: CORPUS_VERSION, created: new Date().toISOString(), passFile: PASS_FILE, files };
  writeFileSync(MANIFEST, JSON.stringify(manifest, null, 1));
  log(`corpus ready: ${files.length} files`);
  return manifest;
}

/** A sample of one file in `every`, spread across all variants (for slow peers in --quick runs). */
export function sampleFiles(files, every) {
  return every <= 1 ? files : files.filter((_, i) => i % every === 0);
}
