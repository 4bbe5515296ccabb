import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { certbench } from '../helpers/cli.js';
import { tempDir } from '../helpers/openssl.js';

// Spawns the built CLI: run `npm run build:cli` first.
const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/junos/${name}`, import.meta.url));
const pkiFixture = (name: string): string => fileURLToPath(new URL(`../fixtures/pki/${name}`, import.meta.url));

const t = tempDir('certbench-cli-audit-');
afterAll(() => t.cleanup());

// A --cert-dir holding `router1` as the CA-signed lab certificate, and one holding it self-signed.
function certDir(name: string, cert: string, as = 'router1.crt'): string {
  const dir = t.path(name);
  mkdirSync(dir, { recursive: true });
  copyFileSync(pkiFixture(cert), `${dir}/${as}`);
  return dir;
}

describe('certbench audit junos: exit codes and text output', () => {
  const cases: { name: string; args: string[]; want: { code: number; stdout: RegExp[]; stderr: RegExp } }[] = [
    {
      name: 'compliant configuration: 0',
      args: ['--config', fixture('compliant.set')],
      want: {
        code: 0,
        stdout: [/^PASS  rest-https  REST API uses HTTPS only\n    REST is served over HTTPS only/m, /^PASS  rest-pki-certificate  /m, /^PASS  jweb-pki-certificate  /m,
          /compliant\.set: 3 items: 3 PASS, 0 FAIL, 0 NOT APPLICABLE/, /not checked: give --cert-dir/],
        stderr: /^$/,
      },
    },
    {
      name: 'no REST, no J-Web: not applicable is a pass, 0',
      args: ['--config', fixture('no-web-services.set')],
      want: {
        code: 0,
        stdout: [/^NOT APPLICABLE  rest-https  REST API uses HTTPS only\n    REST does not appear to be configured on the target\. This check is not applicable\.\n/m, /0 PASS, 0 FAIL, 3 NOT APPLICABLE/],
        stderr: /^$/,
      },
    },
    {
      name: 'REST over HTTP only: 1, remediation under the item',
      args: ['--config', fixture('rest-http-only.set')],
      want: {
        code: 1,
        stdout: [/^FAIL  rest-https  REST API uses HTTPS only\n    REST is served over plain HTTP only.*\n    Remediation:\n      \[edit system services rest\]\n      set https server-certificate <Certificate ID>\n/m],
        stderr: /^certbench: .*rest-http-only\.set: 1 of 3 CIS items failed\n$/,
      },
    },
    {
      name: 'J-Web with the system-generated certificate: 1',
      args: ['--config', fixture('jweb-system-generated.set')],
      want: { code: 1, stdout: [/^FAIL  jweb-pki-certificate  .*\n    J-Web HTTPS uses the self-signed 'system-generated' certificate/m], stderr: /1 of 3 CIS items failed/ },
    },
    {
      name: 'the certificate file checked too: CA-signed, 0',
      args: ['--config', fixture('compliant.set'), '--cert-dir', certDir('good', 'rsa.crt')],
      want: { code: 0, stdout: [/^PASS  cert:router1  Certificate "router1" is CA-signed, current and strong\n    .*good\/router1\.crt: subject/m, /4 items: 4 PASS/], stderr: /^$/ },
    },
    {
      name: 'the certificate file checked too: self-signed, 1',
      args: ['--config', fixture('compliant.set'), '--cert-dir', certDir('selfsigned', 'selfsigned.crt', 'router1.pem')],
      want: { code: 1, stdout: [/^FAIL  cert:router1  .*\n    .*It fails because it is self-signed/m, /\n    Remediation:\n      Replace it with a CA-signed certificate/], stderr: /1 of 4 CIS items failed/ },
    },
    {
      name: 'curly-brace configuration: 2, told to add | display set',
      args: ['--config', fixture('curly-brace.set')],
      want: { code: 2, stdout: [/^$/], stderr: /^certbench: .*curly-brace\.set: line 2 looks like the curly-brace output of `show configuration`.*\| display set/ },
    },
    {
      name: 'missing configuration file: 2',
      args: ['--config', t.path('no-such.set')],
      want: { code: 2, stdout: [/^$/], stderr: /no-such\.set: no such file/ },
    },
    {
      name: 'neither --config nor --host: usage error, 2',
      args: [],
      want: { code: 2, stdout: [/^$/], stderr: /--config\/--host: give the configuration with --config FILE, or read it from the device with --host HOST/ },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = certbench(['audit', 'junos', ...c.args]);
      expect(r.stderr).toMatch(c.want.stderr);
      expect(r.code).toBe(c.want.code);
      for (const re of c.want.stdout) expect(r.stdout).toMatch(re);
    });
  }

  it('a certificate the configuration names but the folder lacks: 2, naming the folder and the names tried', () => {
    const dir = certDir('wrong-name', 'rsa.crt', 'router2.crt');
    const r = certbench(['audit', 'junos', '--config', fixture('compliant.set'), '--cert-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`certbench: ${dir}: no file for certificate-id "router1" (line 8); tried "router1.crt", "router1.pem", "router1.cer", "router1.der"`);
  });

  it('audit junos --help describes the verb', () => {
    const r = certbench(['audit', 'junos', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--config <file>[\s\S]*--cert-dir <dir>[\s\S]*--json/);
  });
});

describe('certbench audit junos --json', () => {
  it('prints { file, items, failed, pass } and exits 1 on a failing item', () => {
    const r = certbench(['audit', 'junos', '--config', fixture('rest-http-and-https.set'), '--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j).sort()).toEqual(['failed', 'file', 'items', 'pass']);
    expect(j).toMatchObject({ file: fixture('rest-http-and-https.set'), failed: 1, pass: false });
    expect(j.items.map((i: { id: string; status: string }) => [i.id, i.status])).toEqual([
      ['rest-https', 'FAIL'], ['rest-pki-certificate', 'PASS'], ['jweb-pki-certificate', 'NOT APPLICABLE'],
    ]);
    for (const i of j.items) {
      expect(Object.keys(i).sort()).toEqual(i.status === 'FAIL' ? ['detail', 'id', 'remediation', 'status', 'title'] : ['detail', 'id', 'status', 'title']);
    }
    expect(j.items[0].remediation).toBe('[edit system services rest]\ndelete http');
  });

  it('with --cert-dir: one cert:ID item, pass true, exit 0', () => {
    const r = certbench(['audit', 'junos', '--config', fixture('groups.set'), '--cert-dir', certDir('json-good', 'ec.crt'), '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ failed: 0, pass: true });
    expect(j.items.map((i: { id: string }) => i.id)).toEqual(['rest-https', 'rest-pki-certificate', 'jweb-pki-certificate', 'cert:router1']);
    expect(j.items[3].detail).toMatch(/ECDSA P-256/);
  });
});

describe('certbench audit junos --config - (standard input)', () => {
  it('reads pasted CRLF text and names it stdin', () => {
    const r = certbench(['audit', 'junos', '--config', '-', '--json'], { input: readFileSync(fixture('jweb-system-generated.set'), 'utf8').replace(/\n/g, '\r\n') });
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ file: 'stdin', failed: 1, pass: false });
    expect(j.items[2]).toMatchObject({ id: 'jweb-pki-certificate', status: 'FAIL', detail: expect.stringMatching(/line 2/) });
  });

  it('empty standard input: 2', () => {
    const r = certbench(['audit', 'junos', '--config', '-'], { input: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('certbench: stdin: the file is empty\n');
  });

  it('curly-brace text on standard input: 2, naming stdin and the line', () => {
    const r = certbench(['audit', 'junos', '--config', '-'], { input: 'system {\n    host-name r1;\n}\n' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^certbench: stdin: line 1 looks like the curly-brace output.*\| display set/);
  });
});
