// The transports: SSH (exec, SFTP, SCP, NETCONF) and TLS/HTTPS, with one typed error tree; nothing here trusts a host silently.
export * from './errors.js';
export { endpointOf, isValidHost, validateHost, validatePort } from './host.js';
export { httpsRequest } from './https.js';
export { openNetconf, xmlEscape } from './netconf-client.js';
export { NETCONF_BASE_10, NETCONF_BASE_11 } from './netconf.js';
export type { NetconfParams, NetconfSession, RpcErrorInfo, RpcParams, RpcReply } from './netconf.js';
export { scpUpload } from './scp.js';
export { normalizeSha256, probeTls, waitForServed } from './tls-probe.js';
export type * from './types.js';
