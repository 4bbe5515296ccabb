import type { Channel, IpcError, RequestOf, ResponseOf, Result } from '../../shared/contract.js';

/**
 * Calls one channel of the preload API. Never throws: a missing bridge or a failed IPC round trip
 * comes back as an `internal` error like any other failure, so every caller handles one shape.
 */
export async function call<C extends Channel>(channel: C, request: RequestOf<C>): Promise<Result<ResponseOf<C>>> {
  const api = (window as Partial<Window>).certbench;
  if (!api) return { ok: false, error: { code: 'internal', message: 'the certbench bridge is not available in this window' } };
  try {
    const fn = api[channel] as (r: RequestOf<C>) => Promise<Result<ResponseOf<C>>>;
    return await fn(request);
  } catch (err) {
    return { ok: false, error: { code: 'internal', message: err instanceof Error ? err.message : String(err) } };
  }
}

const TITLES: Record<string, string> = {
  'too-large': 'File too large',
  empty: 'Empty input',
  'bad-base64': 'Damaged PEM/base64',
  truncated: 'Truncated file',
  'unknown-content': 'Not a key, certificate or CSR',
  'passphrase-required': 'Passphrase required',
  'wrong-passphrase': 'Wrong passphrase',
  unsupported: 'Not supported',
  'invalid-value': 'Invalid value',
  'not-found': 'Not found',
  'wrong-kind': 'Wrong kind of item',
  refused: 'Refused',
  'invalid-request': 'certbench could not handle the request',
  internal: 'Something went wrong inside certbench',
};

/** A short title for an error code, for the heading of an alert. */
export function errorTitle(code: string): string {
  return TITLES[code] ?? 'Error';
}

/**
 * The sentence shown to people. The core's own messages already name the file and the reason; the
 * two codes that come from the plumbing (`invalid-request`, `internal`) get a plain sentence with
 * the technical detail after it.
 */
export function errorText(e: IpcError): string {
  if (e.code === 'invalid-request') {
    return `The window sent a request the app could not accept; this is a bug in certbench, not a problem with your files. Nothing was changed. (${e.message})`;
  }
  if (e.code === 'internal') {
    return `certbench hit an unexpected problem and stopped this step; nothing was changed. (${e.message})`;
  }
  return e.message;
}
