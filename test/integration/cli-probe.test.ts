import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTarget } from '../../src/cli/commands/probe.js';
import type { ProbeResult } from '../../src/core/transport/types.js';
import { certbench } from '../helpers/cli.js';
import { opensslFingerprint, usePki } from '../helpers/fixtures.js';
import { freePort, startLabNginx, type NginxServer } from '../helpers/nginx.js';
import { openssl, tempDir } from '../helpers/openssl.js';

// Needs the built CLI: `npm run build:cli`.
const LAB = new URL('../fixtures/pki/', import.meta.url).pathname;
const pki = usePki();

describe('certbench probe against real nginx', () => {
  const t = tempDir('certbench-cli-probe-');
  let nginx: NginxServer;
  beforeAll(async () => {
    nginx = await startLabNginx(t.dir);
  });
  afterAll(async () => {
    await nginx?.stop();
    t.cleanup();
  });

  // Swaps what nginx serves; the tests below run in order and the first ones use the lab chain.
  function serve(certPem: string, keyPem: string): void {
    writeFileSync(t.path('nginx.crt'), certPem);
    writeFileSync(t.path('nginx.key'), keyPem, { mode: 0o600 });
    const r = spawnSync(nginx.restartScript, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`nginx restart failed: ${r.stderr}`);
  }

  it('prints every certificate of the chain, with protocol and cipher', () => {
    const r = certbench(['probe', `127.0.0.1:${nginx.port}`, '--servername', 'apstra.example.net']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^127\\.0\\.0\\.1:${nginx.port} \\(SNI apstra\\.example\\.net\\): TLSv1\\.[23], \\S+, 2 certificates presented$`));
    expect(r.stdout).toContain('#1 (leaf)\n  subject       C=US, O=Certbench Lab, CN=apstra.example.net\n  issuer        O=Certbench Lab, CN=Certbench Lab Issuing CA\n');
    expect(r.stdout).toContain('  SAN           DNS:apstra.example.net, IP:192.0.2.2\n');
    expect(r.stdout).toMatch(/ {2}valid {9}2025-01-01T00:00:00\.000Z -> 2125-01-01T00:00:00\.000Z \(\d+ days left\)\n/);
    expect(r.stdout).toContain(`  SHA-256       ${opensslFingerprint(LAB + 'ec.crt', 'sha256')}\n`);
    expect(r.stdout).toContain('#2\n  subject       O=Certbench Lab, CN=Certbench Lab Issuing CA\n');
    expect(r.stdout).toContain(`  SHA-256       ${opensslFingerprint(LAB + 'int.crt', 'sha256')}\n`);
    expect(r.stdout.match(/self-signed {3}no/g)).toHaveLength(2);
  });

  it('--json prints the probe result as one object', () => {
    const r = certbench(['probe', `127.0.0.1:${nginx.port}`, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as ProbeResult;
    expect(j.endpoint).toBe(`127.0.0.1:${nginx.port}`);
    expect(j.servername).toBeUndefined();
    expect(j.chain.map((c) => c.sha256)).toEqual([opensslFingerprint(LAB + 'ec.crt', 'sha256'), opensslFingerprint(LAB + 'int.crt', 'sha256')]);
    expect(j.chain[0]).toMatchObject({ sans: ['DNS:apstra.example.net', 'IP:192.0.2.2'], selfSigned: false });
    // The PEM is the certificate nginx serves: OpenSSL reads the same certificate from it.
    expect(openssl(['x509', '-noout', '-fingerprint', '-sha256'], j.chain[0]!.pem).trim().split('=')[1]).toBe(j.chain[0]!.sha256);
  });

  it('says EXPIRED and "not yet valid"', () => {
    serve(pki().text('expired.crt'), pki().text('ec.sec1.pem'));
    const expired = certbench(['probe', `127.0.0.1:${nginx.port}`]);
    expect(expired.code).toBe(0);
    expect(expired.stdout).toMatch(/valid {9}2020-01-01T00:00:00\.000Z -> 2021-01-01T00:00:00\.000Z \(EXPIRED \d+ days ago\)/);

    // `openssl x509 -req` cannot set a start date in 3.0; `openssl ca` can.
    openssl(['ca', '-batch', '-config', pki().path('ca.cnf'), '-cert', pki().path('int.crt'), '-keyfile', pki().path('int.key'),
      '-in', pki().path('expired.csr'), '-out', t.path('future.pem'), '-startdate', '21000101000000Z', '-enddate', '21010101000000Z', '-notext']);
    serve(readFileSync(t.path('future.pem'), 'utf8'), pki().text('ec.sec1.pem'));
    const future = certbench(['probe', `127.0.0.1:${nginx.port}`]);
    expect(future.code).toBe(0);
    expect(future.stdout).toMatch(/valid {9}2100-01-01T00:00:00\.000Z -> 2101-01-01T00:00:00\.000Z \(not yet valid\)/);
  });
});

describe('certbench probe failures', () => {
  const cases: { name: string; args: string[]; want: { code: number; stderr: string | RegExp } }[] = [
    { name: 'shell characters in the host', args: ['probe', 'a;rm -rf /'], want: { code: 2, stderr: 'certbench: HOST:PORT: "a;rm -rf /" is not a host name or an IP address (letters, digits, dots and hyphens only)\n' } },
    { name: 'option-like host', args: ['probe', '--', '-oProxyCommand=x:22'], want: { code: 2, stderr: /HOST:PORT: "-oProxyCommand=x" is not a host name/ } },
    { name: 'port out of range', args: ['probe', 'router1.example.net:65536'], want: { code: 2, stderr: 'certbench: HOST:PORT: "65536" is not a TCP port (1-65535)\n' } },
    { name: 'IP address as SNI name', args: ['probe', '127.0.0.1:1', '--servername', '192.0.2.1'], want: { code: 2, stderr: /--servername: "192\.0\.2\.1" is an IP address/ } },
    { name: 'bad SNI name', args: ['probe', '127.0.0.1:1', '--servername', 'a b'], want: { code: 2, stderr: /--servername: "a b" is not a host name/ } },
    { name: 'bad timeout', args: ['probe', '127.0.0.1:1', '--timeout', '0'], want: { code: 2, stderr: /--timeout: "0" is not a number of seconds/ } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = certbench(c.args);
      expect(r.stdout).toBe('');
      if (typeof c.want.stderr === 'string') expect(r.stderr).toBe(c.want.stderr);
      else expect(r.stderr).toMatch(c.want.stderr);
      expect(r.code).toBe(c.want.code);
    });
  }

  it('closed port -> exit 1 and the reason', async () => {
    const port = await freePort();
    const r = certbench(['probe', `127.0.0.1:${port}`]);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`certbench: 127.0.0.1:${port}: connection refused — is HTTPS served on port ${port}?\n`);
    expect(r.code).toBe(1);
  });
});

describe('parseTarget', () => {
  const cases: { name: string; input: string; want: { host: string; port: number } | RegExp }[] = [
    { name: 'name and port', input: 'router1.example.net:8443', want: { host: 'router1.example.net', port: 8443 } },
    { name: 'name alone means 443', input: 'router1.example.net', want: { host: 'router1.example.net', port: 443 } },
    { name: 'IPv4 and port', input: '192.0.2.1:443', want: { host: '192.0.2.1', port: 443 } },
    { name: 'IPv6 in brackets with port', input: '[2001:db8::1]:8443', want: { host: '2001:db8::1', port: 8443 } },
    { name: 'IPv6 in brackets alone', input: '[::1]', want: { host: '::1', port: 443 } },
    { name: 'bare IPv6 means 443', input: '2001:db8::1', want: { host: '2001:db8::1', port: 443 } },
    { name: 'trailing dot', input: 'router1.example.net.:443', want: { host: 'router1.example.net.', port: 443 } },
    { name: 'name in brackets', input: '[router1]:443', want: /only an IPv6 address goes in brackets/ },
    { name: 'empty port', input: 'router1:', want: /"" is not a TCP port/ },
    { name: 'port zero', input: 'router1:0', want: /"0" is not a TCP port/ },
    { name: 'underscore', input: 'my_router:443', want: /"my_router" is not a host name/ },
    { name: 'leading hyphen', input: '-router:443', want: /"-router" is not a host name/ },
    { name: 'empty label', input: 'a..b:443', want: /"a\.\.b" is not a host name/ },
    { name: 'control character', input: 'a\u001b[2Jb', want: /"a\\u001b\[2Jb" is not a host name/ },
    { name: 'label over 63 characters', input: `${'a'.repeat(64)}.net`, want: /is not a host name/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      if (c.want instanceof RegExp) {
        expect(() => parseTarget(c.input)).toThrow(c.want);
        expect(() => parseTarget(c.input)).toThrow(expect.objectContaining({ name: 'InputError', code: 'invalid-value' }) as Error);
      } else {
        expect(parseTarget(c.input)).toEqual(c.want);
      }
    });
  }
});
