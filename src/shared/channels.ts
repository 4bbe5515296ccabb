/**
 * The IPC channel names, kept free of imports: the sandboxed preload bundles this file alone
 * (it cannot `require` zod), and contract.ts is checked against it at compile time.
 */
export const channels = [
  'app:info',
  'keys:generate',
  'keys:save',
  'items:decode',
  'items:open',
  'items:forget',
  'items:match',
  'items:save',
  'san:validate',
  'csr:build',
  'csr:openssl-config',
  'templates:list',
  'templates:read',
  'templates:parse',
  'templates:save',
  'templates:import',
  'format:build',
  'format:save',
  'text:save',
  'clipboard:write',
  'devices:list',
  'devices:save',
  'devices:delete',
  'devices:choose-key-file',
  'devices:scan-host-key',
  'push:start',
  'push:status',
  'push:cancel',
  'push:history',
] as const;

/** Every channel name. */
export type Channel = (typeof channels)[number];
