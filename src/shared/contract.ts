import { z } from 'zod';
import type { Channel } from './channels.js';

export { channels, type Channel } from './channels.js';

/**
 * The one IPC contract: channel -> request schema and response type. Preload and main are
 * derived from it; payloads are plain data only (PEM text, strings, numbers, plain objects).
 */
export const contract = {
  'app:info': {
    request: z.object({}).strict(),
    response: z.object({ name: z.string(), version: z.string(), platform: z.string() }),
  },
} as const satisfies Record<Channel, { request: z.ZodType; response: z.ZodType }>;
/** The request type of a channel. */
export type RequestOf<C extends Channel> = z.input<(typeof contract)[C]['request']>;
/** The response type of a channel. */
export type ResponseOf<C extends Channel> = z.output<(typeof contract)[C]['response']>;
/** The API the preload exposes to the renderer: one function per channel. */
export type CertbenchApi = { [C in Channel]: (request: RequestOf<C>) => Promise<ResponseOf<C>> };
