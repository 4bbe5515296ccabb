import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeCsr } from '../../src/core/pki/csr.js';
import { decodeFile } from '../../src/core/pki/decode.js';
import { parsePem } from '../../src/core/pki/pem.js';
import { formatApstra } from '../../src/core/targets/apstra.js';
import { assembleBundle, formatFor, type FormatResult } from '../../src/core/targets/index.js';
import { opensslCertSpkiSha256, opensslFingerprint, opensslKeySpkiSha256 } from '../helpers/fixtures.js';
import { freePort } from '../helpers/net.js';
import { openssl, opensslTry, tempDir } from '../helpers/openssl.js';
import { bundleOf, expectGolden, fileOf, goldenDir, NOW, PKI, writeFiles, type BundleInput } from '../helpers/golden.js';

const GOLDEN = goldenDir('apstra');
type Input = BundleInput;
const file = fileOf;

const KU_RSA = ['digitalSignature', 'keyEncipherment'];
const CASES: {
  name: string;
  input: Input;
  want: { files: string[]; warnings: string[]; served: string[]; cnfFrom: 'csr' | 'certificate'; keyUsage: string[] };
}[] = [
  { name: 'rsa-chain', input: { cert: 'rsa.crt', key: 'rsa.key', chain: ['int.crt', 'root.crt'] },
    want: { files: ['nginx.crt', 'nginx.key', 'openssl-san.cnf', 'apstra-commands.sh'], warnings: ['apstra-root-left-out'],
      served: ['rsa.crt', 'int.crt'], cnfFrom: 'certificate', keyUsage: KU_RSA } },
  { name: 'rsa-nochain', input: { cert: 'rsa.crt', key: 'rsa.key', chain: [] },
    want: { files: ['nginx.crt', 'nginx.key', 'openssl-san.cnf', 'apstra-commands.sh'], warnings: ['chain-incomplete', 'apstra-no-intermediate'],
      served: ['rsa.crt'], cnfFrom: 'certificate', keyUsage: KU_RSA } },
  { name: 'ec-chain', input: { cert: 'ec.crt', key: 'ec.key', chain: ['int.crt', 'root.crt'] },
    want: { files: ['nginx.crt', 'nginx.key', 'openssl-san.cnf', 'apstra-commands.sh'], warnings: ['apstra-root-left-out'],
      served: ['ec.crt', 'int.crt'], cnfFrom: 'certificate', keyUsage: ['digitalSignature'] } },
  { name: 'rsa-csr', input: { cert: 'rsa.crt', key: 'rsa.key', chain: ['int.crt', 'root.crt'], csr: 'rsa.csr' },
    want: { files: ['nginx.crt', 'nginx.key', 'openssl-san.cnf', 'apstra-commands.sh'], warnings: ['apstra-root-left-out'],
      served: ['rsa.crt', 'int.crt'], cnfFrom: 'csr', keyUsage: [] } },
  { name: 'rsa-selfsigned', input: { cert: 'selfsigned.crt', key: 'rsa.key', chain: [] },
    want: { files: ['nginx.crt', 'nginx.key', 'openssl-san.cnf', 'apstra-commands.sh'], warnings: ['self-signed', 'no-server-auth-eku'],
      served: ['selfsigned.crt'], cnfFrom: 'certificate', keyUsage: KU_RSA } },
];

const tmp = tempDir('certbench-apstra-');
afterAll(() => tmp.cleanup());
let runs = 0;

describe('formatApstra golden files', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const r = formatFor('apstra', await bundleOf(c.input), { now: NOW });
      expect(r.target).toBe('apstra');
      expect(r.files.map((f) => f.name)).toEqual(c.want.files);
      expect(r.warnings.map((w) => w.code)).toEqual(c.want.warnings);
      expect(r.files.filter((f) => f.secret).map((f) => f.name)).toEqual(['nginx.key']);
      for (const f of r.files) expect(f.description.length, f.name).toBeGreaterThan(0);
      expectGolden(join(GOLDEN, c.name), r.files);
    });
  }
});

describe('formatApstra output, checked by OpenSSL', () => {
  for (const c of CASES) {
    it(`${c.name}: every PEM reads, nginx.crt is leaf then intermediates without root, the key matches`, async () => {
      const r = formatFor('apstra', await bundleOf(c.input), { now: NOW });
      const dir = tmp.path(`oracle-${c.name}`);
      writeFiles(dir, r.files);

      // OpenSSL reads the whole bundle, and each certificate is the expected one, in order.
      const p7 = openssl(['crl2pkcs7', '-nocrl', '-certfile', join(dir, 'nginx.crt')]);
      expect(p7).toContain('BEGIN PKCS7');
      const blocks = parsePem(file(r, 'nginx.crt').content);
      expect(blocks.map((b) => b.label)).toEqual(c.want.served.map(() => 'CERTIFICATE'));
      blocks.forEach((b, i) => {
        const path = join(dir, `served-${i}.pem`);
        writeFileSync(path, file(r, 'nginx.crt').content.split(/(?<=-----END CERTIFICATE-----\n)/)[i]!);
        expect(opensslFingerprint(path, 'sha256'), `certificate #${i + 1}`).toBe(opensslFingerprint(join(PKI, c.want.served[i]!), 'sha256'));
        expect(opensslFingerprint(path, 'sha256')).not.toBe(opensslFingerprint(join(PKI, 'root.crt'), 'sha256'));
      });
      if (c.input.chain.length > 0) {
        writeFileSync(join(dir, 'untrusted.pem'), file(r, 'nginx.crt').content.split(/(?<=-----END CERTIFICATE-----\n)/).slice(1).join(''));
        const v = opensslTry(['verify', '-CAfile', join(PKI, 'root.crt'), '-untrusted', join(dir, 'untrusted.pem'), join(dir, 'served-0.pem')]);
        expect(v.stdout + v.stderr).toMatch(/: OK/);
        expect(v.status).toBe(0);
      }

      // Unencrypted PKCS#8 that OpenSSL accepts without a passphrase, for the certificate's key.
      expect(file(r, 'nginx.key').content).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
      expect(opensslTry(['pkey', '-in', join(dir, 'nginx.key'), '-passin', 'pass:', '-check', '-noout']).status).toBe(0);
      expect(opensslKeySpkiSha256(join(dir, 'nginx.key'))).toBe(opensslCertSpkiSha256(join(dir, 'nginx.crt')));
      expect(opensslKeySpkiSha256(join(dir, 'nginx.key'))).toBe(opensslKeySpkiSha256(join(PKI, c.input.key)));
      expect((statSync(join(dir, 'nginx.key')).mode & 0o777).toString(8)).toBe('600');
    });

    it(`${c.name}: openssl-san.cnf makes a request with the same names (from the ${c.want.cnfFrom})`, async () => {
      const r = formatFor('apstra', await bundleOf(c.input), { now: NOW });
      const dir = tmp.path(`cnf-${c.name}`);
      writeFiles(dir, r.files);
      const csrPem = openssl(['req', '-new', '-key', join(PKI, c.input.key), '-config', join(dir, 'openssl-san.cnf')]);
      writeFileSync(join(dir, 'regen.csr'), csrPem);
      expect(opensslTry(['req', '-in', join(dir, 'regen.csr'), '-verify', '-noout']).status).toBe(0);
      const regen = describeCsr(parsePem(csrPem)[0]!.der);
      // The fixture CSR holds exactly the names the CA put in the certificate (see make.sh).
      const csrFile = c.input.cert === 'selfsigned.crt' ? undefined : c.input.cert.replace('.crt', '.csr');
      if (csrFile) {
        const original = describeCsr(parsePem(readFileSync(join(PKI, csrFile), 'utf8'))[0]!.der);
        expect(regen.subject).toEqual(original.subject);
        expect(regen.sans).toEqual(original.sans);
        if (c.want.cnfFrom === 'csr') {
          expect(regen.keyUsage).toEqual(original.keyUsage);
          expect(regen.extendedKeyUsage).toEqual(original.extendedKeyUsage);
        }
      } else {
        expect(regen.subject).toEqual([{ type: 'CN', value: 'router1.example.net' }]);
        expect(regen.sans).toEqual([{ type: 'DNS', value: 'router1.example.net' }]);
      }
      expect(regen.keyUsage).toEqual(c.want.keyUsage);
      expect(regen.extendedKeyUsage).toEqual(['serverAuth']);
      expect(file(r, 'openssl-san.cnf').content).toContain('OUT of /etc/aos/nginx.conf.d');
    });
  }

  it('warns when the CSR asked for other names than the certificate has, and follows the CSR', async () => {
    // ec.csr belongs to another key, so preflight would refuse; the formatter alone shows the names check.
    const b = await bundleOf({ cert: 'rsa.crt', key: 'rsa.key', chain: ['int.crt'], csr: 'ec.csr' });
    const r = formatApstra(b, { now: NOW });
    expect(r.warnings.map((w) => w.code)).toContain('apstra-csr-names-differ');
    expect(file(r, 'openssl-san.cnf').content).toContain('CN = apstra.example.net');
    const same = formatApstra(await bundleOf({ cert: 'rsa.crt', key: 'rsa.key', chain: ['int.crt'], csr: 'rsa.csr' }), { now: NOW });
    expect(same.warnings.map((w) => w.code)).not.toContain('apstra-csr-names-differ');
  });

  it('warns when the CN is not among the SANs, and refuses Ed25519 (browsers cannot use it)', async () => {
    const t = tempDir('certbench-apstra-cn-');
    try {
      const ext = t.path('ext.cnf');
      writeFileSync(ext, '[v3]\nsubjectAltName = DNS:other.example.net\nextendedKeyUsage = serverAuth\n');
      openssl(['req', '-new', '-key', join(PKI, 'rsa.key'), '-config', join(PKI, 'req.cnf'), '-subj', '/CN=apstra.example.net', '-out', t.path('cn.csr')]);
      openssl(['x509', '-req', '-in', t.path('cn.csr'), '-CA', join(PKI, 'int.crt'), '-CAkey', join(PKI, 'int.key'), '-set_serial', '7',
        '-days', '2', '-extfile', ext, '-extensions', 'v3', '-out', t.path('cn.crt')]);
      const load = (p: string): ReturnType<typeof decodeFile> => decodeFile(p, { file: p });
      const b = assembleBundle({ key: await load(join(PKI, 'rsa.key')), cert: await load(t.path('cn.crt')), chain: [await load(join(PKI, 'int.crt'))] });
      const r = formatApstra(b, {});
      expect(r.warnings.find((w) => w.code === 'apstra-cn-not-in-san')?.message).toContain('apstra.example.net');
      // Through formatFor the general lint finding gives way to Apstra's own: one warning, not two.
      const codes = formatFor('apstra', b).warnings.map((w) => w.code);
      expect(codes).toContain('apstra-cn-not-in-san');
      expect(codes).not.toContain('cn-not-in-san');
    } finally {
      t.cleanup();
    }
    const ed = await bundleOf({ cert: 'ed.crt', key: 'ed.key', chain: ['int.crt', 'root.crt'] });
    expect(() => formatFor('apstra', ed, { now: NOW })).toThrow(/Ed25519/);
  });
});

/** Runs apstra-commands.sh from `work` with the given environment (never the real /etc/aos). */
function runScript(work: string, env: Record<string, string>): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('bash', [join(work, 'apstra-commands.sh')], {
    cwd: tmp.dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', SUDO: '', RESTART_CMD: 'true', VERIFY: '0', ...env },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Every file of a folder with its mode and content, to show that nothing changed. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of readdirSync(dir).sort()) out[n] = `${(statSync(join(dir, n)).mode & 0o777).toString(8)} ${readFileSync(join(dir, n), 'base64')}`;
  return out;
}

/** A fake Apstra nginx folder holding an older certificate and key, plus nginx.conf. */
function fakeNginxDir(): { dir: string; oldCrt: string; oldKey: string } {
  const dir = tmp.path(`nginx-${runs++}`);
  mkdirSync(dir);
  const oldCrt = readFileSync(join(PKI, 'selfsigned.crt'), 'utf8');
  const oldKey = readFileSync(join(PKI, 'other.key'), 'utf8');
  writeFileSync(join(dir, 'nginx.crt'), oldCrt, { mode: 0o644 });
  writeFileSync(join(dir, 'nginx.key'), oldKey, { mode: 0o600 });
  writeFileSync(join(dir, 'nginx.conf'), 'events {}\n');
  return { dir, oldCrt, oldKey };
}

/** The files in a working folder, as the engineer copies them; the CSR, when given, goes beside them as nginx.csr. */
async function workFolder(input: Input): Promise<{ work: string; r: FormatResult }> {
  const r = formatFor('apstra', await bundleOf(input), { now: NOW });
  const work = tmp.path(`work-${runs++}`);
  writeFiles(work, r.files);
  if (input.csr) copyFileSync(join(PKI, input.csr), join(work, 'nginx.csr'));
  return { work, r };
}


describe('apstra-commands.sh', () => {
  const RSA_CSR: Input = { cert: 'rsa.crt', key: 'rsa.key', chain: ['int.crt', 'root.crt'], csr: 'rsa.csr' };

  it('passes bash -n and names its settings with the defaults the vendor text implies', async () => {
    const { work, r } = await workFolder(RSA_CSR);
    const script = file(r, 'apstra-commands.sh').content;
    expect(spawnSync('bash', ['-n', join(work, 'apstra-commands.sh')]).status).toBe(0);
    expect(script).toMatch(/^#!\/usr\/bin\/env bash\n/);
    expect(script).toContain('set -euo pipefail');
    expect(script).toMatch(/^# +scp nginx\.crt nginx\.key apstra-commands\.sh admin@router1\.example\.net:certbench\/$/m);
    for (const setting of ['NGINX_DIR="${NGINX_DIR:-/etc/aos/nginx.conf.d}"', 'RESTART_CMD="${RESTART_CMD:-docker restart aos_nginx_1}"',
      'SUDO="${SUDO-sudo}"', 'HTTPS_PORT="${HTTPS_PORT:-443}"', 'HOST="${HOST:-localhost}"', 'VERIFY="${VERIFY:-1}"']) {
      expect(script).toContain(setting);
    }
    expect(script).toContain(`EXPECTED_SHA256="${opensslFingerprint(join(PKI, 'rsa.crt'), 'sha256')}"`);
    expect(script).toContain('openssl s_client -connect');
  });

  it('installs the new files with a timestamped backup, key 0600, and adds no *.conf file', async () => {
    const { work } = await workFolder(RSA_CSR);
    const nginx = fakeNginxDir();
    const run = runScript(work, { NGINX_DIR: nginx.dir });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/CSR public key SHA-256: +[0-9a-f]{64}/);
    expect(run.stdout).toContain('==> Done');

    expect(readFileSync(join(nginx.dir, 'nginx.crt'), 'utf8')).toBe(readFileSync(join(work, 'nginx.crt'), 'utf8'));
    expect(readFileSync(join(nginx.dir, 'nginx.key'), 'utf8')).toBe(readFileSync(join(work, 'nginx.key'), 'utf8'));
    expect((statSync(join(nginx.dir, 'nginx.key')).mode & 0o777).toString(8)).toBe('600');
    const names = readdirSync(nginx.dir).sort();
    const crtBackup = names.filter((n) => /^nginx\.crt\.certbench-\d{8}-\d{6}(-\d+)?\.bak$/.test(n));
    const keyBackup = names.filter((n) => /^nginx\.key\.certbench-\d{8}-\d{6}(-\d+)?\.bak$/.test(n));
    expect(crtBackup).toHaveLength(1);
    expect(keyBackup).toHaveLength(1);
    expect(readFileSync(join(nginx.dir, crtBackup[0]!), 'utf8')).toBe(nginx.oldCrt);
    expect(readFileSync(join(nginx.dir, keyBackup[0]!), 'utf8')).toBe(nginx.oldKey);
    expect(names.filter((n) => n.endsWith('.conf'))).toEqual(['nginx.conf']);
    expect(names).toHaveLength(5);
  });

  it('warns about stray *.conf files in the nginx folder and leaves them alone', async () => {
    const { work } = await workFolder({ cert: 'ec.crt', key: 'ec.key', chain: ['int.crt', 'root.crt'] });
    const nginx = fakeNginxDir();
    writeFileSync(join(nginx.dir, 'openssl-san.conf'), '[req]\n');
    // Relative to where the script is started (tmp.dir), not to the working folder.
    const run = runScript(work, { NGINX_DIR: basename(nginx.dir) });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(join(nginx.dir, 'openssl-san.conf'));
    expect(run.stderr).not.toContain(join(nginx.dir, 'nginx.conf'));
    expect(readFileSync(join(nginx.dir, 'openssl-san.conf'), 'utf8')).toBe('[req]\n');
    expect(readFileSync(join(nginx.dir, 'nginx.crt'), 'utf8')).toBe(readFileSync(join(work, 'nginx.crt'), 'utf8'));
  });

  it('stops before touching the nginx folder when the key beside it does not belong to the certificate', async () => {
    const { work } = await workFolder(RSA_CSR);
    const nginx = fakeNginxDir();
    const before = snapshot(nginx.dir);
    copyFileSync(join(PKI, 'other.key'), join(work, 'nginx.key'));
    const run = runScript(work, { NGINX_DIR: nginx.dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/nginx\.key does not belong to the certificate/);
    expect(run.stdout).not.toContain('==> 4/7');
    expect(snapshot(nginx.dir)).toEqual(before);
  });

  it('stops when the CSR beside it was made for another key, or a file is missing', async () => {
    const { work } = await workFolder(RSA_CSR);
    const nginx = fakeNginxDir();
    const before = snapshot(nginx.dir);
    copyFileSync(join(PKI, 'ec.csr'), join(work, 'nginx.csr'));
    const csrRun = runScript(work, { NGINX_DIR: nginx.dir });
    expect(csrRun.code).toBe(1);
    expect(csrRun.stderr).toMatch(/nginx\.csr was made for another key/);
    rmSync(join(work, 'nginx.key'));
    const missing = runScript(work, { NGINX_DIR: nginx.dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nginx\.key is not beside this script/);
    expect(snapshot(nginx.dir)).toEqual(before);
  });

  it('restores the backup, restarts again and exits 1 when the new certificate is not served', async () => {
    const { work } = await workFolder(RSA_CSR);
    const nginx = fakeNginxDir();
    const log = tmp.path(`restarts-${runs++}.log`);
    const port = await freePort();
    const run = runScript(work, {
      NGINX_DIR: nginx.dir, RESTART_CMD: `echo restart >> '${log}'`, VERIFY: '1', HOST: '127.0.0.1',
      HTTPS_PORT: String(port), VERIFY_TRIES: '2', VERIFY_DELAY: '0',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('rolled back');
    expect(readFileSync(join(nginx.dir, 'nginx.crt'), 'utf8')).toBe(nginx.oldCrt);
    expect(readFileSync(join(nginx.dir, 'nginx.key'), 'utf8')).toBe(nginx.oldKey);
    expect(readFileSync(log, 'utf8')).toBe('restart\nrestart\n');
    expect(readdirSync(nginx.dir).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('waits for the restarted server to serve the new fingerprint', async () => {
    const { work } = await workFolder(RSA_CSR);
    const nginx = fakeNginxDir();
    const pidFile = tmp.path(`s_server-${runs++}.pid`);
    const port = await freePort();
    // The "restart" starts a TLS server from the installed files, as the nginx container would.
    const restart = `openssl s_server -accept 127.0.0.1:${port} -cert '${nginx.dir}/nginx.crt' -key '${nginx.dir}/nginx.key' -www -quiet </dev/null >/dev/null 2>&1 & echo $! > '${pidFile}'`;
    try {
      const run = runScript(work, {
        NGINX_DIR: nginx.dir, RESTART_CMD: restart, VERIFY: '1', HOST: '127.0.0.1', HTTPS_PORT: String(port),
        VERIFY_TRIES: '40', VERIFY_DELAY: '0.25',
      });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`served SHA-256: ${opensslFingerprint(join(PKI, 'rsa.crt'), 'sha256')}`);
    } finally {
      if (existsSync(pidFile)) spawnSync('kill', [readFileSync(pidFile, 'utf8').trim()]);
    }
  });

  it('refuses to run from inside the nginx folder', async () => {
    const { work } = await workFolder(RSA_CSR);
    chmodSync(join(work, 'apstra-commands.sh'), 0o755);
    writeFileSync(join(work, 'nginx.conf'), 'events {}\n');
    const run = runScript(work, { NGINX_DIR: work });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/not from/);
    expect(readdirSync(work).filter((n) => n.endsWith('.bak'))).toEqual([]);
  });
});
