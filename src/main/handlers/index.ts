export { csrHandlers } from './csr.js';
export { deviceHandlers } from './devices.js';
export { formatHandlers } from './format.js';
export { itemHandlers } from './items.js';
export { keyHandlers } from './keys.js';
export { miscHandlers } from './misc.js';
export { pushHandlers } from './push.js';
export { templateHandlers } from './templates.js';
export type { HandlerContext, HandlerDeps, HandlerGroup, Handlers, ScanHostKeyFn } from './types.js';
