import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  auditJunos,
  auditReport,
  certificateRefs,
  loadCertificateDir,
  parseJunosSet,
  REST_NOT_CONFIGURED,
  type AuditItem,
  type AuditStatus,
} from '../../src/core/audit/index.js';
import { InputError } from '../../src/core/errors.js';
import { decodeFile } from '../../src/core/pki/decode.js';
import type { DecodedItem } from '../../src/core/pki/types.js';
import { usePki } from '../helpers/fixtures.js';
import { openssl, tempDir } from '../helpers/openssl.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/junos/${name}`, import.meta.url));
const pkiFixture = (name: string): string => fileURLToPath(new URL(`../fixtures/pki/${name}`, import.meta.url));
const readFixture = (name: string): string => readFileSync(fixture(name), 'utf8');
const pki = usePki();

// The committed PKI is valid for 100 years from when make.sh ran; judge it well inside that window.
const LAB_NOW = new Date('2040-06-01T00:00:00Z');

function audit(text: string, params: Parameters<typeof auditJunos>[1] = {}): AuditItem[] {
  return auditJunos(parseJunosSet(text, 'test.set'), params);
}
function statuses(items: AuditItem[]): Record<string, AuditStatus> {
  return Object.fromEntries(items.map((i) => [i.id, i.status]));
}
function item(items: AuditItem[], id: string): AuditItem {
  const found = items.find((i) => i.id === id);
  if (!found) throw new Error(`no item ${id} in ${items.map((i) => i.id).join(', ')}`);
  return found;
}
function errorOf(f: () => unknown): InputError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected an InputError, got none');
}
async function errorOfAsync(f: () => Promise<unknown>): Promise<InputError> {
  try {
    await f();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected an InputError, got none');
}

const PASS = 'PASS' as const;
const FAIL = 'FAIL' as const;
const NA = 'NOT APPLICABLE' as const;
const lines = (...l: string[]): string => `${l.join('\n')}\n`;

describe('CIS items over set-format configurations', () => {
  const cases: {
    name: string;
    input: string;
    want: { 'rest-https': AuditStatus; 'rest-pki-certificate': AuditStatus; 'jweb-pki-certificate': AuditStatus };
    detail?: Record<string, RegExp | string>;
    remediation?: Record<string, RegExp>;
  }[] = [
    {
      name: 'compliant: REST HTTPS and J-Web with a PKI certificate',
      input: readFixture('compliant.set'),
      want: { 'rest-https': PASS, 'rest-pki-certificate': PASS, 'jweb-pki-certificate': PASS },
      detail: {
        'rest-https': /HTTPS only.*line 6/,
        'rest-pki-certificate': /"router1".*line 8.*not checked/,
        'jweb-pki-certificate': /PKI local certificate "router1".*line 10/,
      },
    },
    {
      name: 'no REST and no J-Web: every item not applicable, with the CIS wording',
      input: readFixture('no-web-services.set'),
      want: { 'rest-https': NA, 'rest-pki-certificate': NA, 'jweb-pki-certificate': NA },
      detail: { 'rest-https': REST_NOT_CONFIGURED, 'rest-pki-certificate': REST_NOT_CONFIGURED, 'jweb-pki-certificate': /not configured/ },
    },
    {
      name: 'REST over HTTP only',
      input: readFixture('rest-http-only.set'),
      want: { 'rest-https': FAIL, 'rest-pki-certificate': NA, 'jweb-pki-certificate': NA },
      detail: { 'rest-https': /plain HTTP only.*line 4.*clear text/, 'rest-pki-certificate': /REST over HTTPS is not configured/ },
      remediation: { 'rest-https': /\[edit system services rest\]\nset https server-certificate <Certificate ID>[\s\S]*request security pki local-certificate load[\s\S]*delete http/ },
    },
    {
      name: 'REST over HTTPS with plain HTTP beside it fails rest-https',
      input: readFixture('rest-http-and-https.set'),
      want: { 'rest-https': FAIL, 'rest-pki-certificate': PASS, 'jweb-pki-certificate': NA },
      detail: { 'rest-https': /HTTPS is configured \(line 3\), but plain HTTP is enabled beside it.*line 2/ },
      remediation: { 'rest-https': /^\[edit system services rest\]\ndelete http$/ },
    },
    {
      name: 'REST HTTPS without server-certificate',
      input: readFixture('rest-https-no-cert.set'),
      want: { 'rest-https': PASS, 'rest-pki-certificate': FAIL, 'jweb-pki-certificate': NA },
      detail: { 'rest-pki-certificate': /names no server-certificate/ },
      remediation: { 'rest-pki-certificate': /set https server-certificate <Certificate ID>[\s\S]*generate-key-pair certificate-id <Certificate ID> type <Algorithm> size <Size>/ },
    },
    {
      name: 'J-Web with the system-generated certificate',
      input: readFixture('jweb-system-generated.set'),
      want: { 'rest-https': NA, 'rest-pki-certificate': NA, 'jweb-pki-certificate': FAIL },
      detail: { 'jweb-pki-certificate': /self-signed 'system-generated'.*line 2/ },
      remediation: { 'jweb-pki-certificate': /set https pki-local-certificate <Certificate ID>/ },
    },
    {
      name: 'J-Web with the older local-certificate form',
      input: readFixture('jweb-local-certificate.set'),
      want: { 'rest-https': NA, 'rest-pki-certificate': NA, 'jweb-pki-certificate': PASS },
      detail: { 'jweb-pki-certificate': /local certificate "legacy-cert".*older/ },
    },
    {
      name: 'J-Web over plain HTTP only',
      input: readFixture('jweb-http-only.set'),
      want: { 'rest-https': NA, 'rest-pki-certificate': NA, 'jweb-pki-certificate': FAIL },
      detail: { 'jweb-pki-certificate': /plain HTTP only.*no certificate protects/ },
      remediation: { 'jweb-pki-certificate': /pki-local-certificate <Certificate ID>[\s\S]*delete http/ },
    },
    {
      name: 'J-Web HTTPS with a PKI certificate and HTTP beside it passes with a note',
      input: lines('set system services web-management http interface fxp0.0', 'set system services web-management https pki-local-certificate gui'),
      want: { 'rest-https': NA, 'rest-pki-certificate': NA, 'jweb-pki-certificate': PASS },
      detail: { 'jweb-pki-certificate': /"gui".*also answers over plain HTTP \(line 1\)/ },
    },
    {
      name: 'J-Web HTTPS naming no certificate',
      input: lines('set system services web-management https interface fxp0.0'),
      want: { 'rest-https': NA, 'rest-pki-certificate': NA, 'jweb-pki-certificate': FAIL },
      detail: { 'jweb-pki-certificate': /names no certificate/ },
    },
    {
      name: 'deactivate: deactivated http and system-generated statements do not count',
      input: readFixture('deactivated.set'),
      want: { 'rest-https': PASS, 'rest-pki-certificate': PASS, 'jweb-pki-certificate': PASS },
    },
    {
      name: 'deactivate: a deactivated [system services rest] takes everything below it',
      input: lines('set system services rest http port 3000', 'set system services rest https server-certificate r1', 'deactivate system services rest'),
      want: { 'rest-https': NA, 'rest-pki-certificate': NA, 'jweb-pki-certificate': NA },
      detail: { 'rest-https': REST_NOT_CONFIGURED },
    },
    {
      name: 'deactivate: a deactivated server-certificate leaves REST HTTPS without one',
      input: lines('set system services rest https port 3443', 'set system services rest https server-certificate r1', 'deactivate system services rest https server-certificate'),
      want: { 'rest-https': PASS, 'rest-pki-certificate': FAIL, 'jweb-pki-certificate': NA },
    },
    {
      name: 'deactivate: only the named statement, not its siblings with a longer name',
      input: lines('set system services rest http port 3000', 'set system services rest https server-certificate r1', 'deactivate system services rest http'),
      want: { 'rest-https': PASS, 'rest-pki-certificate': PASS, 'jweb-pki-certificate': NA },
    },
    {
      name: 'groups: an applied group counts, an unapplied one does not',
      input: readFixture('groups.set'),
      want: { 'rest-https': PASS, 'rest-pki-certificate': PASS, 'jweb-pki-certificate': PASS },
      detail: { 'rest-pki-certificate': /line 2, inherited from group "mgmt-services"/ },
    },
    {
      name: 'groups: unapplied groups only',
      input: lines('set groups lab system services rest http', 'set groups lab system services web-management https system-generated-certificate', 'set system host-name r1'),
      want: { 'rest-https': NA, 'rest-pki-certificate': NA, 'jweb-pki-certificate': NA },
    },
    {
      name: 'groups: applied at [system] level',
      input: lines('set groups lab system services rest http', 'set system apply-groups lab'),
      want: { 'rest-https': FAIL, 'rest-pki-certificate': NA, 'jweb-pki-certificate': NA },
    },
    {
      name: 'groups: applied at [interfaces] level does not reach [system]',
      input: lines('set groups lab system services rest http', 'set interfaces apply-groups lab'),
      want: { 'rest-https': NA, 'rest-pki-certificate': NA, 'jweb-pki-certificate': NA },
    },
    {
      name: 'groups: apply-groups-except below the apply point',
      input: lines('set groups lab system services rest http', 'set apply-groups lab', 'set system services apply-groups-except lab'),
      want: { 'rest-https': NA, 'rest-pki-certificate': NA, 'jweb-pki-certificate': NA },
    },
    {
      name: 'groups: a deactivated apply-groups applies nothing',
      input: lines('set groups lab system services rest http', 'set apply-groups lab', 'deactivate apply-groups lab'),
      want: { 'rest-https': NA, 'rest-pki-certificate': NA, 'jweb-pki-certificate': NA },
    },
    {
      name: 'groups: a deactivated group applies nothing',
      input: lines('set groups lab system services rest http', 'set apply-groups lab', 'deactivate groups lab'),
      want: { 'rest-https': NA, 'rest-pki-certificate': NA, 'jweb-pki-certificate': NA },
    },
    {
      name: 'groups: a direct certificate choice wins over an inherited one',
      input: lines('set groups g system services web-management https system-generated-certificate', 'set apply-groups g', 'set system services web-management https pki-local-certificate gui'),
      want: { 'rest-https': NA, 'rest-pki-certificate': NA, 'jweb-pki-certificate': PASS },
    },
    {
      name: 'groups: ... and the other way round',
      input: lines('set groups g system services web-management https pki-local-certificate gui', 'set apply-groups g', 'set system services web-management https system-generated-certificate'),
      want: { 'rest-https': NA, 'rest-pki-certificate': NA, 'jweb-pki-certificate': FAIL },
    },
    {
      name: 'groups: chassis-cluster "${node}" applies the node groups',
      input: lines('set groups node0 system services web-management https system-generated-certificate', 'set apply-groups "${node}"'),
      want: { 'rest-https': NA, 'rest-pki-certificate': NA, 'jweb-pki-certificate': FAIL },
    },
    {
      name: 'quoted values: quotes removed, escaped quotes inside kept',
      input: readFixture('quoted.set'),
      want: { 'rest-https': PASS, 'rest-pki-certificate': PASS, 'jweb-pki-certificate': PASS },
      detail: { 'rest-pki-certificate': /certificate "router1" \(/ },
    },
    {
      name: 'quoted values: an id with a space',
      input: lines('set system services rest https server-certificate "rest cert"'),
      want: { 'rest-https': PASS, 'rest-pki-certificate': PASS, 'jweb-pki-certificate': NA },
      detail: { 'rest-pki-certificate': /"rest cert"/ },
    },
    {
      name: 'CRLF line endings and a BOM',
      input: `\uFEFF${readFixture('rest-http-and-https.set').replace(/\n/g, '\r\n')}`,
      want: { 'rest-https': FAIL, 'rest-pki-certificate': PASS, 'jweb-pki-certificate': NA },
      detail: { 'rest-https': /line 3.*line 2/ },
    },
    {
      name: 'a pasted CLI session: prompt, {master:0} banner and comments',
      input: lines('netadmin@router1> show configuration | display set | no-more', '## Last changed: 2026-11-02', 'set system services rest https server-certificate r1', '', '{master:0}', 'netadmin@router1> '),
      want: { 'rest-https': PASS, 'rest-pki-certificate': PASS, 'jweb-pki-certificate': NA },
    },
    {
      name: 'delete lines are ignored',
      input: lines('set system services rest https server-certificate r1', 'delete system services rest https'),
      want: { 'rest-https': PASS, 'rest-pki-certificate': PASS, 'jweb-pki-certificate': NA },
    },
    {
      name: 'REST statements without http or https: REST is not listening',
      input: lines('set system services rest control allowed-sources 192.0.2.0/24', 'set system services rest enable-explorer'),
      want: { 'rest-https': NA, 'rest-pki-certificate': NA, 'jweb-pki-certificate': NA },
      detail: { 'rest-https': /^REST does not appear to be configured on the target\. This check is not applicable\. \(.*line 1.*neither http nor https/ },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const items = audit(c.input);
      expect(statuses(items)).toEqual(c.want);
      for (const [id, want] of Object.entries(c.detail ?? {})) {
        if (typeof want === 'string') expect(item(items, id).detail).toBe(want);
        else expect(item(items, id).detail).toMatch(want);
      }
      for (const i of items) {
        // Every failing item says what to do; nothing else carries remediation.
        if (i.status === 'FAIL') expect(i.remediation).toMatch(/\S/);
        else expect(i.remediation).toBeUndefined();
      }
      for (const [id, want] of Object.entries(c.remediation ?? {})) expect(item(items, id).remediation).toMatch(want);
    });
  }

  it('the report counts failed items', () => {
    const r = auditReport('x.set', audit(readFixture('rest-http-only.set')));
    expect(r).toMatchObject({ file: 'x.set', failed: 1, pass: false });
    expect(auditReport('y.set', audit(readFixture('compliant.set')))).toMatchObject({ failed: 0, pass: true });
  });
});

describe('input that is not set format', () => {
  const cases: { name: string; input: string; want: { code: string; message: RegExp } }[] = [
    { name: 'curly-brace show configuration', input: readFixture('curly-brace.set'), want: { code: 'invalid-value', message: /^bad\.set: line 2 .*curly-brace.*\| display set/ } },
    { name: 'XML output', input: '<configuration junos:commit-seconds="1">\n', want: { code: 'invalid-value', message: /^bad\.set: line 1 is XML.*\| display set/ } },
    { name: 'JSON output', input: '{\n    "configuration" : {\n', want: { code: 'invalid-value', message: /^bad\.set: line 1 .*curly-brace/ } },
    { name: 'a stray line among set commands', input: lines('set system host-name r1', '', 'system-login encrypted-password "$6$secrethash"'), want: { code: 'invalid-value', message: /^bad\.set: line 3 is not a set command \(it starts with "system-login"\)/ } },
    { name: 'an unclosed quote', input: lines('set system host-name r1', 'set system login message "unterminated'), want: { code: 'invalid-value', message: /^bad\.set: line 2: a quoted value is not closed/ } },
    { name: 'empty file', input: '', want: { code: 'empty', message: /^bad\.set: the file is empty/ } },
    { name: 'white space only', input: ' \r\n\n', want: { code: 'empty', message: /the file is empty/ } },
    { name: 'comments only', input: '## Last commit: 2026-11-02 09:14:07 UTC by netadmin\n', want: { code: 'empty', message: /no set commands/ } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const err = errorOf(() => parseJunosSet(c.input, 'bad.set'));
      expect(err.code).toBe(c.want.code);
      expect(err.message).toMatch(c.want.message);
      expect(err.file).toBe('bad.set');
      expect(err.message).not.toContain('secrethash');
    });
  }
});

describe('certificateRefs', () => {
  const cases: { name: string; input: string; want: { id: string; services: string[]; lines: number[] }[] }[] = [
    { name: 'one id shared by REST and J-Web', input: readFixture('compliant.set'), want: [{ id: 'router1', services: ['REST HTTPS', 'J-Web HTTPS'], lines: [8, 10] }] },
    { name: 'system-generated names no certificate', input: readFixture('jweb-system-generated.set'), want: [] },
    { name: 'the older local-certificate form', input: readFixture('jweb-local-certificate.set'), want: [{ id: 'legacy-cert', services: ['J-Web HTTPS'], lines: [2] }] },
    { name: 'a deactivated binding is not a reference', input: lines('set system services rest https server-certificate r1', 'deactivate system services rest https'), want: [] },
    {
      name: 'two ids, first use first',
      input: lines('set system services web-management https pki-local-certificate gui', 'set system services rest https server-certificate api'),
      want: [{ id: 'api', services: ['REST HTTPS'], lines: [2] }, { id: 'gui', services: ['J-Web HTTPS'], lines: [1] }],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = certificateRefs(parseJunosSet(c.input, 't.set'));
      expect(got.map((r) => ({ id: r.id, services: r.uses.map((u) => u.service), lines: r.uses.map((u) => u.statement.line) }))).toEqual(c.want);
    });
  }
});

describe('certificate checks', () => {
  const labCert = async (name: string): Promise<DecodedItem[]> => decodeFile(pkiFixture(name));
  const COMPLIANT = readFixture('compliant.set');

  it('a CA-signed RSA-2048 certificate passes, as one item for both uses', async () => {
    const items = audit(COMPLIANT, { certs: new Map([['router1', await labCert('rsa.crt')]]), now: LAB_NOW });
    expect(items.map((i) => i.id)).toEqual(['rest-https', 'rest-pki-certificate', 'jweb-pki-certificate', 'cert:router1']);
    const c = item(items, 'cert:router1');
    expect(c.status).toBe(PASS);
    expect(c.detail).toMatch(/RSA-2048, ecdsa-with-SHA256/);
    expect(c.detail).toMatch(/issuer O=Certbench Lab, CN=Certbench Lab Issuing CA/);
    expect(c.detail).toMatch(/used by REST HTTPS \(line 8\) and J-Web HTTPS \(line 10\)/);
    expect(item(items, 'rest-pki-certificate').detail).not.toMatch(/not checked/);
    expect(auditReport('c.set', items).pass).toBe(true);
  });

  it('a CA-signed ECDSA P-256 certificate passes', async () => {
    const items = audit(COMPLIANT, { certs: new Map([['router1', await labCert('ec.crt')]]), now: LAB_NOW });
    expect(item(items, 'cert:router1')).toMatchObject({ status: PASS, detail: expect.stringMatching(/ECDSA P-256/) });
  });

  const failing: { name: string; file: () => string; now?: Date; want: RegExp; skip?: () => string | undefined }[] = [
    { name: 'self-signed', file: () => pkiFixture('selfsigned.crt'), now: LAB_NOW, want: /fails because it is self-signed/ },
    { name: 'Ed25519 key', file: () => pkiFixture('ed.crt'), now: LAB_NOW, want: /Ed25519.*RSA or ECDSA/ },
    { name: 'not yet valid', file: () => pkiFixture('rsa.crt'), now: new Date('2001-01-01T00:00:00Z'), want: /it is not valid before/ },
    { name: 'expired', file: () => pki().path('expired.crt'), want: /it is expired on 2021-01-01/ },
    { name: 'SHA-1 signature', file: () => pki().path('sha1.crt'), want: /signed with ecdsa-with-SHA1/ },
    { name: 'RSA-1024', file: () => pki().path('weak.crt'), want: /RSA-1024: use at least 2048 bits/, skip: () => pki().weakRsaSkip },
  ];
  for (const c of failing) {
    it(`FAIL: ${c.name}`, async (ctx) => {
      const reason = c.skip?.();
      if (reason) ctx.skip(reason);
      const items = audit(COMPLIANT, { certs: new Map([['router1', await decodeFile(c.file())]]), ...(c.now ? { now: c.now } : {}) });
      const got = item(items, 'cert:router1');
      expect(got.status).toBe(FAIL);
      expect(got.detail).toMatch(c.want);
      expect(got.remediation).toMatch(/generate-key-pair[\s\S]*local-certificate load[\s\S]*Then bind[\s\S]*set system services rest https server-certificate <Certificate ID>\nset system services web-management https pki-local-certificate <Certificate ID>$/);
      expect(auditReport('c.set', items)).toMatchObject({ failed: 1, pass: false });
    });
  }

  it('separate ids for REST and J-Web give one item each', async () => {
    const text = lines('set system services rest https server-certificate api', 'set system services web-management https pki-local-certificate gui');
    const items = audit(text, { certs: new Map([['api', await labCert('rsa.crt')], ['gui', await labCert('selfsigned.crt')]]), now: LAB_NOW });
    expect(statuses(items)).toMatchObject({ 'cert:api': PASS, 'cert:gui': FAIL });
    expect(item(items, 'cert:gui').remediation).toMatch(/pki-local-certificate <Certificate ID>$/);
    expect(item(items, 'cert:gui').remediation).not.toMatch(/rest https/);
  });

  it('a certificate missing from the map is an error, not a pass', () => {
    const err = errorOf(() => audit(COMPLIANT, { certs: new Map() }));
    expect(err.code).toBe('not-found');
    expect(err.message).toMatch(/certificate-id "router1" \(line 8\)/);
  });

  it('a file holding no certificate is wrong-kind', async () => {
    const err = errorOf(() => auditJunos(parseJunosSet(COMPLIANT, 'c.set'), { certs: new Map([['router1', [{ kind: 'csr', der: new Uint8Array(), file: 'router1.crt', index: 0, container: 'pem' }]]]) }));
    expect(err.code).toBe('wrong-kind');
    expect(err.message).toMatch(/^router1\.crt: certificate-id "router1": the file holds no certificate/);
  });
});

describe('loadCertificateDir', () => {
  const refsOf = (text: string) => certificateRefs(parseJunosSet(text, 't.set'));

  it('finds ID.crt, ID.pem, ID.cer and ID.der, preferring .crt', async () => {
    const t = tempDir('certbench-audit-');
    try {
      copyFileSync(pkiFixture('rsa.crt'), t.path('a.pem'));
      copyFileSync(pkiFixture('ec.crt'), t.path('b.cer'));
      openssl(['x509', '-in', pkiFixture('rsa.crt'), '-outform', 'DER', '-out', t.path('c.der')]);
      copyFileSync(pkiFixture('rsa.crt'), t.path('d.crt'));
      copyFileSync(pkiFixture('selfsigned.crt'), t.path('d.pem'));
      const text = lines('set system services rest https server-certificate a', 'set system services web-management https pki-local-certificate b');
      const ab = await loadCertificateDir(t.dir, refsOf(text));
      expect([...ab.keys()]).toEqual(['a', 'b']);
      expect(ab.get('a')![0]!.file).toBe(t.path('a.pem'));
      expect(ab.get('b')![0]!.file).toBe(t.path('b.cer'));
      const c = await loadCertificateDir(t.dir, refsOf(lines('set system services rest https server-certificate c')));
      expect(c.get('c')![0]).toMatchObject({ kind: 'certificate', container: 'der' });
      const d = await loadCertificateDir(t.dir, refsOf(lines('set system services rest https server-certificate d')));
      expect(d.get('d')![0]!.file).toBe(t.path('d.crt'));
      // And the whole path: the preferred file decides the verdict.
      const items = audit(lines('set system services rest https server-certificate d'), { certs: d, now: LAB_NOW });
      expect(item(items, 'cert:d').status).toBe(PASS);
    } finally {
      t.cleanup();
    }
  });

  it('a named certificate without a file: not-found naming the folder and every name tried', async () => {
    const t = tempDir('certbench-audit-');
    try {
      writeFileSync(t.path('router1.key'), 'not looked at');
      const err = await errorOfAsync(() => loadCertificateDir(t.dir, refsOf(readFixture('compliant.set'))));
      expect(err.code).toBe('not-found');
      expect(err.file).toBe(t.dir);
      expect(err.message).toContain(t.dir);
      for (const n of ['router1.crt', 'router1.pem', 'router1.cer', 'router1.der']) expect(err.message).toContain(`"${n}"`);
    } finally {
      t.cleanup();
    }
  });

  it('a folder that does not exist, or a file given as the folder', async () => {
    const refs = refsOf(readFixture('compliant.set'));
    expect((await errorOfAsync(() => loadCertificateDir('/nonexistent/certbench-certs', refs))).code).toBe('not-found');
    expect((await errorOfAsync(() => loadCertificateDir(pkiFixture('rsa.crt'), refs))).code).toBe('invalid-value');
  });

  it('a certificate-id that would leave the folder is refused', async () => {
    const t = tempDir('certbench-audit-');
    try {
      const err = await errorOfAsync(() => loadCertificateDir(t.dir, refsOf(lines('set system services rest https server-certificate "../../etc/passwd"'))));
      expect(err.code).toBe('invalid-value');
      expect(err.message).toMatch(/"\.\.\/\.\.\/etc\/passwd" \(line 1\) cannot be a file name/);
    } finally {
      t.cleanup();
    }
  });
});
