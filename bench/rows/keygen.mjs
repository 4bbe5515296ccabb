// Row 1: key generation. certbench's core (generatePrivateKey, in this process) against `openssl genpkey`
// processes, taken in turns so both see the same machine load. OpenSSL's figure includes starting a
// process; its in-process estimate subtracts the median of `openssl genpkey -algorithm ED25519`, a
// generation that costs microseconds, so what remains of that run is process start, provider loading
// and writing the key.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, nowMs, summary, timeProcess } from '../lib/common.mjs';

const CASES = [
  { id: '1a', name: 'keygen RSA-2048', params: { alg: 'rsa', bits: 2048 }, openssl: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], runs: 25, quickRuns: 5 },
  { id: '1b', name: 'keygen RSA-4096', params: { alg: 'rsa', bits: 4096 }, openssl: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:4096'], runs: 21, quickRuns: 3 },
  { id: '1c', name: 'keygen ECDSA P-256', params: { alg: 'ecdsa', curve: 'P-256' }, openssl: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], runs: 50, quickRuns: 10 },
];

const genpkey = (args) => timeProcess('openssl', ['genpkey', ...args, '-out', '/dev/null']).ms;

export async function run(ctx) {
  const { generatePrivateKey } = await import(pathToFileURL(join(ROOT, 'dist/core/pki/keys.js')).href);
  // Warm both sides once: the first call pays for loading code, which is not what this row measures.
  await generatePrivateKey({ alg: 'ecdsa' });
  genpkey(['-algorithm', 'ED25519']);

  const floorRuns = ctx.quick ? 10 : 40;
  const floor = [];
  const version = [];
  for (let i = 0; i < floorRuns; i++) {
    floor.push(genpkey(['-algorithm', 'ED25519']));
    version.push(timeProcess('openssl', ['version']).ms);
  }
  const floorMs = summary(floor).median;

  const results = [];
  for (const c of CASES) {
    const n = ctx.quick ? c.quickRuns : c.runs;
    ctx.log(`  ${c.name}: ${n} runs each...`);
    const ours = [];
    const theirs = [];
    for (let i = 0; i < n; i++) {
      // Alternate who goes first so neither side always runs right after the other's burst.
      const mine = async () => {
        const t0 = nowMs();
        await generatePrivateKey(c.params);
        ours.push(nowMs() - t0);
      };
      if (i % 2 === 0) {
        await mine();
        theirs.push(genpkey(c.openssl));
      } else {
        theirs.push(genpkey(c.openssl));
        await mine();
      }
    }
    const cb = summary(ours);
    const os = summary(theirs);
    const inProcess = Math.max(0, os.median - floorMs);
    results.push({
      id: c.id,
      name: `${c.name} (median of ${n})`,
      certbench: { what: 'core generatePrivateKey, in-process', ms: cb.median, stats: cb },
      peers: [
        { what: 'openssl genpkey (process, incl. start)', ms: os.median, stats: os },
        { what: 'openssl in-process est. (genpkey - Ed25519 genpkey)', ms: inProcess, estimate: true },
      ],
    });
  }
  return {
    title: 'Key generation',
    results,
    extra: { opensslEd25519GenpkeyMs: summary(floor), opensslVersionMs: summary(version) },
  };
}
