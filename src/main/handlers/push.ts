import { DevicesStore } from '../devices-store.js';
import { PushHistory, PushJobs } from '../push-jobs.js';
import { Vault } from '../vault.js';
import type { HandlerContext, HandlerGroup } from './types.js';

/** push:start, push:status, push:cancel, push:history. */
export function pushHandlers(ctx: HandlerContext): HandlerGroup<'push:start' | 'push:status' | 'push:cancel' | 'push:history'> {
  const history = new PushHistory(ctx.dataDir);
  const jobs = new PushJobs({
    devices: new DevicesStore(ctx.dataDir, ctx.now),
    vault: new Vault(ctx.dataDir, ctx.secrets),
    store: ctx.store,
    history,
    push: ctx.push,
    ...(ctx.now ? { now: ctx.now } : {}),
  });
  return {
    'push:start': async (r) => ({ jobId: await jobs.start(r) }),
    'push:status': async (r) => jobs.status(r.jobId, r.since),
    'push:cancel': async (r) => ({ cancelled: jobs.cancel(r.jobId) }),
    'push:history': async () => history.read().reverse(),
  };
}
