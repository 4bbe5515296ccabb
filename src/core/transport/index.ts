// The transports: SSH (exec, SFTP) and TLS/HTTPS, with one typed error tree; nothing here trusts a host silently.
export * from './errors.js';
export { endpointOf, isValidHost, validateHost, validatePort } from './host.js';
export { httpsRequest } from './https.js';
export { normalizeSha256, probeTls, waitForServed } from './tls-probe.js';
export type * from './types.js';
