// Every bad input a user can hand the certbench CLI, each with its clear refusal and nothing written.
// Spawns the built CLI: run `npm run build:cli` first.
//
// Each row runs one command in a work folder and asserts: exit code 2, one stderr line naming the file or flag and
// the reason in words, no secret echoed, and the whole work folder byte-for-byte as before (no output file, no
// temp file, no half-written folder). A second block covers what certbench accepts on purpose (shell
// metacharacters that are legal in names, odd paths, sections nothing refers to): it must treat them as literal
// text, and the `openssl req` command it prints is run through bash to prove that nothing in it executes.
//
// Push and probe options (hosts, folders, commands, pins) are refused before anything is sent: the rows point at a
// listener on 127.0.0.1 that must never see a connection.
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certbench } from '../helpers/cli.js';
import { setAsn1Integer } from '../helpers/fuzz.js';
import { openssl, opensslBytes, tempDir } from '../helpers/openssl.js';

const PASSPHRASE = 'fixture pass';
const WRONG = 'not-the-passphrase-7f3a';
const t = tempDir('certbench-hostile-');
// Inputs live in in/, commands run with the work folder as cwd and write (or must not write) into out/.
const work = t.path('work');
const inDir = join(work, 'in');
const outDir = join(work, 'out');
const i = (name: string): string => join('in', name);
const fixture = (n: string): string => new URL(`../fixtures/pki/${n}`, import.meta.url).pathname;

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      const rel = relative(dir, p);
      if (st.isDirectory()) {
        out[`${rel}/`] = `dir ${(st.mode & 0o777).toString(8)}`;
        walk(p);
      } else {
        out[rel] = `${(st.mode & 0o777).toString(8)} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`;
      }
    }
  };
  walk(dir);
  return out;
}

beforeAll(() => {
  mkdirSync(inDir, { recursive: true });
  mkdirSync(outDir);
  for (const n of ['rsa.key', 'rsa.crt', 'ec.key', 'ec.crt', 'int.crt', 'root.crt', 'other.key']) copyFileSync(fixture(n), join(inDir, n));
  for (const n of ['rsa.key', 'ec.key', 'other.key']) chmodSync(join(inDir, n), 0o600);
  const w = (name: string, data: string | Uint8Array, mode = 0o644): void => writeFileSync(join(inDir, name), data, { mode });
  w('pass.txt', `${PASSPHRASE}\n`, 0o600);
  w('wrong.txt', `${WRONG}\n`, 0o600);

  const certPem = readFileSync(fixture('rsa.crt'), 'utf8');
  const certDer = opensslBytes(['x509', '-in', fixture('rsa.crt'), '-outform', 'DER']);
  w('empty.pem', '');
  w('blank.pem', '  \n\t\r\n   \n');
  w('truncated.pem', certPem.slice(0, Math.floor(certPem.length * 0.6)));
  w('truncated.der', certDer.subarray(0, 500));
  w('bad-base64.pem', certPem.replace(/\n([A-Za-z0-9+/]{10})/, '\n$1*'));
  // Deterministic junk that is neither text nor DER.
  const junk = Buffer.concat(Array.from({ length: 64 }, (_, k) => createHash('sha512').update(`junk ${k}`).digest()));
  junk[0] = 0x8f;
  w('junk.bin', junk);
  w('big.pem', Buffer.alloc(1024 * 1024 + 1, 0x41));
  openssl(['pkcs12', '-export', '-inkey', fixture('rsa.key'), '-in', fixture('rsa.crt'), '-certfile', fixture('int.crt'), '-passout', `pass:${PASSPHRASE}`, '-out', join(inDir, 'rsa.p12')]);
  openssl(['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', fixture('ec.key'), '-passout', `pass:${PASSPHRASE}`, '-out', join(inDir, 'ec.enc.pem')]);
  // A PKCS#12 whose key-derivation iteration counts (2048 each) are forged to 2^31-1: OpenSSL would grind for minutes.
  let evil: Uint8Array = new Uint8Array(readFileSync(join(inDir, 'rsa.p12')));
  for (let k = 0; k < 64; k++) {
    if (Buffer.from(setAsn1Integer(evil, k, Uint8Array.from([0x08, 0x00]))).equals(Buffer.from(evil))) evil = setAsn1Integer(evil, k, Uint8Array.from([0x7f, 0xff, 0xff, 0xff]));
  }
  w('iterations.p12', evil);
  // A certificate OpenSSL signs but whose subjectAltName value is malformed DER.
  w('badsan.ext', 'subjectAltName=DER:30:03:82:05:61\n');
  openssl(['req', '-new', '-key', fixture('ec.key'), '-subj', '/CN=badsan.example.net', '-out', join(inDir, 'badsan.csr')]);
  openssl(['x509', '-req', '-in', join(inDir, 'badsan.csr'), '-CA', fixture('int.crt'), '-CAkey', fixture('int.key'), '-set_serial', '77', '-days', '30',
    '-extfile', join(inDir, 'badsan.ext'), '-out', join(inDir, 'badsan.crt')]);

  // OpenSSL configs a user might be handed.
  const cnf = (dn: string, ext = '', extra = ''): string =>
    `[ req ]\nprompt = no\ndistinguished_name = dn\n${ext ? 'req_extensions = ext\n' : ''}${extra}\n[ dn ]\n${dn}\n${ext ? `\n[ ext ]\n${ext}\n` : ''}`;
  w('missing-section.cnf', cnf('CN = host.example.net', 'subjectAltName = @nowhere'));
  w('unknown-ext-section.cnf', '[ req ]\nprompt = no\ndistinguished_name = dn\nreq_extensions = v3_nowhere\n[ dn ]\nCN = host.example.net\n');
  w('include.cnf', `.include /etc/ssl/openssl.cnf\n${cnf('CN = host.example.net')}`);
  w('env.cnf', cnf('CN = $ENV::HOME'));
  w('subshell.cnf', cnf('CN = $(touch pwned)'));
  w('backtick.cnf', cnf('CN = `touch pwned`'));
  w('semicolon.cnf', cnf('CN = host.example.net\nO = Lab;rm -rf /tmp/x'));
  w('san-semicolon.cnf', cnf('CN = host.example.net', 'subjectAltName = DNS:host.example.net;rm -rf /tmp/x'));
  w('san-newline.cnf', cnf('CN = host.example.net', 'subjectAltName = @alt', '') + '[ alt ]\nDNS.1 = host.example.net\\nevil.example.net\n');
  w('san-nul.cnf', cnf('CN = host.example.net', 'subjectAltName = @alt', '') + '[ alt ]\nDNS.1 = host\u0000.example.net\n');
  w('subject-control.cnf', cnf('CN = host\\texample'));
  w('subject-escape.cnf', cnf('CN = host\u001b[31m.example.net'));
  w('unknown-ext.cnf', cnf('CN = host.example.net', 'nsComment = hello'));
  w('template.cnf', readFileSync(new URL('../../resources/templates/junos-device.cnf', import.meta.url)));

  // An output that exists already, and a finished format folder, for the "no --force" rows.
  writeFileSync(join(outDir, 'exists.csr'), 'old content\n');
  const ok = certbench(['format', '--target', 'junos', '--cert', i('rsa.crt'), '--key', i('rsa.key'), '--chain', i('int.crt'), '--chain', i('root.crt'), '-o', 'out/junos-done'], { cwd: work });
  if (ok.code !== 0) throw new Error(`setup: format failed: ${ok.stderr}`);
});
afterAll(() => t.cleanup());

interface Row {
  name: string;
  /** The command line; a function when it needs the listener's port, known only once the tests start. */
  args: string[] | (() => string[]);
  /** The stderr line: must name the file or flag and say why. */
  want: RegExp;
  /** Text that must appear nowhere in the output (a passphrase). */
  secret?: string;
  /** Lines on stderr, when the refusal lists several reasons (default 1). */
  lines?: number;
}

const csrOut = ['-o', 'out/req.csr', '--emit-openssl-cnf', 'out/req.cnf'];
const template = (file: string, extra: string[] = []): string[] => ['csr', '--key', i('rsa.key'), '--template', i(file), ...extra, ...csrOut];
// A listener that counts connections: every push and probe row must be refused before connecting to it.
let listener: Server;
let listenerPort = 0;
let connections = 0;
const pushApstra = (extra: string[], replace: Record<string, string> = {}): string[] => {
  const base: Record<string, string> = {
    '--host': '127.0.0.1', '--port': String(listenerPort), '--user': 'admin', '--identity': i('ec.key'), '--host-key': `SHA256:${'A'.repeat(43)}`,
    '--cert': i('ec.crt'), '--key': i('ec.key'), '--chain': i('int.crt'), '--server-name': 'apstra.example.net', '--https-port': String(listenerPort),
    ...replace,
  };
  return ['push', 'apstra', ...Object.entries(base).flatMap(([k, v]) => [k, v]), ...extra];
};
const pushJunos = (extra: string[], replace: Record<string, string> = {}): string[] => {
  const base: Record<string, string> = {
    '--host': '127.0.0.1', '--port': String(listenerPort), '--user': 'netops', '--identity': i('ec.key'), '--host-key': `SHA256:${'A'.repeat(43)}`,
    '--cert': i('rsa.crt'), '--key': i('rsa.key'), '--chain': i('int.crt'), '--cert-id': 'router1-2026', '--server-name': 'router1.example.net',
    '--verify-port': String(listenerPort), '--web-port': String(listenerPort),
    ...replace,
  };
  return ['push', 'junos', ...Object.entries(base).flatMap(([k, v]) => [k, v]), ...extra];
};
// PATH is the one variable the rows' environment holds: a stand-in password, refused before it is ever sent.
const pushSps = (extra: string[], replace: Record<string, string> = {}): string[] => {
  const base: Record<string, string> = {
    '--url': `https://127.0.0.1:${listenerPort}`, '--pin': 'AB'.repeat(32), '--user': 'admin', '--password-env': 'PATH',
    '--cert': i('rsa.crt'), '--key': i('rsa.key'), '--chain': i('int.crt'),
    ...replace,
  };
  return ['push', 'sps', ...Object.entries(base).flatMap(([k, v]) => [k, v]), ...extra];
};
const auditLive = (extra: string[]): string[] => ['audit', 'junos', '--port', String(listenerPort), '--user', 'netops', '--identity', i('ec.key'), '--host-key', `SHA256:${'A'.repeat(43)}`, ...extra];
const junos = (extra: string[]): string[] => ['format', '--target', 'junos', '--cert', i('rsa.crt'), '--key', i('rsa.key'), '--chain', i('int.crt'), '--chain', i('root.crt'), ...extra];

const rows: Row[] = [
  // Unreadable files, through every verb that reads one.
  { name: 'empty file (inspect)', args: ['inspect', i('empty.pem')], want: /in\/empty\.pem: the file is empty/ },
  { name: 'empty file as the key of csr', args: ['csr', '--key', i('empty.pem'), '--subject', 'CN=host.example.net', '-o', 'out/req.csr'], want: /in\/empty\.pem: the file is empty/ },
  { name: 'whitespace only (match)', args: ['match', i('blank.pem'), i('rsa.crt')], want: /in\/blank\.pem: the file is empty/ },
  { name: 'truncated PEM (inspect)', args: ['inspect', i('truncated.pem')], want: /in\/truncated\.pem: the PEM block "CERTIFICATE" has no "-----END CERTIFICATE-----" line; the file looks cut short/ },
  { name: 'truncated DER (convert)', args: ['convert', i('truncated.der'), '--to', 'pem', '-o', 'out/x.pem'], want: /in\/truncated\.der: the DER data ends before its declared length; the file looks cut short/ },
  { name: 'bad base64 (inspect)', args: ['inspect', i('bad-base64.pem')], want: /in\/bad-base64\.pem: the PEM block "CERTIFICATE" is not valid base64/ },
  { name: 'random junk (inspect)', args: ['inspect', i('junk.bin')], want: /in\/junk\.bin: this is neither PEM text nor DER/ },
  { name: 'random junk as the certificate of format', args: ['format', '--target', 'apstra', '--cert', i('junk.bin'), '--key', i('rsa.key'), '-o', 'out/fmt'], want: /in\/junk\.bin: this is neither PEM text nor DER/ },
  { name: 'file over the 1 MiB limit (inspect)', args: ['inspect', i('big.pem')], want: /in\/big\.pem: the file is 1048577 bytes; certificate and key files are far smaller than the 1048576-byte limit/ },
  { name: 'file over the 1 MiB limit as a template', args: template('big.pem'), want: /in\/big\.pem: the file is 1048577 bytes/ },
  { name: 'a folder where a file is expected', args: ['inspect', 'in'], want: /in: this is a directory, not a file/ },
  { name: 'a file that does not exist', args: ['inspect', i('nope.pem')], want: /in\/nope\.pem: no such file/ },
  { name: 'certificate with a malformed subjectAltName (inspect)', args: ['inspect', i('badsan.crt')], want: /in\/badsan\.crt: the certificate #1 is damaged: its names, dates or extensions cannot be read/ },

  // Push and probe options that would reach a socket, an SNI field or a command line on the device.
  { name: 'push --host with a semicolon command', args: () => pushApstra([], { '--host': 'apstra.example.net;touch pwned' }), want: /--host: "apstra\.example\.net;touch pwned" is not a host name or an IP address/ },
  { name: 'push --host with $(…)', args: () => pushApstra([], { '--host': '$(reboot)' }), want: /--host: "\$\(reboot\)" is not a host name or an IP address/ },
  { name: 'push --host with a backtick and a space', args: () => pushApstra([], { '--host': 'a `id`' }), want: /--host: "a `id`" is not a host name/ },
  { name: 'push --host with a newline', args: () => pushApstra([], { '--host': 'apstra\nProxyCommand x' }), want: /--host: "apstra\\nProxyCommand x" is not a host name/ },
  { name: 'push --host starting with a dash (option injection)', args: () => pushApstra([], { '--host': '-oProxyCommand=x' }), want: /--host: "-oProxyCommand=x" is not a host name/ },
  { name: 'push --server-name with a pipe', args: () => pushApstra([], { '--server-name': 'apstra.example.net|nc' }), want: /--server-name: "apstra\.example\.net\|nc" is not a host name/ },
  { name: 'push --port with a command', args: () => pushApstra([], { '--port': '22;ls' }), want: /--port: "22;ls" is not a port number/ },
  { name: 'push --https-port out of range', args: () => pushApstra([], { '--https-port': '70000' }), want: /--https-port: "70000" is not a port number/ },
  { name: 'push --nginx-dir with $(…)', args: () => pushApstra(['--nginx-dir', '/etc/aos/$(reboot)']), want: /--nginx-dir: "\/etc\/aos\/\$\(reboot\)" is not an absolute folder/ },
  { name: 'push --nginx-dir with a quote and a semicolon', args: () => pushApstra(['--nginx-dir', "/etc/aos/x';rm -rf /;'"]), want: /--nginx-dir: .* is not an absolute folder/ },
  { name: 'push --nginx-dir relative', args: () => pushApstra(['--nginx-dir', 'etc/aos']), want: /--nginx-dir: "etc\/aos" is not an absolute folder/ },
  { name: 'push --nginx-dir climbing out with ..', args: () => pushApstra(['--nginx-dir', '/etc/aos/../../root']), want: /--nginx-dir: "\/etc\/aos\/\.\.\/\.\.\/root" is not an absolute folder/ },
  { name: 'push --restart-cmd with a newline', args: () => pushApstra(['--restart-cmd', 'docker restart aos_nginx_1\nreboot']), want: /--restart-cmd: must be one non-empty line/ },
  { name: 'push --host-key that is not a SHA256 fingerprint', args: () => pushApstra([], { '--host-key': 'MD5:12:34:56' }), want: /--host-key: .*SHA256/ },
  { name: 'push --password-env that is not a variable name', args: () => pushApstra(['--password-env', 'X;Y']).filter((a, k, all) => a !== '--identity' && all[k - 1] !== '--identity'), want: /--password-env: "X;Y" is not an environment variable name/ },
  { name: 'push --password-env naming an unset variable', args: () => pushApstra(['--password-env', 'CERTBENCH_UNSET_PW_7f3a']).filter((a, k, all) => a !== '--identity' && all[k - 1] !== '--identity'), want: /--password-env CERTBENCH_UNSET_PW_7f3a: the environment variable CERTBENCH_UNSET_PW_7f3a is not set or empty/ },
  { name: 'push with a key that does not match (refused before connecting)', args: () => pushApstra([], { '--key': i('other.key') }), want: /does not match the certificate/ },
  { name: 'push junos --cert-id with a semicolon command', args: () => pushJunos([], { '--cert-id': 'r1;request system reboot' }), want: /--cert-id: "r1;request system reboot" is not a Junos identifier/ },
  { name: 'push junos --cert-id with a newline (a second CLI line)', args: () => pushJunos([], { '--cert-id': 'r1\nrequest system zeroize' }), want: /--cert-id: "r1\?request system zeroize" is not a Junos identifier/ },
  { name: 'push junos --ca-profile with a space and a pipe', args: () => pushJunos(['--ca-profile', 'lab | save /var/tmp/x']), want: /--ca-profile: "lab \| save \/var\/tmp\/x" is not a Junos identifier/ },
  { name: 'push junos --ca-profile without a chain to load', args: () => pushJunos(['--ca-profile', 'lab-ca']).filter((a, k, all) => a !== '--chain' && all[k - 1] !== '--chain'), want: /--ca-profile: a CA profile is loaded with the issuing CA certificate: give it with --chain/ },
  { name: 'push junos --bind with something else', args: () => pushJunos(['--bind', 'rest;reboot']), want: /--bind: "rest;reboot": give rest, web or rest,web/ },
  { name: 'push junos --confirm-minutes 0', args: () => pushJunos(['--confirm-minutes', '0']), want: /--confirm-minutes: "0" is not a whole number of minutes from 1 to 65535/ },
  { name: 'push junos --confirm-minutes shorter than the verify', args: () => pushJunos(['--confirm-minutes', '1', '--verify-timeout', '60']), want: /--confirm-minutes: the device would roll back after 1 minute\(s\)/ },
  { name: 'push junos --host with $(…)', args: () => pushJunos([], { '--host': '$(reboot)' }), want: /--host: "\$\(reboot\)" is not a host name or an IP address/ },
  { name: 'push junos --verify-port out of range', args: () => pushJunos([], { '--verify-port': '99999' }), want: /--verify-port: "99999" is not a port number/ },
  { name: 'push junos with a key that does not match (refused before connecting)', args: () => pushJunos([], { '--key': i('other.key') }), want: /does not match the certificate/ },
  { name: 'push sps --url over plain http', args: () => pushSps([], { '--url': `http://127.0.0.1:${listenerPort}` }), want: /--url: only https:\/\/ is used to reach SPS/ },
  { name: 'push sps --url with credentials in it', args: () => pushSps([], { '--url': `https://admin:pw-in-url-9x@127.0.0.1:${listenerPort}` }), want: /--url: the URL holds credentials/, secret: 'pw-in-url-9x' },
  { name: 'push sps --url with a path', args: () => pushSps([], { '--url': `https://127.0.0.1:${listenerPort}/api/../x` }), want: /--url: give the SPS web interface only/ },
  { name: 'push sps --url with $(…) as the host', args: () => pushSps([], { '--url': 'https://$(reboot)/' }), want: /--url: / },
  { name: 'push sps --pin that is an SSH key fingerprint', args: () => pushSps([], { '--pin': `SHA256:${'A'.repeat(43)}` }), want: /--pin: this is an SSH key fingerprint/ },
  { name: 'push sps with both --ca and --pin', args: () => pushSps(['--ca', i('root.crt')]), want: /--ca\/--pin: give exactly one of --ca FILE/ },
  { name: 'push sps with an ECDSA key (SPS takes RSA only, refused before connecting)', args: () => pushSps([], { '--cert': i('ec.crt'), '--key': i('ec.key') }), want: /refused before connecting/ },
  { name: 'audit junos with both --config and --host', args: () => auditLive(['--host', '127.0.0.1', '--config', i('rsa.crt')]), want: /--config\/--host: give the configuration with --config FILE, or read it from the device with --host HOST/ },
  { name: 'audit junos --host with a semicolon command', args: () => auditLive(['--host', 'r1;reboot']), want: /--host: "r1;reboot" is not a host name or an IP address/ },
  { name: 'audit junos --host with --cert-dir', args: () => auditLive(['--host', '127.0.0.1', '--cert-dir', 'in']), want: /--cert-dir: with --host the certificates are read from the device/ },
  { name: 'probe with a semicolon command in the host', args: () => ['probe', 'a;rm -rf /:443'], want: /"a;rm -rf \/" is not a host name or an IP address/ },
  { name: 'probe with $(…) in the host', args: () => ['probe', `$(id):${listenerPort}`], want: /"\$\(id\)" is not a host name or an IP address/ },

  // Passphrases.
  { name: 'PKCS#12 with a wrong passphrase (inspect)', args: ['inspect', i('rsa.p12'), '--passphrase-file', i('wrong.txt')], want: /in\/rsa\.p12: the passphrase is wrong/, secret: WRONG },
  { name: 'PKCS#12 with a wrong passphrase (convert)', args: ['convert', i('rsa.p12'), '--to', 'pem', '--passphrase-file', i('wrong.txt'), '-o', 'out/x.pem'], want: /in\/rsa\.p12: the passphrase is wrong/, secret: WRONG },
  { name: 'PKCS#12 without a passphrase', args: ['inspect', i('rsa.p12')], want: /in\/rsa\.p12: this PKCS#12 file is protected by a passphrase; give its passphrase/ },
  { name: 'PKCS#12 asking for 2^31-1 key-derivation iterations', args: ['inspect', i('iterations.p12'), '--passphrase-file', i('pass.txt')], want: /in\/iterations\.p12: .*asks for 2147483647 key-derivation iterations; certbench runs at most 1000000/, secret: PASSPHRASE },
  { name: 'encrypted key without a passphrase (csr)', args: ['csr', '--key', i('ec.enc.pem'), '--subject', 'CN=host.example.net', '-o', 'out/req.csr'], want: /in\/ec\.enc\.pem: the PEM block #1 \("ENCRYPTED PRIVATE KEY"\) is an encrypted private key; give its passphrase \(--passphrase-file\)/ },
  { name: 'encrypted key with a wrong passphrase (csr)', args: ['csr', '--key', i('ec.enc.pem'), '--passphrase-file', i('wrong.txt'), '--subject', 'CN=host.example.net', '-o', 'out/req.csr'], want: /in\/ec\.enc\.pem: the passphrase does not decrypt/, secret: WRONG },
  { name: 'empty passphrase file', args: ['inspect', i('rsa.p12'), '--passphrase-file', i('empty.pem')], want: /--passphrase-file in\/empty\.pem: the passphrase file is empty/ },

  // The wrong kind of object.
  { name: 'certificate where a key is expected (csr --key)', args: ['csr', '--key', i('rsa.crt'), '--subject', 'CN=host.example.net', '-o', 'out/req.csr'], want: /in\/rsa\.crt: expected a private key but the file holds certificate/ },
  { name: 'certificate where a key is expected (convert --to pkcs8)', args: ['convert', i('rsa.crt'), '--to', 'pkcs8', '-o', 'out/x.key'], want: /in\/rsa\.crt: --to pkcs8 converts one private key; the file holds 0/ },
  { name: 'key where a certificate is expected (convert --cert)', args: ['convert', i('rsa.key'), '--to', 'pkcs12', '--cert', i('other.key'), '--out-passphrase-file', i('pass.txt'), '-o', 'out/x.p12'], want: /in\/other\.key: expected certificates only, found a private-key/ },
  { name: 'key and certificate swapped (format --cert KEY --key CERT)', args: ['format', '--target', 'junos', '--cert', i('rsa.key'), '--key', i('rsa.crt'), '-o', 'out/fmt'], want: /in\/rsa\.crt: expected a private key but the file holds certificate/ },
  // format lists every reason it refuses, one per line.
  { name: 'key that does not match the certificate (format)', args: ['format', '--target', 'junos', '--cert', i('rsa.crt'), '--key', i('other.key'), '--chain', i('int.crt'), '--chain', i('root.crt'), '-o', 'out/fmt'], want: /cannot format for junos, nothing was written:\n {2}- the private key in in\/other\.key does not match the certificate in in\/rsa\.crt/, lines: 2 },

  // OpenSSL configs (csr --template): sections, includes, expansions, shell metacharacters.
  { name: 'config naming a section it does not have', args: template('missing-section.cnf'), want: /in\/missing-section\.cnf: line \d+: subjectAltName names section \[nowhere\], which the config does not have/ },
  { name: 'config whose req_extensions section is missing', args: template('unknown-ext-section.cnf'), want: /in\/unknown-ext-section\.cnf: line 4: req_extensions names section \[v3_nowhere\]/ },
  { name: 'config with an .include', args: template('include.cnf'), want: /in\/include\.cnf: line 1: \.include is not supported; put everything in one file/ },
  { name: 'config with $ENV::HOME in a value', args: template('env.cnf'), want: /in\/env\.cnf: line \d+: CN uses OpenSSL variable expansion \(\$ENV::HOME\)/ },
  { name: 'config with $(...) in a value', args: template('subshell.cnf'), want: /in\/subshell\.cnf: line \d+: CN uses OpenSSL variable expansion \(\$\(touch pwned\)\)/ },
  { name: 'config with backticks in a value', args: template('backtick.cnf'), want: /in\/backtick\.cnf: line \d+: subject CN="`touch pwned`" contains a shell metacharacter/ },
  { name: 'config with ;rm -rf in a subject value', args: template('semicolon.cnf'), want: /in\/semicolon\.cnf: line \d+: subject O="Lab;rm -rf \/tmp\/x" contains a shell metacharacter/ },
  { name: 'config with ;rm -rf in a SAN', args: template('san-semicolon.cnf'), want: /in\/san-semicolon\.cnf: line \d+: subject alternative name DNS:"host\.example\.net;rm -rf \/tmp\/x" contains a space/ },
  { name: 'config with an extension certbench does not write', args: template('unknown-ext.cnf'), want: /in\/unknown-ext\.cnf: line \d+: extension "nsComment" is not supported/ },
  { name: 'template placeholder filled with $(...)', args: template('template.cnf', ['--var', 'country=US', '--var', 'organization=Lab', '--var', 'unit=Net', '--var', 'hostname=$(touch pwned)', '--var', 'domain=example.net', '--var', 'mgmt_ip=192.0.2.1']), want: /in\/template\.cnf: line \d+: subject CN="\$\(touch pwned\)\.example\.net" contains a shell metacharacter/ },
  { name: 'template placeholder filled with a newline', args: template('template.cnf', ['--var', 'country=US', '--var', 'organization=Lab\nCN=evil', '--var', 'unit=Net', '--var', 'hostname=r1', '--var', 'domain=example.net', '--var', 'mgmt_ip=192.0.2.1']), want: /in\/template\.cnf: line \d+: subject O="Lab\\u000aCN=evil" contains a control character/ },
  { name: 'template with a placeholder left unfilled', args: template('template.cnf', ['--var', 'country=US']), want: /in\/template\.cnf: no value for placeholders .*\{\{organization\}\}/ },

  // Control characters in names.
  { name: 'SAN with a newline (--san)', args: ['csr', '--key', i('rsa.key'), '--subject', 'CN=host.example.net', '--san', 'DNS:host.example.net\nevil.example.net', ...csrOut], want: /subject alternative name DNS:"host\.example\.net\\u000aevil\.example\.net" contains a control character/ },
  { name: 'SAN with an escape sequence (--san)', args: ['csr', '--key', i('rsa.key'), '--subject', 'CN=host.example.net', '--san', 'DNS:host\u001b[2J.example.net', ...csrOut], want: /subject alternative name DNS:"host\\u001b\[2J\.example\.net" contains a control character/ },
  { name: 'SAN with a newline escape in a config', args: template('san-newline.cnf'), want: /in\/san-newline\.cnf: line \d+: subject alternative name DNS:"host\.example\.net\\u000aevil\.example\.net" contains a control character/ },
  { name: 'SAN with a NUL byte in a config', args: template('san-nul.cnf'), want: /in\/san-nul\.cnf: the config contains NUL bytes; it is not a text file/ },
  { name: 'subject with an escape sequence (--subject)', args: ['csr', '--key', i('rsa.key'), '--subject', 'CN=host\u001b[31m.example.net', ...csrOut], want: /--subject: the subject "CN=host\\u001b\[31m\.example\.net" contains a control character/ },
  { name: 'subject with a tab escape in a config', args: template('subject-control.cnf'), want: /in\/subject-control\.cnf: line \d+: subject CN="host\\u0009example" contains a control character/ },
  { name: 'subject with a raw escape character in a config', args: template('subject-escape.cnf'), want: /in\/subject-escape\.cnf: line \d+ contains a control character/ },

  // Junos certificate-id.
  { name: '--cert-id with a path (../x)', args: junos(['--cert-id', '../x', '-o', 'out/fmt']), want: /--cert-id: "\.\.\/x" is not a usable certificate-id/ },
  { name: '--cert-id with a path separator (a/b)', args: junos(['--cert-id', 'a/b', '-o', 'out/fmt']), want: /--cert-id: "a\/b" is not a usable certificate-id/ },
  { name: '--cert-id with a semicolon (a;b)', args: junos(['--cert-id', 'a;b', '-o', 'out/fmt']), want: /--cert-id: "a;b" is not a usable certificate-id/ },
  { name: '--cert-id with $(id)', args: junos(['--cert-id', '$(id)', '-o', 'out/fmt']), want: /--cert-id: "\$\(id\)" is not a usable certificate-id/ },
  { name: '--cert-id with a newline', args: junos(['--cert-id', 'a\nset system root-authentication', '-o', 'out/fmt']), want: /--cert-id: "a.set system root-authentication" is not a usable certificate-id/ },

  // Output paths.
  { name: 'output into a missing folder (csr)', args: ['csr', '--key', i('rsa.key'), '--subject', 'CN=host.example.net', '-o', 'out/missing/req.csr'], want: /-o out\/missing\/req\.csr: the folder "out\/missing" does not exist/ },
  { name: 'config output into a missing folder: the CSR is not written either', args: ['csr', '--key', i('rsa.key'), '--subject', 'CN=host.example.net', '-o', 'out/req.csr', '--emit-openssl-cnf', 'out/missing/req.cnf'], want: /--emit-openssl-cnf out\/missing\/req\.cnf: the folder "out\/missing" does not exist/ },
  { name: 'output file exists, no --force (csr)', args: ['csr', '--key', i('rsa.key'), '--subject', 'CN=host.example.net', '-o', 'out/exists.csr'], want: /-o out\/exists\.csr: the file already exists; choose another name or pass --force to replace it/ },
  { name: 'output file exists, no --force (keygen, refused before generating)', args: ['keygen', '--alg', 'rsa', '--bits', '4096', '-o', 'out/exists.csr'], want: /-o out\/exists\.csr: the file already exists/ },
  { name: 'output into a missing folder (format)', args: junos(['-o', 'out/missing/fmt']), want: /-o out\/missing\/fmt: cannot create the output folder/ },
  { name: 'format output folder already holds the files, no --force', args: junos(['-o', 'out/junos-done']), want: /-o out\/junos-done\/[\w.-]+: the file already exists/ },
  { name: 'format output is a file', args: junos(['-o', 'out/exists.csr']), want: /-o out\/exists\.csr: is a file; -o names the output folder/ },
];

const OUTPUT_FLAGS = new Set(['-o', '--out', '--emit-openssl-cnf']);

describe('hostile input: refused with exit 2, a clear message, and nothing written', () => {
  beforeAll(async () => {
    listener = createServer((sock) => {
      connections++;
      sock.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    listenerPort = (listener.address() as AddressInfo).port;
  });
  afterAll(async () => {
    // The kernel queues connections while the CLI runs (the test blocks on it); let them be accepted now.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await new Promise((resolve) => listener.close(resolve));
    expect(connections, 'a refused push or probe connected to the device').toBe(0);
  });

  for (const row of rows) {
    it(row.name, () => {
      const args = typeof row.args === 'function' ? row.args() : row.args;
      const outputs = args.flatMap((a, k) => (OUTPUT_FLAGS.has(a) ? [join(work, args[k + 1]!)] : [])).filter((p) => !existsSync(p));
      const before = snapshot(work);
      const r = certbench(args, { cwd: work });
      expect(r.code, `stdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(2);
      // Prefixed, one line per reason, no stack trace.
      expect(r.stderr).toMatch(/^certbench: /);
      expect(r.stderr.endsWith('\n') ? r.stderr.slice(0, -1).split('\n') : [r.stderr]).toHaveLength(row.lines ?? 1);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      expect(r.stderr).toMatch(row.want);
      if (row.secret) expect(r.stdout + r.stderr).not.toContain(row.secret);
      expect(snapshot(work)).toEqual(before);
      for (const p of outputs) expect(existsSync(p), `${p} was written`).toBe(false);
    });
  }
});

describe('hostile input certbench accepts on purpose: treated as literal text, never executed', () => {
  // Runs the printed `openssl req` command with bash in the work folder and returns what appeared there.
  function runPrinted(command: string): string[] {
    const before = new Set(Object.keys(snapshot(work)));
    const r = spawnSync('bash', ['--norc', '--noprofile', '-c', command], { cwd: work, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: t.dir } });
    expect(r.status, r.stderr).toBe(0);
    return Object.keys(snapshot(work)).filter((k) => !before.has(k));
  }
  const reqText = (path: string): { subject: string; san: string } => ({
    subject: openssl(['req', '-in', path, '-noout', '-subject', '-nameopt', 'RFC2253']).trim(),
    san: /Subject Alternative Name:\s*\n\s*(.*)/.exec(openssl(['req', '-in', path, '-noout', '-text']))?.[1]?.trim() ?? '',
  });

  it('names with characters a shell treats specially (& ( ) \' " # \\ * ? !) and a URI with an escaped $( ) come out quoted in the emitted config', () => {
    writeFileSync(join(inDir, 'literal.cnf'), [
      '[ req ]', 'prompt = no', 'distinguished_name = dn', 'req_extensions = ext', '',
      '[ dn ]', 'CN = host.example.net', 'O = R&D (EMEA) \\"Lab\\" \\\'x\\\' \\#1 \\\\ * ? !', '',
      '[ ext ]', 'subjectAltName = @alt', '', '[ alt ]', 'DNS.1 = host.example.net', 'URI.1 = https://host.example.net/\\$(touch%20pwned)', '',
      // Nothing refers to this section: certbench ignores it, as OpenSSL does, and never acts on it.
      '[ unused ]', 'foo = $ENV::HOME `touch pwned` ;rm -rf /tmp/x', '',
    ].join('\n'));
    const r = certbench(['csr', '--key', i('rsa.key'), '--template', i('literal.cnf'), '-o', 'out/literal.csr', '--emit-openssl-cnf', 'out/literal.cnf', '--json'], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { subject: { type: string; value: string }[]; sans: { type: string; value: string }[]; opensslCommand: string };
    expect(j.subject).toEqual([{ type: 'CN', value: 'host.example.net' }, { type: 'O', value: 'R&D (EMEA) "Lab" \'x\' #1 \\ * ? !' }]);
    expect(j.sans).toEqual([{ type: 'DNS', value: 'host.example.net' }, { type: 'URI', value: 'https://host.example.net/$(touch%20pwned)' }]);
    const ours = reqText(join(work, 'out/literal.csr'));
    copyFileSync(join(work, 'out/literal.csr'), t.path('ours.csr'));
    // OpenSSL, reading certbench's config through certbench's command, makes the same request and runs nothing.
    expect(runPrinted(j.opensslCommand)).toEqual([]);
    expect(reqText(join(work, 'out/literal.csr'))).toEqual(ours);
    expect(ours.san).toBe('DNS:host.example.net, URI:https://host.example.net/$(touch%20pwned)');
  });

  it('paths holding $( ), backticks, quotes, semicolons and spaces are quoted in the printed command', () => {
    mkdirSync(join(work, 'odd'));
    const key = "odd/k$(touch pwned-key);`touch pwned-tick`'q'.pem";
    copyFileSync(join(inDir, 'ec.key'), join(work, key));
    chmodSync(join(work, key), 0o600);
    const csr = 'odd/r e q;touch pwned-csr.csr';
    const cnf = 'odd/-$(touch pwned-cnf) "c".cnf';
    const r = certbench(['csr', '--key', key, '--subject', 'CN=odd.example.net', '--san', 'DNS:odd.example.net', '-o', csr, '--emit-openssl-cnf', cnf, '--json'], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
    const { opensslCommand } = JSON.parse(r.stdout) as { opensslCommand: string };
    const ours = reqText(join(work, csr));
    expect(runPrinted(opensslCommand)).toEqual([]);
    expect(reqText(join(work, csr))).toEqual(ours);
    expect(readdirSync(work).filter((n) => n.includes('pwned'))).toEqual([]);
    expect(readdirSync(join(work, 'odd')).filter((n) => n.startsWith('pwned'))).toEqual([]);
  });
});
