// Row 6: an SPS push to the test suite's SPS REST simulator (test/helpers/sps-sim.ts, bundled at run time and
// started in this process on 127.0.0.1) against what an engineer would otherwise run: the sps-commands.sh that
// `certbench format --target sps` writes (curl + jq + openssl, the same REST transaction). Every run pushes the
// certificate that is NOT being served (two RSA leaves for IP:127.0.0.1 under one throwaway CA, alternating),
// so each one is a real change; after each run `openssl s_client` must see the pushed certificate, and the
// simulator must have committed exactly one change (server only) and hold no open transaction, or the row fails.
// The simulator answers from this process, so every process here that talks to it is spawned asynchronously.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, TMP, ensureDir, medians, nowMs, summary, timeProcessAsync } from '../lib/common.mjs';
import { loadSpsSim } from '../lib/servers.mjs';

const VERIFY_TIMEOUT_S = 30;
// A push that takes longer than this is stuck; the row fails instead of waiting for ever.
const USER = 'admin';
// What every push changes on the simulator, in order (GETs aside); anything else fails the row.
const CHANGES = ['POST /api/transaction', 'POST /api/configuration/x509', 'PUT /api/configuration/management/certificates', 'PUT /api/transaction'];

// Setup only (before the simulator runs), so synchronous is fine here.
function openssl(args, cwd) {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.slice(0, 3).join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

// A throwaway P-256 CA and two RSA-2048 leaves it signs for IP:127.0.0.1 (SPS takes RSA keys only).
function makePki(dir) {
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'ca.key'], dir);
  openssl(['req', '-new', '-x509', '-key', 'ca.key', '-subj', '/O=Certbench Bench/CN=Bench SPS CA', '-days', '30',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', 'ca.crt'], dir);
  writeFileSync(join(dir, 'leaf.ext'), [
    'basicConstraints = critical, CA:FALSE',
    'keyUsage = critical, digitalSignature, keyEncipherment',
    'extendedKeyUsage = serverAuth',
    'subjectAltName = IP:127.0.0.1',
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid',
    '',
  ].join('\n'));
  return ['a', 'b'].map((name, i) => {
    openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', `${name}.key`], dir);
    chmodSync(join(dir, `${name}.key`), 0o600);
    openssl(['req', '-new', '-key', `${name}.key`, '-subj', `/O=Certbench Bench/CN=sps-${name}.bench.example.net`, '-out', `${name}.csr`], dir);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', String(0x5b5 + i), '-days', '30', '-sha256',
      '-extfile', 'leaf.ext', '-out', `${name}.crt`], dir);
    const crt = join(dir, `${name}.crt`);
    const fp = openssl(['x509', '-in', crt, '-noout', '-fingerprint', '-sha256']).trim().replace(/^[^=]*=/, '').toUpperCase();
    return { name, crt, key: join(dir, `${name}.key`), fp };
  });
}

// Wall time the simulator spends per request, from the parsed request head to the answer written, summed.
function meter(server) {
  const m = { handlingMs: 0, requests: 0, connections: 0 };
  if (!server) return undefined;
  server.prependListener('request', (_req, res) => {
    const t = nowMs();
    m.requests++;
    res.once('finish', () => { m.handlingMs += nowMs() - t; });
  });
  // TCP connections, each a TLS handshake: the probes hang up before the server counts a finished handshake.
  server.on('connection', () => { m.connections++; });
  return m;
}

// Milliseconds spent in each step of certbench's push, from its events' `at` times (ms resolution).
function certbenchSteps(result, t0EpochMs, t1EpochMs) {
  const ev = result.events.map((e) => ({ ...e, t: Date.parse(e.at) }));
  const first = (step, status) => ev.find((e) => e.step === step && e.status === status)?.t;
  const span = (a, b) => (a === undefined || b === undefined ? NaN : b - a);
  return {
    'start-up + read files': span(t0EpochMs, first('preflight', 'start')),
    preflight: span(first('preflight', 'start'), first('connect', 'start')),
    'connect (login)': span(first('connect', 'start'), first('connect', 'ok')),
    'inspect (GET settings + object, TLS probe)': span(first('connect', 'ok'), first('inspect', 'ok')),
    'upload (open transaction, POST x509, read back)': span(first('upload', 'start'), first('upload', 'ok')),
    'activate (GET + PUT settings, commit)': span(first('activate', 'start'), first('activate', 'ok')),
    'verify (TLS probe)': span(first('verify', 'start'), first('verify', 'ok')),
    'exit': span(ev.at(-1)?.t, t1EpochMs),
  };
}

// The script's own step lines (`==> 2/7 ...`), timed as they reached this process.
const SCRIPT_STEPS = [
  ['start-up (bash)', null, '1/7'],
  ['1 check tools + x509.json', '1/7', '2/7'],
  ['2 login', '2/7', '3/7'],
  ['3 open transaction', '3/7', '4/7'],
  ['4 POST x509 + read back', '4/7', '5/7'],
  ['5 GET + PUT settings', '5/7', '6/7'],
  ['6 commit', '6/7', '7/7'],
  ['7 verify (s_client)', '7/7', 'Done'],
];
function scriptSteps(lines, totalMs) {
  const at = (tag) => (tag === null ? 0 : lines.find((l) => l.line.startsWith(`==> ${tag}`))?.t);
  const out = {};
  for (const [name, from, to] of SCRIPT_STEPS) {
    const a = at(from);
    const b = at(to);
    out[name] = a === undefined || b === undefined ? NaN : b - a;
  }
  const done = at('Done');
  out.exit = done === undefined ? NaN : totalMs - done;
  return out;
}

export async function run(ctx) {
  for (const tool of ['bash', 'curl', 'jq', 'openssl', 'timeout']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return skipped(`\`${tool}\` is not installed`);
  }
  if (spawnSync('curl', ['--fail-with-body', '--version']).status !== 0) return skipped('curl is older than 7.76 (no --fail-with-body), which sps-commands.sh needs');
  const { startSpsSim, opensslServedSha256 } = await loadSpsSim();
  const work = mkdtempSync(join(ensureDir(TMP), 'sps-push-'));
  const w = (name) => join(work, name);
  let sim;
  try {
    const certs = makePki(work);
    if (certs[0].fp === certs[1].fp) throw new Error('the two certificates have the same fingerprint');
    const ca = w('ca.crt');
    const password = randomBytes(12).toString('base64url');

    // The peer's input: what `certbench format --target sps` writes for each certificate, made once.
    const formatArgs = (c, out) => [BIN, 'format', '--target', 'sps', '--cert', c.crt, '--key', c.key, '--chain', ca, '-o', out];
    for (const c of certs) {
      c.dir = w(`format-${c.name}`);
      await timeProcessAsync(process.execPath, formatArgs(c, c.dir));
      c.script = join(c.dir, 'sps-commands.sh');
      if (!existsSync(c.script) || !existsSync(join(c.dir, 'x509.json'))) throw new Error(`certbench format wrote no sps-commands.sh + x509.json into ${c.dir}`);
    }

    // SPS starts out serving b, so the first push (a) is a change.
    let current = 1;
    sim = await startSpsSim({
      users: [{ name: USER, password }],
      server: { certPem: readFileSync(certs[1].crt, 'utf8'), keyPem: readFileSync(certs[1].key, 'utf8'), chainPems: [readFileSync(ca, 'utf8')] },
    });
    const m = meter(sim.server);
    if ((await opensslServedSha256(sim.port)) !== certs[1].fp) throw new Error('the simulator does not serve the starting certificate');

    const certbenchArgs = (c) => [BIN, 'push', 'sps', '--url', sim.url, '--ca', ca, '--user', USER, '--password-env', 'SPS_PW',
      '--cert', c.crt, '--key', c.key, '--chain', ca, '--verify-timeout', String(VERIFY_TIMEOUT_S), '--json'];
    // As documented in the script; the password goes to curl's prompt on stdin (no terminal in a new session).
    const scriptEnv = { ...process.env, SPS: '127.0.0.1', SPS_PORT: String(sim.port), SPS_USER: USER, SPS_CA: ca };

    const sides = {
      certbench: async (c) => {
        const t0 = Date.now();
        const r = await timeProcessAsync(process.execPath, certbenchArgs(c), { env: { ...process.env, SPS_PW: password } });
        const t1 = Date.now();
        const result = JSON.parse(r.stdout);
        if (result.outcome !== 'pushed' || result.servedSha256 !== c.fp) {
          throw new Error(`certbench push sps: outcome ${result.outcome}, served ${result.servedSha256}: ${result.error?.message ?? ''}`);
        }
        return { ms: r.ms, steps: certbenchSteps(result, t0, t1) };
      },
      script: async (c) => {
        const r = await timeProcessAsync('bash', [c.script], { env: scriptEnv, input: `${password}\n` });
        if (!r.stdout.includes(`served SHA-256: ${c.fp}`)) throw new Error(`sps-commands.sh did not report serving ${c.fp}: ${r.stdout.slice(-400)}`);
        return { ms: r.ms, steps: scriptSteps(r.lines, r.ms) };
      },
    };

    // After every push: s_client sees the pushed certificate, the simulator made exactly this one commit
    // (server changed, ca and tsa kept, the four changing requests all answered 2xx) and holds no transaction.
    const check = async (who, c, before) => {
      const served = await opensslServedSha256(sim.port);
      if (served !== c.fp) throw new Error(`${who}: s_client sees ${served}, not the pushed ${c.fp}`);
      if (sim.servedSha256() !== c.fp) throw new Error(`${who}: the simulator presents ${sim.servedSha256()}, not ${c.fp}`);
      if (sim.commits !== before.commits + 1) throw new Error(`${who}: ${sim.commits - before.commits} commits instead of one`);
      if (sim.transactionOpen()) throw new Error(`${who}: a transaction was left open`);
      const after = sim.committed();
      if (after.server === before.roles.server || after.ca !== before.roles.ca || after.tsa !== before.roles.tsa) {
        throw new Error(`${who}: the commit changed ${JSON.stringify(before.roles)} to ${JSON.stringify(after)}; only server should change`);
      }
      const reqs = sim.requests.slice(before.requests);
      const changing = reqs.filter((q) => q.method !== 'GET').map((q) => `${q.method} ${q.path}`);
      if (JSON.stringify(changing) !== JSON.stringify(CHANGES)) throw new Error(`${who}: changing requests were ${changing.join(', ')}`);
      const bad = reqs.filter((q) => q.status < 200 || q.status >= 300);
      if (bad.length > 0) throw new Error(`${who}: answered ${bad.map((q) => `${q.method} ${q.path} ${q.status}`).join(', ')}`);
      return reqs.length;
    };

    const rounds = ctx.quick ? 5 : 15;
    const names = Object.keys(sides);
    const times = Object.fromEntries(names.map((k) => [k, []]));
    const steps = Object.fromEntries(names.map((k) => [k, []]));
    const simStats = Object.fromEntries(names.map((k) => [k, []]));
    const pushOne = async (name, measured) => {
      const next = 1 - current;
      const before = { commits: sim.commits, roles: sim.committed(), requests: sim.requests.length };
      const m0 = m && { ...m };
      const cpu0 = process.cpuUsage();
      const out = await sides[name](certs[next]);
      const cpu = process.cpuUsage(cpu0);
      const m1 = m && { ...m };
      const requests = await check(name, certs[next], before);
      current = next;
      if (measured) {
        times[name].push(out.ms);
        steps[name].push(out.steps);
        simStats[name].push({
          requests,
          'request handling ms (sum)': m ? m1.handlingMs - m0.handlingMs : NaN,
          'connections (TLS handshakes)': m ? m1.connections - m0.connections : NaN,
          'bench process CPU ms (simulator, TLS, pipes)': (cpu.user + cpu.system) / 1000,
        });
      }
    };
    // One unmeasured push each: page cache, node's code cache, the simulator's first requests.
    for (const name of names) await pushOne(name, false);
    ctx.log(`  ${rounds} rounds of ${names.length} pushes + one \`certbench format\`...`);
    const format = [];
    for (let r = 0; r < rounds; r++) {
      // Rotate the order each round so no side always follows the same one.
      for (let k = 0; k < names.length; k++) await pushOne(names[(k + r) % names.length], true);
      // What the script needs first, timed for the record (it touches no server).
      const out = w('format-round');
      rmSync(out, { recursive: true, force: true });
      format.push((await timeProcessAsync(process.execPath, formatArgs(certs[r % 2], out))).ms);
    }

    const s = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, summary(v)]));
    const sf = summary(format);
    const simMedians = Object.fromEntries(names.map((k) => [k, medians(simStats[k])]));
    const handling = (k) => simMedians[k]['request handling ms (sum)'];
    return {
      title: 'SPS push',
      results: [{
        id: '6',
        name: `SPS push, REST simulator on 127.0.0.1 (median of ${rounds})`,
        certbench: { what: 'certbench push sps --ca (one process, node:https)', ms: s.certbench.median, stats: s.certbench },
        peers: [
          { what: 'sps-commands.sh from `certbench format` (curl + jq + openssl)', ms: s.script.median, stats: s.script },
        ],
        info: [
          { what: 'simulator request handling per certbench push (sum)', ms: handling('certbench') },
          { what: 'simulator request handling per script push (sum)', ms: handling('script') },
          { what: 'certbench format --target sps (writes the script, once)', ms: sf.median, stats: sf },
        ],
        // Where the time goes, median ms per step (certbench: its --json events; the script: its step lines),
        // and what the simulator saw per push.
        steps: { certbench: medians(steps.certbench), script: medians(steps.script) },
        simulator: simMedians,
      }],
    };
  } finally {
    await sim?.close();
    rmSync(work, { recursive: true, force: true });
  }
}

function skipped(why) {
  return { title: 'SPS push', results: [{ id: '6', name: 'SPS push vs sps-commands.sh (curl + jq + openssl)', skipped: why }] };
}
