import type { KeyObject } from 'node:crypto';
import type { Finding } from '../pki/lint.js';

export type { Finding } from '../pki/lint.js';

/** The devices certbench formats for. */
export type TargetName = 'junos' | 'apstra' | 'sps' | 'sdcloud';

/** Every target, in the order the UI and help list them. */
export const TARGETS: readonly TargetName[] = ['junos', 'apstra', 'sps', 'sdcloud'];

/**
 * What moves through certbench: a private key, its certificate, the chain above it and, when the
 * user has it, the CSR. Bytes are DER; `files` names where each part came from, for messages.
 */
export interface Bundle {
  /** The private key (never serialised to logs, errors or the renderer). */
  key: KeyObject;
  /** The leaf certificate. */
  cert: Uint8Array;
  /** Intermediates then root, as given (may be empty). */
  chain: Uint8Array[];
  /** The request the certificate was issued for, if given. */
  csr?: Uint8Array;
  files: { key: string; cert: string; chain: string[]; csr?: string };
}

/** One file a target needs. */
export interface TargetFile {
  /** A plain file name (no folders), e.g. `nginx.crt`. */
  name: string;
  content: string;
  /** Holds private key material: written with mode 0600, never shown in logs. */
  secret: boolean;
  /** One line for people: what the file is and where it goes. */
  description: string;
}

/** What a formatter returns: the files to write and the warnings that did not stop it. */
export interface FormatResult {
  target: TargetName;
  files: TargetFile[];
  /** Non-fatal findings (weak key, expiring, self-signed...); refusals are thrown instead. */
  warnings: Finding[];
}

/** Options every formatter takes. */
export interface FormatParams {
  /** The Junos certificate-id (also used to name files); defaults to the leaf's first DNS name or CN. */
  certId?: string;
  /** The moment validity is judged at; defaults to now. */
  now?: Date;
}
