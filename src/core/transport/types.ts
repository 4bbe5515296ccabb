import type { Duplex } from 'node:stream';

/** How to log in over SSH. Key material and passwords never appear in errors or events. */
export type SshAuth =
  | { kind: 'password'; password: string }
  /** A private key in any encoding certbench reads (PKCS#8 is converted for ssh2 in memory); `file` names it in errors. */
  | { kind: 'key'; privateKey: string | Uint8Array; passphrase?: string; file?: string }
  /** ssh-agent at `socket` (default `SSH_AUTH_SOCK`). */
  | { kind: 'agent'; socket?: string };

/**
 * How the SSH host key is trusted. Never "accept anything".
 * - `pin`: one or more OpenSSH fingerprints `SHA256:<base64, no padding>`.
 * - `known-hosts`: an OpenSSH known_hosts file (plain, hashed `|1|` and `[host]:port` entries).
 * - `store`: certbench's own known_hosts-format file; an unknown host is refused unless `acceptNew`
 *   is set, in which case its key is recorded (first use accepted explicitly). A changed key is always refused.
 */
export type HostKeyPolicy =
  | { kind: 'pin'; fingerprints: string[] }
  | { kind: 'known-hosts'; file: string }
  | { kind: 'store'; file: string; acceptNew?: boolean };

/** Options of {@link SshParams}. */
export interface SshParams {
  host: string;
  /** Default 22. */
  port?: number;
  username: string;
  auth: SshAuth;
  hostKey: HostKeyPolicy;
  /** Time allowed for TCP connect + handshake + authentication, default 20 000 ms. */
  readyTimeoutMs?: number;
  /** SSH keep-alive interval, default 10 000 ms; the connection counts as lost after 3 unanswered. */
  keepaliveIntervalMs?: number;
  /** Aborting closes the connection and rejects pending work with CancelledError. */
  signal?: AbortSignal;
  /** An already-connected stream to run SSH over (tests, proxies). */
  sock?: Duplex;
}

/** The host key a session was established with. */
export interface HostKeyInfo {
  /** e.g. `ssh-ed25519`. */
  type: string;
  /** OpenSSH fingerprint, `SHA256:<base64, no padding>`. */
  fingerprint: string;
  /** True when this connection recorded the key in certbench's store (first use, accepted). */
  recorded: boolean;
}

/** Options of {@link SshSession.exec}. */
export interface ExecParams {
  /** Default 60 000 ms; on expiry the channel is closed and TimeoutError thrown. */
  timeoutMs?: number;
  stdin?: string | Uint8Array;
  /** Return a non-zero exit instead of throwing RemoteCommandError. */
  allowFailure?: boolean;
}

/** What a remote command printed and how it ended. */
export interface ExecResult {
  /** Exit status, or null when a signal ended it. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A file's attributes on the device. */
export interface RemoteStat {
  size: number;
  /** Permission bits (e.g. 0o600). */
  mode: number;
  isFile: boolean;
  isDirectory: boolean;
}

/** File operations on the device (SFTP). Paths are absolute POSIX paths. */
export interface RemoteFs {
  /** undefined when there is no such file. */
  stat(path: string): Promise<RemoteStat | undefined>;
  /** Reads a whole file, refusing files over `limit` bytes (default 1 MiB). */
  readFile(path: string, limit?: number): Promise<Buffer>;
  /** Names in a folder (no `.`/`..`). */
  readdir(path: string): Promise<string[]>;
  /** Creates or truncates `path` with `mode` from the first byte on (so a key is never readable by others), writes `data`. */
  writeFile(path: string, data: string | Uint8Array, mode: number): Promise<void>;
  /** Renames, replacing `to` atomically when it exists (posix-rename@openssh.com). */
  rename(from: string, to: string): Promise<void>;
  /** Removes a file; no error when it is already gone. */
  unlink(path: string): Promise<void>;
}

/** One SSH connection to a device. */
export interface SshSession {
  /** `host:port`. */
  readonly endpoint: string;
  readonly hostKey: HostKeyInfo;
  /**
   * Runs a command through the account's shell.
   * @throws RemoteCommandError on a non-zero exit (unless allowFailure), TimeoutError, ConnectionLostError, CancelledError
   */
  exec(command: string, p?: ExecParams): Promise<ExecResult>;
  /**
   * Opens an SSH subsystem channel (e.g. `netconf`) as a byte stream; ending the stream closes the channel.
   * @throws ConnectionLostError, CancelledError, RemoteCommandError when the server refuses the subsystem
   */
  subsystem(name: string): Promise<Duplex>;
  /** Opens (once) and returns the SFTP file operations. @throws RemoteFileError when SFTP is unavailable */
  files(): Promise<RemoteFs>;
  /** Resolves when the connection closes, for whatever reason. */
  readonly closed: Promise<void>;
  /** Ends the connection; safe to call twice. */
  close(): Promise<void>;
}

/** Options of a TLS probe. */
export interface ProbeParams {
  host: string;
  port: number;
  /** SNI name; default `host` when it is a host name (never an IP address). */
  servername?: string;
  /** Default 10 000 ms for connect + handshake. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** One certificate as a service presented it. */
export interface ServedCert {
  subject: string;
  issuer: string;
  /** `DNS:x`, `IP:x`, `email:x`, `URI:x`. */
  sans: string[];
  /** ISO 8601. */
  notBefore: string;
  notAfter: string;
  /** SHA-256 of the DER, OpenSSL style `AB:CD:...` (as `inspect` prints it). */
  sha256: string;
  serial: string;
  selfSigned: boolean;
  /** PEM of the certificate. */
  pem: string;
}

/** What a TLS service presented. */
export interface ProbeResult {
  endpoint: string;
  servername?: string;
  /** e.g. `TLSv1.3`. */
  protocol: string;
  cipher: string;
  /** Leaf first, then whatever else the server sent, in the order sent. */
  chain: ServedCert[];
}

/** How an HTTPS server is trusted: a CA bundle (PEM text) or a pinned leaf fingerprint. Never "accept anything". */
export type TlsTrust =
  | { kind: 'ca'; caPem: string; file?: string }
  /** SHA-256 of the server's certificate, `AB:CD:...` or plain hex. */
  | { kind: 'pin'; sha256: string };
