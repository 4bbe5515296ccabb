/**
 * The IPC channel names, kept free of imports: the sandboxed preload bundles this file alone
 * (it cannot `require` zod), and contract.ts is checked against it at compile time.
 */
export const channels = ['app:info'] as const;

/** Every channel name. */
export type Channel = (typeof channels)[number];
