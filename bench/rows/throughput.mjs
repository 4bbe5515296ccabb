// Row 2: inspect + match throughput over the 2,000-file corpus (bench/lib/corpus.mjs).
//   certbench: one `certbench match` / `certbench inspect` process over every file (start-up included);
//   openssl:   the shell loop an engineer would write, a pipeline of `openssl` processes per item;
//   python:    one python3 process with pyca/cryptography (bench/py/spki.py), start-up included.
// Every answer is checked against the SPKI hashes OpenSSL computed when the corpus was made: a tool
// that gets an item wrong fails the row instead of producing a figure.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BIN, ROOT, TMP, summary, timeProcess } from '../lib/common.mjs';
import { FILES_DIR, PASS_FILE, ensureCorpus, sampleFiles } from '../lib/corpus.mjs';

const PY = join(ROOT, 'bench/py/spki.py');

function expectItems(manifest) {
  const byFile = new Map();
  for (const f of manifest.files) byFile.set(relative(ROOT, join(FILES_DIR, f.name)), f.items);
  return byFile;
}

// Compares one tool's answer, file by file: the same kinds in the same order with the same hashes.
function check(tool, want, got) {
  const problems = [];
  for (const [file, items] of want) {
    const mine = got.get(file) ?? [];
    const a = items.map((i) => `${i.kind}:${i.spkiSha256}`).join(' ');
    const b = mine.map((i) => `${i.kind}:${i.spkiSha256}`).join(' ');
    if (a !== b) problems.push(`${file}: want ${a || 'nothing'}, ${tool} said ${b || 'nothing'}`);
  }
  if (problems.length > 0) throw new Error(`${tool} answered ${problems.length} file(s) wrongly, e.g. ${problems.slice(0, 3).join('; ')}`);
}

function groupByFile(items) {
  const m = new Map();
  for (const i of items) m.set(i.file, [...(m.get(i.file) ?? []), { kind: i.kind, spkiSha256: i.spkiSha256 }]);
  return m;
}

// One pipeline per item certbench match reports: what `openssl` needs to print a SubjectPublicKeyInfo hash.
function opensslScript(files, manifest) {
  const pass = `file:${PASS_FILE}`;
  const byName = new Map(manifest.files.map((f) => [relative(ROOT, join(FILES_DIR, f.name)), f]));
  const hash = '| openssl pkey -pubin -outform DER | openssl dgst -sha256 -r';
  const lines = ['#!/bin/sh', 'set -e'];
  for (const file of files) {
    const f = byName.get(file);
    const der = f.variant.endsWith('-der') ? ' -inform DER' : '';
    const q = `'${file}'`;
    const out = (kind, cmd) => lines.push(`printf '%s %s ' ${q} ${kind}; ${cmd}`);
    if (f.variant === 'pkcs12') {
      out('private-key', `openssl pkcs12 -in ${q} -nocerts -noenc -passin ${pass} | openssl pkey -pubout -outform DER | openssl dgst -sha256 -r`);
      out('certificate', `openssl pkcs12 -in ${q} -nokeys -clcerts -passin ${pass} | openssl x509 -noout -pubkey ${hash}`);
    } else if (f.variant.startsWith('key-')) {
      out('private-key', `openssl pkey -in ${q}${der} -passin ${pass} -pubout -outform DER | openssl dgst -sha256 -r`);
    } else if (f.variant.startsWith('csr-')) {
      out('csr', `openssl req -in ${q}${der} -noout -pubkey ${hash}`);
    } else {
      out('certificate', `openssl x509 -in ${q}${der} -noout -pubkey ${hash}`);
      if (f.variant === 'cert-key-pem') out('private-key', `openssl pkey -in ${q} -pubout -outform DER | openssl dgst -sha256 -r`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function parseOpenssl(stdout) {
  const m = new Map();
  for (const line of stdout.split('\n')) {
    const [file, kind, hash] = line.trim().split(/\s+/);
    if (!file || !hash) continue;
    m.set(file, [...(m.get(file) ?? []), { kind, spkiSha256: hash }]);
  }
  return m;
}

export function pythonProblem() {
  const r = spawnSync('python3', ['-c', 'import cryptography, sys; sys.stdout.write(cryptography.__version__)'], { encoding: 'utf8' });
  if (r.error) return 'python3 is not installed';
  if (r.status !== 0) return 'the python3 module "cryptography" is not installed (apt-get install python3-cryptography)';
  return undefined;
}

export async function run(ctx) {
  const manifest = await ensureCorpus(ctx.log);
  const want = expectItems(manifest);
  const files = [...want.keys()];
  const reps = ctx.quick ? 1 : 5;
  const pass = relative(ROOT, PASS_FILE);
  const results = [];
  const extra = { files: files.length, items: manifest.files.reduce((n, f) => n + f.items.length, 0) };

  // certbench: match, then inspect, each over the whole folder, `reps` times; the median is reported.
  const certbench = {};
  for (const verb of ['match', 'inspect']) {
    const times = [];
    for (let r = 0; r < reps; r++) {
      ctx.log(`  certbench ${verb} over ${files.length} files (${r + 1}/${reps})...`);
      const { ms, stdout } = timeProcess(process.execPath, [BIN, verb, '--json', '--passphrase-file', pass, ...files], { captureStdout: true, okCodes: [0, 1] });
      times.push(ms);
      if (r === 0) {
        const out = JSON.parse(stdout);
        if (verb === 'match') {
          check('certbench match', want, groupByFile(out.items));
        } else {
          // inspect lists every certificate of a bundle; its first one per file (and every key/CSR) must match.
          const seen = new Set();
          const firsts = out.items.filter((i) => i.kind !== 'certificate' || (!seen.has(i.file) && seen.add(i.file)));
          check('certbench inspect', want, groupByFile(firsts));
          extra.inspectItems = out.items.length;
        }
      }
    }
    certbench[verb] = summary(times);
  }

  // OpenSSL shell loop: long (several processes per file), so once; --quick runs one file in ten.
  const every = ctx.quick ? 10 : 1;
  const sample = sampleFiles(files, every);
  const script = join(TMP, 'openssl-loop.sh');
  writeFileSync(script, opensslScript(sample, manifest));
  ctx.log(`  openssl loop over ${sample.length} files (several processes each)...`);
  const os = timeProcess('sh', [script], { captureStdout: true });
  check('openssl loop', new Map(sample.map((f) => [f, want.get(f)])), parseOpenssl(os.stdout));
  const opensslPerFile = os.ms / sample.length;

  // Python: same folder, one process, `reps` times.
  const pyProblem = pythonProblem();
  let py;
  if (!pyProblem) {
    const times = [];
    let inner;
    for (let r = 0; r < reps; r++) {
      ctx.log(`  python3 + cryptography over ${files.length} files (${r + 1}/${reps})...`);
      const { ms, stdout } = timeProcess('python3', [PY, pass, ...files], { captureStdout: true });
      times.push(ms);
      const out = JSON.parse(stdout);
      if (r === 0) check('python cryptography', want, new Map(out.files.map((f) => [f.file, f.items])));
      inner = { importMs: out.importMs, workMs: out.workMs };
    }
    py = { ...summary(times), ...inner };
  }

  const n = files.length;
  const perSec = (ms, count = n) => count / (ms / 1000);
  for (const verb of ['match', 'inspect']) {
    const ms = certbench[verb].median;
    const peers = [{ what: `openssl loop${every > 1 ? ` (1 file in ${every})` : ''}`, ms: opensslPerFile * n, filesPerSec: perSec(os.ms, sample.length), stats: { n: 1, ranFiles: sample.length, ms: os.ms } }];
    if (py) peers.push({ what: 'python3 + cryptography (process)', ms: py.median, filesPerSec: perSec(py.median), stats: py });
    else peers.push({ what: 'python3 + cryptography', skipped: pyProblem });
    results.push({
      id: verb === 'match' ? '2a' : '2b',
      name: `certbench ${verb}, ${n} mixed files`,
      certbench: { what: `one certbench ${verb} process`, ms, filesPerSec: perSec(ms), stats: certbench[verb] },
      peers,
    });
  }
  return { title: 'Inspect + match throughput', results, extra: { ...extra, python: py ?? { skipped: pyProblem } } };
}
