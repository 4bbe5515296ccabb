import type { PushHistoryEntry } from './contract.js';

// Junos identifiers (certificate-id, CA profile), checked the same way by the core, main and the push screen, and
// the push screen's per-push certificate-id: the ids history says were used, and a fresh suggestion.

/** A Junos identifier as the CLI takes it without quotes; it also names files in /var/tmp, so no `..` (see {@link isJunosId}). */
export const JUNOS_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** True for a usable Junos certificate-id or CA profile name: 1-63 of [A-Za-z0-9._-], starting alphanumeric, no `..`. */
export function isJunosId(value: string): boolean {
  return JUNOS_ID_RE.test(value) && !value.includes('..');
}
/** The longest certificate-id Junos takes. */
export const MAX_CERT_ID = 63;
// A suffix a suggestion added before ("-20261130", "-20261130-2"): the next suggestion replaces it instead of stacking.
const DATE_SUFFIX_RE = /-\d{8}(-\d+)?$/;

/** Why a per-push certificate-id would be refused, or undefined when it is usable. */
export function pushCertIdError(value: string): string | undefined {
  const t = value.trim();
  if (t === '') return 'Give a certificate-id the device does not hold yet';
  if (!JUNOS_ID_RE.test(t)) return '1 to 63 letters, digits, ".", "_" or "-", starting with a letter or digit';
  if (t.includes('..')) return 'No ".." (the certificate-id names files on the device)';
  return undefined;
}

/**
 * A fresh certificate-id after a push: the profile's with today's date (`web-2026-20261130`), then `-2`, `-3`...
 * while that one is in `taken` (the ids already pushed to this device).
 */
export function suggestCertId(profileId: string, taken: ReadonlySet<string>, now: Date): string {
  const base = profileId.replace(DATE_SUFFIX_RE, '') || profileId;
  const day = `${now.getFullYear()}${String(now.getMonth() + 1).padStart(2, '0')}${String(now.getDate()).padStart(2, '0')}`;
  for (let n = 1; ; n++) {
    const suffix = n === 1 ? `-${day}` : `-${day}-${n}`;
    const id = `${base.slice(0, MAX_CERT_ID - suffix.length)}${suffix}`;
    if (!taken.has(id)) return id;
  }
}

/** The certificate-ids history says were loaded (or tried) on this device: same profile, or the same Junos host and port. */
export function certIdsUsed(history: PushHistoryEntry[], device: { id: string; host: string; port: number }): PushHistoryEntry[] {
  return history.filter((e) => e.target === 'junos' && e.certId !== undefined && (e.deviceId === device.id || (e.host === device.host && e.port === device.port)));
}
