// Row 3: CLI cold start. `certbench inspect one.crt` against `node -e 0` (the floor for any Node
// program) and `openssl x509 -noout -text` (what an engineer types instead). Every command runs once
// per round, in turns, timed around spawnSync; the figure is the median over the rounds.
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, TMP, ensureDir, summary, timeProcess } from '../lib/common.mjs';
import { ensureCorpus } from '../lib/corpus.mjs';

export async function run(ctx) {
  await ensureCorpus(ctx.log);
  ensureDir(TMP);
  // A typical device certificate: RSA-2048 leaf with DNS and IP names, issued by an intermediate.
  const crt = join(TMP, 'one.crt');
  copyFileSync(join(TMP, 'corpus/base/0/cert.pem'), crt);
  const unbundled = join(ROOT, 'dist/cli/index.js');

  const commands = {
    certbench: [process.execPath, [BIN, 'inspect', crt]],
    node: [process.execPath, ['-e', '0']],
    openssl: ['openssl', ['x509', '-noout', '-text', '-in', crt]],
    version: [process.execPath, [BIN, '--version']],
    ...(existsSync(unbundled) ? { unbundled: [process.execPath, [unbundled, 'inspect', crt]] } : {}),
  };
  const rounds = ctx.quick ? 9 : 41;
  const times = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  // One unmeasured round fills the page cache for every file involved.
  for (const [cmd, args] of Object.values(commands)) timeProcess(cmd, args);
  ctx.log(`  ${rounds} rounds of ${Object.keys(commands).length} commands...`);
  for (let r = 0; r < rounds; r++) {
    const order = Object.keys(commands);
    // Rotate the order each round so no command always follows the same one.
    for (let k = 0; k < order.length; k++) {
      const name = order[(k + r) % order.length];
      const [cmd, args] = commands[name];
      times[name].push(timeProcess(cmd, args).ms);
    }
  }
  const s = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, summary(v)]));
  const cb = { what: 'certbench inspect one.crt', ms: s.certbench.median, stats: s.certbench };
  return {
    title: 'CLI cold start',
    results: [{
      id: '3',
      name: `cold start, inspect one certificate (median of ${rounds})`,
      certbench: cb,
      peers: [
        { what: 'node -e 0 (floor for any Node program)', ms: s.node.median, stats: s.node },
        { what: 'openssl x509 -noout -text -in one.crt', ms: s.openssl.median, stats: s.openssl },
      ],
      info: [
        { what: 'certbench --version (start-up without a verb)', ms: s.version.median, stats: s.version },
        ...(s.unbundled ? [{ what: 'certbench inspect via dist/cli (no bundle, no code cache)', ms: s.unbundled.median, stats: s.unbundled }] : []),
      ],
    }],
  };
}
