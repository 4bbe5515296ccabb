// Row 5: an Apstra push to a local sshd + nginx (the test suite's own helpers, test/helpers/sshd.ts and
// nginx.ts, bundled at run time) against the same safe steps done by hand: `scp` both files to temporary
// names, one `ssh` that backs up with `cp -p`, renames with `mv` and restarts nginx, then `openssl
// s_client` until the new fingerprint is served. Every run pushes the certificate that is NOT being served
// (two certificates for apstra.example.net, alternating), so each one is a real change that has to be
// verified; after each run `openssl s_client` must see the pushed fingerprint, or the row fails.
// Everything talks to 127.0.0.1 only.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, ROOT, medians, summary, timeProcessAsync } from '../lib/common.mjs';
import { loadServerHelpers } from '../lib/servers.mjs';

const SERVER_NAME = 'apstra.example.net';
const VERIFY_TIMEOUT_S = 30;
// A push that takes longer than this is stuck; the row fails instead of waiting for ever.
const pki = (name) => join(ROOT, 'test/fixtures/pki', name);

function openssl(args, input) {
  const r = spawnSync('openssl', args, { input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.slice(0, 3).join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

// `AB:CD:...` of the first certificate in a PEM text, as `openssl x509 -fingerprint -sha256` prints it.
const fingerprintOf = (pem) => openssl(['x509', '-noout', '-fingerprint', '-sha256'], pem).trim().replace(/^[^=]*=/, '').toUpperCase();

// What nginx serves now, read by `openssl s_client` (the oracle, independent of both sides).
function servedFingerprint(port) {
  const r = spawnSync('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', SERVER_NAME], { input: '', encoding: 'utf8' });
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(r.stdout)?.[0];
  if (!pem) throw new Error(`openssl s_client read no certificate from 127.0.0.1:${port}: ${r.stderr.slice(0, 300)}`);
  return fingerprintOf(pem);
}

// The second certificate: a fresh P-256 key for the same name, issued by the lab's issuing CA like ec.crt.
function makeSecondCert(dir) {
  const key = join(dir, 'b.key');
  const csr = join(dir, 'b.csr');
  const crt = join(dir, 'b.crt');
  const ext = join(dir, 'b.ext');
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key]);
  chmodSync(key, 0o600);
  openssl(['req', '-new', '-key', key, '-subj', `/C=US/O=Certbench Lab/CN=${SERVER_NAME}`, '-out', csr]);
  writeFileSync(ext, [
    'basicConstraints = critical, CA:FALSE',
    'keyUsage = critical, digitalSignature',
    'extendedKeyUsage = serverAuth',
    `subjectAltName = DNS:${SERVER_NAME}`,
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid',
    '',
  ].join('\n'));
  openssl(['x509', '-req', '-in', csr, '-CA', pki('int.crt'), '-CAkey', pki('int.key'), '-set_serial', '0x5e77', '-days', '30', '-sha256', '-extfile', ext, '-out', crt]);
  return { crt, key };
}

// What an engineer who knows the safe procedure types, as one script; parameters come in the environment.
// SHARE=1 opens one SSH connection first and runs scp/ssh through it (ControlMaster), closing it at the end.
const MANUAL_SCRIPT = `#!/bin/bash
set -euo pipefail
mark() { echo "mark $1 $EPOCHREALTIME"; }
opts=(-F /dev/null -o BatchMode=yes -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes -o "UserKnownHostsFile=$KNOWN_HOSTS" -i "$IDENTITY")
target="$SSH_USER@$SSH_HOST"
mark start
if [ "$SHARE" = 1 ]; then
  opts+=(-o "ControlPath=$CM_DIR/cm-%C")
  ssh "\${opts[@]}" -p "$SSH_PORT" -o ControlMaster=yes -o ControlPersist=yes -f -N "$target"
  trap 'ssh "\${opts[@]}" -p "$SSH_PORT" -O exit "$target" 2>/dev/null || true' EXIT
  mark master
fi
printf -v qdir %q "$NGINX_DIR"
printf -v qrestart %q "$RESTART"
# 1. both files under temporary names next to the live ones (-p keeps the key's 0600)
scp -q -p "\${opts[@]}" -P "$SSH_PORT" "$CRT" "$target:$NGINX_DIR/nginx.crt.new"
mark scp-crt
scp -q -p "\${opts[@]}" -P "$SSH_PORT" "$KEY" "$target:$NGINX_DIR/nginx.key.new"
mark scp-key
# 2. back up, rename into place, restart: one command line on the server
ssh "\${opts[@]}" -p "$SSH_PORT" "$target" "set -e; cd $qdir; ts=\\$(date +%Y%m%dT%H%M%S%N); cp -p nginx.crt nginx.crt.\\$ts.bak; cp -p nginx.key nginx.key.\\$ts.bak; chmod 600 nginx.key.new; mv -f nginx.key.new nginx.key; mv -f nginx.crt.new nginx.crt; $qrestart"
mark ssh
# 3. until the new certificate is served (bounded)
want=$(openssl x509 -noout -fingerprint -sha256 -in "$CRT")
want=\${want#*=}
for i in $(seq 1 "$TRIES"); do
  got=$(openssl s_client -connect "$SSH_HOST:$HTTPS_PORT" -servername "$SERVER_NAME" </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256 2>/dev/null || true)
  if [ "\${got#*=}" = "$want" ]; then mark verify; echo "attempts $i"; exit 0; fi
  sleep 1
done
echo "after $TRIES attempts $SSH_HOST:$HTTPS_PORT still does not serve $want" >&2
exit 1
`;

// Milliseconds between the `mark NAME <epoch seconds>` lines the manual script prints.
function marks(stdout, t0EpochMs) {
  const out = {};
  let prev = t0EpochMs;
  for (const m of stdout.matchAll(/^mark (\S+) (\d+\.\d+)$/gm)) {
    const t = Number(m[2]) * 1000;
    out[m[1]] = t - prev;
    prev = t;
  }
  return out;
}

// Milliseconds spent in each step of certbench's push, from its events' `at` times (ms resolution).
function certbenchSteps(result, t0EpochMs, t1EpochMs) {
  const ev = result.events.map((e) => ({ ...e, t: Date.parse(e.at) }));
  const first = (step, status) => ev.find((e) => e.step === step && e.status === status)?.t;
  const restartFrom = ev.find((e) => e.step === 'activate' && e.status === 'info')?.t;
  const span = (a, b) => (a === undefined || b === undefined ? NaN : b - a);
  return {
    'start-up + read files': span(t0EpochMs, first('preflight', 'start')),
    preflight: span(first('preflight', 'start'), first('connect', 'start')),
    'connect (SSH handshake + auth)': span(first('connect', 'start'), first('connect', 'ok')),
    'inspect (SFTP reads + TLS probe)': span(first('connect', 'ok'), first('inspect', 'ok')),
    backup: span(first('backup', 'start'), first('backup', 'ok')),
    upload: span(first('upload', 'start'), first('upload', 'ok')),
    'rename (mv)': span(first('activate', 'start'), restartFrom),
    restart: span(restartFrom, first('activate', 'ok')),
    verify: span(first('verify', 'start'), first('verify', 'ok')),
    'close + exit': span(ev.at(-1)?.t, t1EpochMs),
  };
}

export async function run(ctx) {
  for (const tool of ['/usr/sbin/sshd', '/usr/sbin/nginx']) {
    if (!existsSync(tool)) return skipped(`${tool} is not installed (apt-get install openssh-server nginx)`);
  }
  for (const tool of ['ssh', 'scp', 'openssl']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return skipped(`\`${tool}\` is not installed`);
  }
  const { startSshd, startNginx } = await loadServerHelpers();
  // Short, because OpenSSH's ControlPath socket name must fit in a Unix socket address.
  const work = mkdtempSync(join(tmpdir(), 'cbpush-'));
  const w = (name) => join(work, name);
  let sshd;
  let nginx;
  try {
    const b = makeSecondCert(work);
    const certs = [
      { name: 'ec', crt: pki('ec.crt'), key: pki('ec.key') },
      { name: 'b', crt: b.crt, key: b.key },
    ].map((c) => {
      // nginx.crt is the leaf then the issuing CA (what certbench writes); the manual side pushes the same file.
      const fullchain = readFileSync(c.crt, 'utf8') + readFileSync(pki('int.crt'), 'utf8');
      const fullchainPath = w(`${c.name}.fullchain.crt`);
      writeFileSync(fullchainPath, fullchain);
      const keyPath = w(`${c.name}.key`);
      writeFileSync(keyPath, readFileSync(c.key), { mode: 0o600 });
      return { ...c, fullchain, fullchainPath, keyPath, fp: fingerprintOf(fullchain) };
    });
    if (certs[0].fp === certs[1].fp) throw new Error('the two certificates have the same fingerprint');

    const dir = w('nginx.conf.d');
    mkdirSync(dir);
    writeFileSync(join(dir, 'nginx.crt'), certs[1].fullchain, { mode: 0o644 });
    writeFileSync(join(dir, 'nginx.key'), readFileSync(certs[1].key), { mode: 0o600 });
    let current = 1;

    sshd = await startSshd();
    nginx = await startNginx({ certPath: join(dir, 'nginx.crt'), keyPath: join(dir, 'nginx.key') });
    if (servedFingerprint(nginx.port) !== certs[1].fp) throw new Error('nginx does not serve the starting certificate');
    const knownHosts = w('known_hosts');
    writeFileSync(knownHosts, `[127.0.0.1]:${sshd.port} ${sshd.hostKeyPub}\n`);
    const identity = sshd.clientKey.path;
    const script = w('push-by-hand.sh');
    writeFileSync(script, MANUAL_SCRIPT, { mode: 0o755 });
    const cmDir = w('cm');
    mkdirSync(cmDir, { mode: 0o700 });

    const certbenchArgs = (c) => [BIN, 'push', 'apstra', '--host', '127.0.0.1', '--port', String(sshd.port), '--user', sshd.user,
      '--identity', identity, '--host-key', sshd.hostKeyFingerprint,
      '--cert', c.crt, '--key', c.key, '--chain', pki('int.crt'),
      '--server-name', SERVER_NAME, '--nginx-dir', dir, '--restart-cmd', nginx.restartScript,
      '--https-port', String(nginx.port), '--verify-timeout', String(VERIFY_TIMEOUT_S), '--json'];
    const manualEnv = (c, share) => ({
      ...process.env, SHARE: share ? '1' : '0', CM_DIR: cmDir, KNOWN_HOSTS: knownHosts, IDENTITY: identity,
      SSH_USER: sshd.user, SSH_HOST: '127.0.0.1', SSH_PORT: String(sshd.port), NGINX_DIR: dir, RESTART: nginx.restartScript,
      CRT: c.fullchainPath, KEY: c.keyPath, HTTPS_PORT: String(nginx.port), SERVER_NAME, TRIES: String(VERIFY_TIMEOUT_S),
    });

    // After every push: the pushed certificate is served, the live files are the pushed ones, exactly two
    // backups of the previous ones were made and nothing temporary is left. Then the backups go, so every
    // run starts from the same folder.
    const check = (who, c, prev) => {
      const served = servedFingerprint(nginx.port);
      if (served !== c.fp) throw new Error(`${who}: nginx serves ${served}, not the pushed ${c.fp}`);
      if (readFileSync(join(dir, 'nginx.crt'), 'utf8') !== c.fullchain) throw new Error(`${who}: nginx.crt is not the pushed leaf + chain`);
      const names = readdirSync(dir);
      const baks = names.filter((n) => n.endsWith('.bak'));
      const stray = names.filter((n) => !['nginx.crt', 'nginx.key'].includes(n) && !n.endsWith('.bak'));
      if (stray.length > 0) throw new Error(`${who}: left ${stray.join(', ')} in the nginx folder`);
      if (baks.length !== 2 || !baks.some((n) => readFileSync(join(dir, n), 'utf8') === prev.fullchain)) {
        throw new Error(`${who}: expected two backups, one holding the previous nginx.crt; found ${baks.join(', ') || 'none'}`);
      }
      for (const n of baks) rmSync(join(dir, n));
    };

    const sides = {
      certbench: async (c) => {
        const t0 = Date.now();
        const r = await timeProcessAsync(process.execPath, certbenchArgs(c));
        const t1 = Date.now();
        const result = JSON.parse(r.stdout);
        if (result.outcome !== 'pushed' || result.servedSha256 !== c.fp) {
          throw new Error(`certbench push: outcome ${result.outcome}, served ${result.servedSha256}: ${result.error?.message ?? ''}`);
        }
        return { ms: r.ms, steps: certbenchSteps(result, t0, t1) };
      },
      manual: (c) => manual(c, false),
      shared: (c) => manual(c, true),
    };
    async function manual(c, share) {
      const t0 = Date.now();
      const r = await timeProcessAsync('bash', [script], { env: manualEnv(c, share) });
      const attempts = Number(/^attempts (\d+)$/m.exec(r.stdout)?.[1]);
      return { ms: r.ms, steps: { ...marks(r.stdout, t0), 'verify attempts': attempts } };
    }

    const rounds = ctx.quick ? 5 : 15;
    const names = Object.keys(sides);
    const times = Object.fromEntries(names.map((k) => [k, []]));
    const steps = Object.fromEntries(names.map((k) => [k, []]));
    const pushOne = async (name, measured) => {
      const next = 1 - current;
      const out = await sides[name](certs[next]);
      check(name, certs[next], certs[current]);
      current = next;
      if (measured) {
        times[name].push(out.ms);
        steps[name].push(out.steps);
      }
    };
    // One unmeasured push each: page cache, sshd's first fork, node's code cache.
    for (const name of names) await pushOne(name, false);
    ctx.log(`  ${rounds} rounds of ${names.length} pushes (each restarts nginx)...`);
    for (let r = 0; r < rounds; r++) {
      // Rotate the order each round so no side always follows the same one.
      for (let k = 0; k < names.length; k++) await pushOne(names[(k + r) % names.length], true);
    }
    // The floor both sides wait for: the restart script alone, run here without SSH.
    const restart = [];
    for (let i = 0; i < rounds; i++) restart.push((await timeProcessAsync(nginx.restartScript, [])).ms);
    if (servedFingerprint(nginx.port) !== certs[current].fp) throw new Error('nginx serves something else after the restart-only runs');

    const s = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, summary(v)]));
    const sr = summary(restart);
    return {
      title: 'Apstra push',
      results: [{
        id: '5',
        name: `Apstra push, local sshd + nginx (median of ${rounds})`,
        certbench: { what: 'certbench push apstra (one SSH connection, SFTP)', ms: s.certbench.median, stats: s.certbench },
        peers: [
          { what: 'scp x2 + ssh + openssl s_client loop (3 SSH connections)', ms: s.manual.median, stats: s.manual },
        ],
        info: [
          { what: 'same script over one shared SSH connection (ControlMaster)', ms: s.shared.median, stats: s.shared },
          { what: 'the nginx restart script alone (floor, no SSH)', ms: sr.median, stats: sr },
        ],
        // Where the time goes, median ms per step (certbench: from its --json events; the script: its marks).
        steps: { certbench: medians(steps.certbench), manual: medians(steps.manual), shared: medians(steps.shared) },
      }],
    };
  } finally {
    // The shared connection's master, should a failed script have left it running.
    if (sshd && existsSync(w('cm')) && readdirSync(w('cm')).length > 0) {
      spawnSync('ssh', ['-F', '/dev/null', '-o', `ControlPath=${w('cm')}/cm-%C`, '-p', String(sshd.port), '-O', 'exit', `${sshd.user}@127.0.0.1`], { stdio: 'ignore' });
    }
    await nginx?.stop();
    await sshd?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

function skipped(why) {
  return { title: 'Apstra push', results: [{ id: '5', name: 'Apstra push vs scp + ssh + openssl s_client', skipped: why }] };
}

