import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { describeError, exitCodeFor } from './io.js';

// Each verb's implementation is imported only when that verb runs, so `--help` and light verbs
// do not pay for loading the X.509 and PKCS#12 libraries.
type Action = (...args: never[]) => Promise<void>;
const lazy = (load: () => Promise<{ run: Action }>) =>
  async (...args: unknown[]): Promise<void> => {
    const mod = await load();
    await mod.run(...(args as never[]));
  };

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function packageVersion(): string {
  // dist/cli/main.js and src/cli/main.ts both sit two folders below package.json.
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

// The SSH login options shared by the verbs that reach a device over SSH.
function sshLogin(cmd: Command, defaultPort: string, required = false): Command {
  const host = '--host <host>';
  const hostHelp = 'the device (host name or IP address)';
  if (required) cmd.requiredOption(host, hostHelp).requiredOption('--user <user>', 'SSH user');
  else cmd.option(host, `${hostHelp}; reads the configuration live over NETCONF`).option('--user <user>', 'SSH user (with --host)');
  return cmd
    .option('--port <port>', 'SSH port', defaultPort)
    .option('--identity <file>', 'SSH private key (PKCS#1, PKCS#8, SEC1 or OpenSSH; PEM or DER)')
    .option('--identity-passphrase-file <file>', 'passphrase of an encrypted --identity key')
    .option('--password-env <var>', 'read the SSH password from this environment variable')
    .option('--agent', 'authenticate with ssh-agent (SSH_AUTH_SOCK)')
    .option('--host-key <fingerprint>', 'expected SSH host key, SHA256:... as `ssh-keygen -lf` prints it (repeatable)', collect, [])
    .option('--known-hosts <file>', 'OpenSSH known_hosts file to check the host key against')
    .option('--accept-new-host-key', 'without --host-key/--known-hosts: record an unknown host key in certbench\'s own store (first use); a changed key is always refused');
}

// The files of what a push installs.
function pushBundle(cmd: Command, device: string): Command {
  return cmd
    .requiredOption('--cert <file>', `the new certificate for ${device} (a bundle's first certificate is the leaf, the rest its chain)`)
    .requiredOption('--key <file>', 'its private key')
    .option('--passphrase-file <file>', 'passphrase for an encrypted --key or PKCS#12')
    .option('--chain <file>', 'intermediate (and root) certificates, leaf-side first (repeatable)', collect, []);
}

/** Builds the `certbench` program (exported for tests of the parser itself). */
export function buildProgram(): Command {
  const program = new Command('certbench')
    .description('Certificate workbench for network engineers: keys, CSRs, inspect, match, convert, format for a device, audit, probe and push.\nExit codes: 0 success, 1 negative verdict (mismatch, failed check, unreachable device, failed push), 2 bad input or usage.')
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('keygen')
    .description('generate a private key (RSA 2048/3072/4096, ECDSA P-256/P-384, Ed25519); written with mode 0600')
    .addOption(new Option('--alg <alg>', 'key algorithm').choices(['rsa', 'ecdsa', 'ed25519']).makeOptionMandatory())
    .addOption(new Option('--bits <bits>', 'RSA modulus size').choices(['2048', '3072', '4096']))
    .addOption(new Option('--curve <curve>', 'ECDSA curve').choices(['P-256', 'P-384']))
    .addOption(new Option('--format <format>', 'key encoding (pkcs1 for RSA only, sec1 for ECDSA only)').choices(['pkcs8', 'pkcs1', 'sec1']).default('pkcs8'))
    .option('--der', 'write DER instead of PEM')
    .option('--passphrase-file <file>', 'encrypt the key (PKCS#8, AES-256-CBC) with the first line of this file')
    .requiredOption('-o, --out <file>', 'output key file')
    .option('--force', 'replace the output file if it exists')
    .option('--json', 'print one JSON object on stdout')
    .action(lazy(() => import('./commands/keygen.js')));

  program
    .command('csr')
    .description('build a certificate signing request from a key and a subject or a KB37299-style OpenSSL config')
    .requiredOption('--key <file>', 'private key (any encoding certbench reads)')
    .option('--passphrase-file <file>', 'passphrase for an encrypted key')
    .option('--subject <dn>', 'subject, e.g. "C=US,O=Org,CN=host" (order kept)')
    .option('--template <file>', 'OpenSSL req config with [alt_names] (KB37299 style), {{placeholders}} allowed')
    .option('--var <name=value>', 'fill a {{name}} placeholder of the template (repeatable)', collect, [])
    .option('--san <type:value>', 'subject alternative name: DNS:x, IP:x, email:x, URI:x (repeatable)', collect, [])
    .option('--emit-openssl-cnf <file>', 'also write the equivalent OpenSSL config for `openssl req -new -config`')
    .requiredOption('-o, --out <file>', 'output CSR file (PEM)')
    .option('--force', 'replace output files if they exist')
    .option('--json', 'print one JSON object on stdout')
    .action(lazy(() => import('./commands/csr.js')));

  program
    .command('inspect')
    .description('decode certificates, CSRs, keys and bundles (PEM, DER, PKCS#12) and lint them')
    .argument('<files...>', 'files to inspect (- reads standard input, e.g. pasted PEM)')
    .option('--passphrase-file <file>', 'passphrase for encrypted keys and PKCS#12 files')
    .option('--strict', 'exit 1 when any finding has severity "error"')
    .option('--json', 'print one JSON object on stdout')
    .action(lazy(() => import('./commands/inspect.js')));

  program
    .command('match')
    .description('check that keys, certificates and CSRs share one public key (a bundle\'s first certificate is its leaf); exit 1 when not')
    .argument('<files...>', 'any mix of keys, certificates, CSRs and bundles, PEM or DER (- reads standard input)')
    .option('--passphrase-file <file>', 'passphrase for encrypted keys and PKCS#12 files')
    .option('--json', 'print one JSON object on stdout')
    .action(lazy(() => import('./commands/match.js')));

  program
    .command('convert')
    .description('convert keys and certificates between PEM, DER, PKCS#1, PKCS#8, SEC1 and PKCS#12')
    .argument('<in>', 'input file')
    .addOption(new Option('--to <format>', 'output format').choices(['pem', 'der', 'pkcs1', 'pkcs8', 'sec1', 'pkcs12']).makeOptionMandatory())
    .option('--passphrase-file <file>', 'passphrase of the input (encrypted key or PKCS#12); also protects a PKCS#12 output unless --out-passphrase-file is given')
    .option('--out-passphrase-file <file>', 'encrypt the output: PKCS#8 with AES-256-CBC, or the PKCS#12 passphrase')
    .option('--cert <file>', 'certificate to put beside the key in a PKCS#12')
    .option('--chain <file>', 'chain certificates to add to a PKCS#12 (repeatable)', collect, [])
    .requiredOption('-o, --out <file>', 'output file')
    .option('--force', 'replace the output file if it exists')
    .option('--json', 'print one JSON object on stdout')
    .action(lazy(() => import('./commands/convert.js')));

  program
    .command('format')
    .description('check key, certificate and chain, then write the files and commands a target needs (refuses, exit 2, writing nothing, when they do not fit)')
    .addOption(new Option('--target <target>', 'device family').choices(['junos', 'apstra', 'sps', 'sdcloud']).makeOptionMandatory())
    .requiredOption('--cert <file>', 'the certificate (a bundle\'s first certificate is the leaf, the rest its chain)')
    .requiredOption('--key <file>', 'its private key (any encoding certbench reads)')
    .option('--passphrase-file <file>', 'passphrase for an encrypted key or PKCS#12')
    .option('--chain <file>', 'intermediate and root certificates, leaf-side first (repeatable)', collect, [])
    .option('--csr <file>', 'the CSR the certificate was issued for: checked against the key, and its names reused')
    .option('--cert-id <id>', 'Junos certificate-id (default: the certificate\'s first DNS name)')
    .requiredOption('-o, --out <dir>', 'output folder (created when missing)')
    .option('--force', 'replace files that already exist in the output folder')
    .option('--json', 'print one JSON object on stdout (file contents holding keys are left out)')
    .action(lazy(() => import('./commands/format.js')));

  const audit = program
    .command('audit')
    .description('security checks of device configurations');
  sshLogin(audit
    .command('junos')
    .description('CIS Junos checks of the REST and J-Web HTTPS certificates, in `show configuration | display set` output (--config) or read live over NETCONF (--host, read-only); exit 1 when an item fails')
    .option('--config <file>', 'the device configuration as set commands (- reads standard input)')
    .option('--cert-dir <dir>', 'folder holding the local certificates named in the configuration (ID.crt, ID.pem, ID.cer or ID.der)'), '830')
    .option('--verify-port <port>', 'with --host: HTTPS port of the REST API, whose served certificate is checked (default: the configured port, else 3443)')
    .option('--web-port <port>', 'with --host: HTTPS port of J-Web, whose served certificate is checked', '443')
    .option('--json', 'print one JSON object on stdout')
    .action(lazy(() => import('./commands/audit-junos.js')));

  program
    .command('probe')
    .description('connect over TLS and show the certificate chain the service presents (sends no request, trusts nothing); exit 1 when it cannot be read')
    .argument('<target>', 'HOST:PORT, [IPv6]:PORT, or HOST alone for port 443')
    .option('--servername <name>', 'SNI name to send (default: the host when it is a name, none for an IP address)')
    .option('--timeout <seconds>', 'time allowed for connect and handshake (default 10)')
    .option('--json', 'print one JSON object on stdout')
    .action(lazy(() => import('./commands/probe.js')));

  const push = program
    .command('push')
    .description('install a certificate on one device, verified by the fingerprint it serves afterwards; exit 1 when the push failed (the old state is restored)');
  pushBundle(sshLogin(push
    .command('apstra')
    .description('replace nginx.crt and nginx.key on the Apstra server over SSH/SFTP: back up, write (key 0600), restart, verify the served certificate, roll back on any failure'), '22', true), 'the Apstra server')
    .option('--server-name <name>', 'the name users browse to: must be in the certificate\'s SAN; SNI when verifying (default: --host)')
    .option('--nginx-dir <dir>', 'folder of nginx.crt and nginx.key on the server', '/etc/aos/nginx.conf.d')
    .option('--restart-cmd <command>', 'command that restarts nginx on the server', 'sudo -n docker restart aos_nginx_1')
    .option('--sudo', 'read and write the nginx folder through `sudo -n` (for a user such as admin that may not write it)')
    .option('--https-port <port>', 'HTTPS port to verify the served certificate on', '443')
    .option('--verify-timeout <seconds>', 'how long to wait for the new certificate to be served', '90')
    .option('--dry-run', 'connect, read the current state and print the plan; change nothing')
    .option('--json', 'print one JSON object on stdout (every step, the served fingerprint)')
    .action(lazy(() => import('./commands/push-apstra.js')));
  pushBundle(sshLogin(push
    .command('junos')
    .description('install a local certificate on a Junos device over NETCONF: upload (SCP) to /var/tmp, load it into the PKI store, delete the key file, bind it to REST and J-Web, commit confirmed, verify the served certificate, confirm; roll back on any failure'), '830', true), 'the Junos device')
    .requiredOption('--cert-id <id>', 'name of the new local certificate in the device\'s PKI store (must not exist yet)')
    .option('--ca-profile <name>', 'load the issuing CA (the first --chain certificate) into this CA profile, created when missing')
    .option('--bind <services>', 'services to serve the certificate: rest, web or rest,web', 'rest,web')
    .option('--confirm-minutes <n>', 'commit confirmed N: the device rolls back by itself unless certbench confirms within N minutes', '5')
    .option('--verify-port <port>', 'HTTPS port of the REST API to verify', '3443')
    .option('--web-port <port>', 'HTTPS port of J-Web to verify', '443')
    .option('--server-name <name>', 'SNI name when verifying; must be in the certificate\'s SAN (default: --host when it is a name)')
    .option('--verify-timeout <seconds>', 'how long to wait for the new certificate to be served', '60')
    .option('--dry-run', 'connect, read the device\'s state and print the plan; change nothing')
    .option('--json', 'print one JSON object on stdout (every step, the served fingerprint)')
    .action(lazy(() => import('./commands/push-junos.js')));
  pushBundle(push
    .command('sps')
    .description('replace a certificate of One Identity SPS over its REST API in one transaction: upload certificate, PKCS#1 key and chain, point the role at it, commit, verify the served certificate; roll the transaction back on any failure before the commit')
    .requiredOption('--url <url>', 'the SPS web interface, https://HOST[:PORT]')
    .option('--ca <file>', 'CA certificate(s) that verify SPS\'s current web certificate')
    .option('--pin <sha256>', 'SHA-256 of SPS\'s current web certificate (SHA256:AB:CD... or hex), instead of --ca')
    .requiredOption('--user <user>', 'SPS user with the REST server privilege')
    .requiredOption('--password-env <var>', 'read the SPS password from this environment variable'), 'SPS')
    .addOption(new Option('--role <role>', 'which SPS certificate to replace').choices(['server', 'ca', 'tsa']).default('server'))
    .option('--verify-timeout <seconds>', 'how long to wait for the new certificate to be served (role server)', '60')
    .option('--dry-run', 'log in, read SPS\'s certificate settings and print the plan; change nothing')
    .option('--json', 'print one JSON object on stdout (every step, the served fingerprint)')
    .action(lazy(() => import('./commands/push-sps.js')));

  return program;
}

/** Runs the CLI and returns the exit code (never calls process.exit itself). */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has printed its message already; explicit --help and --version are successes,
      // anything else (unknown flag, missing argument, no verb) is a usage error.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
      return 2;
    }
    process.stderr.write(`certbench: ${describeError(err)}\n`);
    return exitCodeFor(err);
  }
}
