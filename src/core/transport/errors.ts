import { CertbenchError } from '../errors.js';

/**
 * The transports' typed error tree. Every error names the host (and port) it is about and says
 * what the engineer can do; none carries a password, a passphrase or key material.
 *
 *   TransportError
 *   ├── ConnectError            could not reach the service (refused, unreachable, DNS)
 *   │   ├── TimeoutError        no answer within the time limit
 *   │   ├── AuthError           the server turned the credentials down
 *   │   ├── HostKeyError        the SSH host key could not be trusted
 *   │   │   ├── HostKeyUnknownError   no pin and no known_hosts entry for this host
 *   │   │   └── HostKeyMismatchError  the host presented another key than the one on record
 *   │   └── TlsUntrustedError   the HTTPS certificate is neither from the given CA nor the pinned one
 *   ├── ConnectionLostError     the connection dropped after it was up
 *   ├── RemoteCommandError      a command on the device exited non-zero
 *   ├── RemoteFileError         a file operation on the device failed (permission, no such file)
 *   ├── NetconfRpcError         the device answered a NETCONF RPC with <rpc-error>
 *   ├── HttpApiError            an HTTPS API answered with an error status (SPS: 400, 401, 404, 405...)
 *   └── CancelledError          the user cancelled
 */
export type TransportErrorCode =
  | 'connect-failed'
  | 'timeout'
  | 'auth-failed'
  | 'host-key-unknown'
  | 'host-key-changed'
  | 'tls-untrusted'
  | 'connection-lost'
  | 'remote-command-failed'
  | 'remote-file-failed'
  | 'rpc-error'
  | 'api-error'
  | 'cancelled';

/** Base of every transport failure: the device could not be talked to as asked. */
export class TransportError extends CertbenchError {
  override name = 'TransportError';
  readonly code: TransportErrorCode;
  /** `host:port` the error is about. */
  readonly endpoint: string;
  constructor(code: TransportErrorCode, endpoint: string, message: string, options?: { cause?: unknown }) {
    super(`${endpoint}: ${message}`, options);
    this.code = code;
    this.endpoint = endpoint;
  }
}

/** The service could not be reached: connection refused, host unreachable, name not resolved. */
export class ConnectError extends TransportError {
  override name = 'ConnectError';
  constructor(endpoint: string, message: string, options?: { cause?: unknown; code?: TransportErrorCode }) {
    super(options?.code ?? 'connect-failed', endpoint, message, options);
  }
}

/** No answer (or no finished handshake) within the time limit. */
export class TimeoutError extends ConnectError {
  override name = 'TimeoutError';
  constructor(endpoint: string, message: string, options?: { cause?: unknown }) {
    super(endpoint, message, { ...options, code: 'timeout' });
  }
}

/** The server rejected the user name and credentials (password, key or agent). */
export class AuthError extends ConnectError {
  override name = 'AuthError';
  constructor(endpoint: string, message: string, options?: { cause?: unknown }) {
    super(endpoint, message, { ...options, code: 'auth-failed' });
  }
}

/** The SSH host key could not be trusted; `presented` is its OpenSSH `SHA256:...` fingerprint. */
export class HostKeyError extends ConnectError {
  override name = 'HostKeyError';
  /** OpenSSH-style fingerprint of the key the host presented, e.g. `SHA256:abc...`. */
  readonly presented: string;
  /** The key type the host presented, e.g. `ssh-ed25519`. */
  readonly keyType: string;
  constructor(code: 'host-key-unknown' | 'host-key-changed', endpoint: string, message: string, presented: string, keyType: string) {
    super(endpoint, message, { code });
    this.presented = presented;
    this.keyType = keyType;
  }
}

/** No pin was given and no known_hosts entry names this host. */
export class HostKeyUnknownError extends HostKeyError {
  override name = 'HostKeyUnknownError';
  constructor(endpoint: string, message: string, presented: string, keyType: string) {
    super('host-key-unknown', endpoint, message, presented, keyType);
  }
}

/** The host presented another key than the pinned or recorded one: possibly a man in the middle. */
export class HostKeyMismatchError extends HostKeyError {
  override name = 'HostKeyMismatchError';
  /** The fingerprints on record (pin or known_hosts lines) that did not match. */
  readonly expected: string[];
  constructor(endpoint: string, message: string, presented: string, keyType: string, expected: string[]) {
    super('host-key-changed', endpoint, message, presented, keyType);
    this.expected = expected;
  }
}

/** The HTTPS server's certificate is not trusted by the given CA file or pin. */
export class TlsUntrustedError extends ConnectError {
  override name = 'TlsUntrustedError';
  /** SHA-256 (lowercase hex) of the certificate the server presented, when one was seen. */
  readonly presentedSha256?: string;
  constructor(endpoint: string, message: string, presentedSha256?: string) {
    super(endpoint, message, { code: 'tls-untrusted' });
    if (presentedSha256 !== undefined) this.presentedSha256 = presentedSha256;
  }
}

/** The connection dropped after it had been established. */
export class ConnectionLostError extends TransportError {
  override name = 'ConnectionLostError';
  constructor(endpoint: string, message: string, options?: { cause?: unknown }) {
    super('connection-lost', endpoint, message, options);
  }
}

/** A command run on the device exited non-zero (or was killed by a signal). */
export class RemoteCommandError extends TransportError {
  override name = 'RemoteCommandError';
  readonly command: string;
  /** Exit status, or null when a signal ended the command. */
  readonly exitCode: number | null;
  /** The command's standard error, trimmed to its last lines. */
  readonly stderr: string;
  constructor(endpoint: string, command: string, exitCode: number | null, stderr: string) {
    const tail = stderr.trim().split('\n').slice(-5).join('\n');
    super('remote-command-failed', endpoint,
      `\`${command}\` ${exitCode === null ? 'was killed' : `exited with status ${exitCode}`}${tail ? `: ${tail}` : ''}`);
    this.command = command;
    this.exitCode = exitCode;
    this.stderr = tail;
  }
}

/** A file operation on the device failed. */
export class RemoteFileError extends TransportError {
  override name = 'RemoteFileError';
  readonly path: string;
  constructor(endpoint: string, path: string, message: string, options?: { cause?: unknown }) {
    super('remote-file-failed', endpoint, `${path}: ${message}`, options);
    this.path = path;
  }
}

/** The user cancelled the operation. */
export class CancelledError extends TransportError {
  override name = 'CancelledError';
  constructor(endpoint: string, message = 'cancelled') {
    super('cancelled', endpoint, message);
  }
}

/** The device refused a NETCONF RPC: `errors` holds its `<rpc-error>` messages (severity error). */
export class NetconfRpcError extends TransportError {
  override name = 'NetconfRpcError';
  /** Short name of what was asked, e.g. `commit-configuration` or the CLI command of a `<command>` RPC. */
  readonly operation: string;
  readonly errors: import('./netconf.js').RpcErrorInfo[];
  constructor(endpoint: string, operation: string, errors: import('./netconf.js').RpcErrorInfo[]) {
    const text = errors.map((e) => e.message + (e.path ? ` (at ${e.path})` : '')).join('; ') || 'no error message';
    super('rpc-error', endpoint, `the device refused ${operation}: ${text}`);
    this.operation = operation;
    this.errors = errors;
  }
}

/** An HTTPS API answered with an error status; the message says in words what the status means there. */
export class HttpApiError extends TransportError {
  override name = 'HttpApiError';
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** The API's own error name when it gave one (SPS: `SyntacticError`, `Unauthenticated`, `NotFound`...). */
  readonly apiError?: string;
  constructor(endpoint: string, method: string, path: string, status: number, message: string, apiError?: string) {
    super('api-error', endpoint, `${method} ${path} answered ${status}${apiError ? ` ${apiError}` : ''}: ${message}`);
    this.method = method;
    this.path = path;
    this.status = status;
    if (apiError !== undefined) this.apiError = apiError;
  }
}
