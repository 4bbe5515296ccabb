// NETCONF over SSH (RFC 6241/6242) for Junos: the `netconf` subsystem, hello exchange, base:1.0 `]]>]]>` and
// base:1.1 chunked framing, message-ids and rpc-error parsing. Interface by the lead; implementation below.
import type { SshSession } from './types.js';

/** The NETCONF base capabilities. */
export const NETCONF_BASE_10 = 'urn:ietf:params:netconf:base:1.0';
export const NETCONF_BASE_11 = 'urn:ietf:params:netconf:base:1.1';

/** One `<rpc-error>` (or Junos `<xnm:error>`) of a reply, as the device worded it. */
export interface RpcErrorInfo {
  /** `error` or `warning`. */
  severity: 'error' | 'warning';
  /** `<error-type>`: transport, rpc, protocol, application (absent in Junos xnm:error). */
  type?: string;
  /** `<error-tag>`, e.g. `operation-failed`. */
  tag?: string;
  /** `<error-message>` (or xnm `<message>`), trimmed; what the engineer reads. */
  message: string;
  /** `<error-path>` or `<bad-element>` when given. */
  path?: string;
}

/** A parsed `<rpc-reply>`. */
export interface RpcReply {
  /** The reply's message-id (equal to the request's). */
  messageId: string;
  /** The whole reply document as received (after framing is removed). */
  xml: string;
  /** True when the reply holds `<ok/>` and no error. */
  ok: boolean;
  /** Errors of severity `error`; a reply with any is thrown as NetconfRpcError by `rpc` unless `allowErrors`. */
  errors: RpcErrorInfo[];
  /** Errors of severity `warning` (Junos sends some with successful commits). */
  warnings: RpcErrorInfo[];
  /**
   * Text content of the first `<output>` element (Junos `<command format="text">` answers), or of
   * `<configuration-output>` (`show configuration` through `<command>`), `<configuration-text>` or
   * `<configuration-set>`; undefined when there is none. Entities decoded.
   */
  output?: string;
}

/** Options of one RPC. */
export interface RpcParams {
  /** Default 120 000 ms (a PKI load or a commit can take a while on a small box). */
  timeoutMs?: number;
  /** Return a reply with errors instead of throwing NetconfRpcError. */
  allowErrors?: boolean;
}

/** An open NETCONF session. */
export interface NetconfSession {
  /** `host:port`. */
  readonly endpoint: string;
  /** The capabilities the device announced in its hello. */
  readonly capabilities: string[];
  /** The device's `<session-id>`. */
  readonly sessionId: string;
  /** `1.1` when both sides announced base:1.1 (chunked framing), else `1.0` (`]]>]]>`). */
  readonly framing: '1.0' | '1.1';
  /**
   * Sends `<rpc message-id="N" xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">{body}</rpc>` and waits for
   * the reply with the same message-id. `body` is XML the caller built (text escaped with {@link xmlEscape}).
   * @throws NetconfRpcError (the device's error messages), TimeoutError, ConnectionLostError, CancelledError
   */
  rpc(body: string, p?: RpcParams): Promise<RpcReply>;
  /** Sends `<close-session/>` (best effort) and closes the channel; safe to call twice. */
  close(): Promise<void>;
  /** Resolves when the channel closes, for whatever reason. */
  readonly closed: Promise<void>;
}

/** Options of {@link openNetconf}. */
export interface NetconfParams {
  /** Time for the device's hello, default 30 000 ms. */
  helloTimeoutMs?: number;
  /** Offer base:1.1 (default true); base:1.0 framing is used when either side does not. */
  offer11?: boolean;
  signal?: AbortSignal;
}

export { NetconfRpcError } from './errors.js';
export { openNetconf, xmlEscape } from './netconf-client.js';
export type { SshSession };
