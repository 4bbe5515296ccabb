import { isIP } from 'node:net';
import { fail } from '../errors.js';

// RFC 1123 host names: labels of letters, digits and inner hyphens. Nothing else can reach a command
// line, an SNI field or a known_hosts lookup (PyEZ's _HOSTNAME_RE does the same for its device facade).
const LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** True for a DNS host name (RFC 1123) or an IPv4/IPv6 address, with nothing else in it. */
export function isValidHost(host: string): boolean {
  if (isIP(host) !== 0) return true;
  if (host.length === 0 || host.length > 253) return false;
  const labels = (host.endsWith('.') ? host.slice(0, -1) : host).split('.');
  return labels.every((l) => LABEL.test(l));
}

/**
 * Checks a host given on the command line or in a device profile.
 * @throws InputError `invalid-value` naming `flag` when it is not a host name or an IP address
 */
export function validateHost(host: string, flag = '--host'): string {
  if (!isValidHost(host)) {
    const shown = JSON.stringify(host.length > 80 ? `${host.slice(0, 80)}…` : host);
    fail('invalid-value', `${shown} is not a host name or an IP address (letters, digits, dots and hyphens only)`, flag);
  }
  return host;
}

/**
 * Checks a TCP port number.
 * @throws InputError `invalid-value` naming `flag` unless it is an integer from 1 to 65535
 */
export function validatePort(port: number | string, flag = '--port'): number {
  const n = typeof port === 'number' ? port : /^\d{1,5}$/.test(port) ? Number(port) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 65535) fail('invalid-value', `${JSON.stringify(String(port))} is not a port number (1-65535)`, flag);
  return n;
}

/** `host:port`, with brackets around an IPv6 address. */
export function endpointOf(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
