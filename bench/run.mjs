// `npm run bench` (which builds the CLI first): runs the benchmark rows, prints one table and saves the
// figures with the machine they were taken on to bench/results/<date-time>.json. See BENCHMARKS.md.
//
//   node bench/run.mjs [--quick] [--only N[,N...]]
//     --quick   few repetitions (and one file in ten for the OpenSSL loop): for checking the harness
//     --only N  rows to run, 1-6 (repeatable, or comma-separated)
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, release, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { BIN, RESULTS, ROOT, costRatio, ensureDir, fmtBytes, fmtMs, nowMs, versionOf } from './lib/common.mjs';

const ROWS = {
  1: () => import('./rows/keygen.mjs'),
  2: () => import('./rows/throughput.mjs'),
  3: () => import('./rows/cold-start.mjs'),
  4: () => import('./rows/renderer.mjs'),
  5: () => import('./rows/push.mjs'),
  6: () => import('./rows/push-sps.mjs'),
};

function parseArgs(argv) {
  const opts = { quick: false, only: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') opts.quick = true;
    else if (a === '--only' || a.startsWith('--only=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      for (const n of String(v ?? '').split(',')) {
        if (!ROWS[n.trim()]) throw new Error(`--only takes row numbers 1-${Object.keys(ROWS).length}, got "${n}"`);
        opts.only.push(Number(n.trim()));
      }
    } else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: node bench/run.mjs [--quick] [--only N[,N...]]  (rows: 1 keygen, 2 throughput, 3 cold start, 4 renderer, 5 push, 6 SPS push)\n');
      process.exit(0);
    } else {
      throw new Error(`unknown option "${a}" (try --help)`);
    }
  }
  if (opts.only.length === 0) opts.only = Object.keys(ROWS).map(Number);
  return opts;
}

function machine() {
  const py = spawnSync('python3', ['-c', 'import cryptography, sys; print(sys.version.split()[0], cryptography.__version__)'], { encoding: 'utf8' });
  const [python, cryptography] = py.status === 0 ? py.stdout.trim().split(' ') : [versionOf('python3', ['--version']), undefined];
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
    freeMemoryGiB: Number((freemem() / 2 ** 30).toFixed(1)),
    os: `${process.platform} ${release()}`,
    loadAverage: loadavg().map((x) => Number(x.toFixed(2))),
    node: process.version,
    openssl: versionOf('openssl', ['version']),
    nodeOpenssl: process.versions.openssl,
    python: python ?? null,
    cryptography: cryptography ?? null,
    chromium: existsSync('/usr/bin/chromium') ? versionOf('/usr/bin/chromium', ['--version']) : null,
    certbench: versionOf(process.execPath, [BIN, '--version']),
  };
}

// One table line per certbench/peer pair; a skipped row or peer says why.
function tableLines(rows) {
  const lines = [];
  for (const row of rows) {
    for (const r of row.results) {
      if (r.skipped) {
        lines.push([r.id, r.name, '-', r.skipped, '', '']);
        continue;
      }
      const bytes = r.certbench.bytes !== undefined;
      const fig = (x) => (bytes ? fmtBytes(x.bytes) : `${fmtMs(x.ms)}${x.filesPerSec ? ` (${x.filesPerSec.toFixed(0)} files/s)` : ''}`);
      r.peers.forEach((p, i) => {
        const first = i === 0;
        if (p.skipped) {
          lines.push([first ? r.id : '', first ? r.name : '', first ? fig(r.certbench) : '', `${p.what}: skipped, ${p.skipped}`, '', '']);
          return;
        }
        const ratio = bytes ? costRatio(r.certbench.bytes, p.bytes, ['smaller', 'larger']) : costRatio(r.certbench.ms, p.ms);
        p.ratio = ratio.ratio;
        lines.push([first ? r.id : '', first ? r.name : '', first ? fig(r.certbench) : '', p.what, fig(p), ratio.text]);
      });
      for (const info of r.info ?? []) lines.push(['', '', '', `(info) ${info.what}`, fmtMs(info.ms), '']);
    }
  }
  const head = ['#', 'measure', 'certbench', 'peer', 'peer figure', 'certbench is'];
  const widths = head.map((h, c) => Math.max(h.length, ...lines.map((l) => String(l[c]).length)));
  const fmt = (l) => l.map((x, c) => String(x).padEnd(widths[c])).join(' | ').trimEnd();
  return [fmt(head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...lines.map(fmt)];
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const log = (m) => process.stderr.write(`${m}\n`);
  if (!existsSync(join(ROOT, 'dist/core/pki/keys.js'))) throw new Error('dist/ is not built: run `npm run bench` (or `npm run build:cli` first)');
  const started = new Date();
  const t0 = nowMs();
  const info = machine();
  log(`certbench bench${opts.quick ? ' --quick' : ''}: rows ${opts.only.join(', ')} on ${info.cpu} x${info.cores}, load average ${info.loadAverage.join(' ')}`);
  const rows = [];
  for (const n of opts.only) {
    const mod = await ROWS[n]();
    log(`row ${n}...`);
    const rt0 = nowMs();
    try {
      rows.push({ row: n, ...(await mod.run({ quick: opts.quick, log })), ms: nowMs() - rt0 });
    } catch (e) {
      // One broken row must not hide the others' figures; it is reported as failed, and the exit code says so.
      log(`row ${n} failed: ${e instanceof Error ? e.stack : String(e)}`);
      rows.push({ row: n, title: `row ${n}`, failed: String(e instanceof Error ? e.message : e), results: [{ id: String(n), name: `row ${n}`, skipped: `FAILED: ${String(e instanceof Error ? e.message : e).slice(0, 200)}` }] });
    }
  }
  const table = tableLines(rows);
  process.stdout.write(`\n${table.join('\n')}\n\n`);
  process.stdout.write('Figures are medians of wall-clock time (files/s: files / that time). "certbench is" compares certbench\'s figure with that\npeer\'s. Figures for `openssl` processes include starting the process. Load average at start: see machine.loadAverage.\n');

  ensureDir(RESULTS);
  const name = `${started.toISOString().replace(/[:.]/g, '-').replace('T', '_').slice(0, 19)}${opts.quick ? '-quick' : ''}.json`;
  const file = join(RESULTS, name);
  writeFileSync(file, `${JSON.stringify({ version: 1, startedAt: started.toISOString(), durationMs: Math.round(nowMs() - t0), options: opts, machine: info, table, rows }, null, 2)}\n`);
  process.stdout.write(`results saved to ${relative(ROOT, file)}\n`);
  return rows.some((r) => r.failed) ? 1 : 0;
}

main().then((code) => { process.exitCode = code; }, (e) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
});
