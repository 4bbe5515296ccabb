import { isIP } from 'node:net';
import { fail } from '../../core/errors.js';
import { validateHost } from '../../core/transport/host.js';
import { probeTls } from '../../core/transport/tls-probe.js';
import type { ProbeResult, ServedCert } from '../../core/transport/types.js';
import { printJson, printable } from '../io.js';

interface ProbeOptions { servername?: string; timeout?: string; json?: boolean }

const TARGET = 'HOST:PORT';
const DAY_MS = 24 * 60 * 60 * 1000;

// Control characters would let a hostile argument rewrite the terminal line the error is shown on.
function shown(s: string): string {
  return JSON.stringify(s);
}

// The same host rule as push (RFC 1123 names or IP addresses): nothing else gets near a socket.
function checkHost(host: string, what: string): void {
  validateHost(host, what);
}

/**
 * Splits `HOST:PORT`, `[IPv6]:PORT`, `HOST` (port 443) or a bare IPv6 address (port 443), and checks both parts.
 * @throws InputError `invalid-value` naming the argument
 */
export function parseTarget(arg: string): { host: string; port: number } {
  let host = arg;
  let port = '443';
  const v6 = /^\[([^\]]*)\](?::(.*))?$/.exec(arg);
  if (v6) {
    host = v6[1]!;
    if (v6[2] !== undefined) port = v6[2];
    if (isIP(host) !== 6) fail('invalid-value', `${shown(arg)}: only an IPv6 address goes in brackets`, TARGET);
  } else if (arg.split(':').length === 2) {
    [host, port] = arg.split(':') as [string, string];
  }
  // Anything else with colons is a bare IPv6 address or nothing: checkHost tells.
  checkHost(host, TARGET);
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    fail('invalid-value', `${shown(port)} is not a TCP port (1-65535)`, TARGET);
  }
  return { host, port: Number(port) };
}

function timeoutMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const s = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(s > 0) || s > 600) fail('invalid-value', `${shown(value)} is not a number of seconds between 0 and 600`, '--timeout');
  return Math.round(s * 1000);
}

function validity(c: ServedCert, now: Date): string {
  const from = new Date(c.notBefore);
  const to = new Date(c.notAfter);
  const range = `${c.notBefore} -> ${c.notAfter}`;
  if (now < from) return `${range} (not yet valid)`;
  if (now > to) return `${range} (EXPIRED ${Math.floor((now.getTime() - to.getTime()) / DAY_MS)} days ago)`;
  return `${range} (${Math.floor((to.getTime() - now.getTime()) / DAY_MS)} days left)`;
}

function render(r: ProbeResult, now: Date): string {
  const lines = [`${r.endpoint}${r.servername === undefined ? '' : ` (SNI ${r.servername})`}: ${r.protocol}, ${r.cipher}, ${r.chain.length} certificate${r.chain.length === 1 ? '' : 's'} presented`];
  r.chain.forEach((c, i) => {
    lines.push('', `#${i + 1}${i === 0 ? ' (leaf)' : ''}`);
    const rows: [string, string][] = [
      ['subject', c.subject],
      ['issuer', c.issuer],
      ['SAN', c.sans.length > 0 ? c.sans.join(', ') : 'none'],
      ['valid', validity(c, now)],
      ['serial', c.serial],
      ['SHA-256', c.sha256],
      ['self-signed', c.selfSigned ? 'yes' : 'no'],
    ];
    // Names come from the server's certificate: no control character of theirs reaches the terminal.
    for (const [k, v] of rows) lines.push(`  ${k.padEnd(14)}${printable(v)}`);
  });
  return lines.join('\n');
}

/** `certbench probe`: connect over TLS, show the certificates the service presents, send nothing. */
export async function run(target: string, opts: ProbeOptions): Promise<void> {
  const { host, port } = parseTarget(target);
  if (opts.servername !== undefined) {
    checkHost(opts.servername, '--servername');
    if (isIP(opts.servername) !== 0) fail('invalid-value', `${shown(opts.servername)} is an IP address; SNI takes a host name`, '--servername');
  }
  const timeout = timeoutMs(opts.timeout);
  const r = await probeTls({ host, port, ...(opts.servername === undefined ? {} : { servername: opts.servername }), ...(timeout === undefined ? {} : { timeoutMs: timeout }) });
  if (opts.json) printJson(r);
  else process.stdout.write(`${render(r, new Date())}\n`);
}
