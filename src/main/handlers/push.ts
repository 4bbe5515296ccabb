import { DevicesStore } from '../devices-store.js';
import { PushHistory, PushJobs } from '../push-jobs.js';
import { Vault } from '../vault.js';
import type { HandlerContext, HandlerGroup } from './types.js';

/** The push jobs of one set of handlers; whoever owns the handlers cancels them when the app quits. */
export function pushJobs(ctx: HandlerContext): PushJobs {
  return new PushJobs({
    devices: new DevicesStore(ctx.dataDir, ctx.now),
    vault: new Vault(ctx.dataDir, ctx.secrets),
    store: ctx.store,
    history: new PushHistory(ctx.dataDir),
    push: ctx.push,
    ...(ctx.now ? { now: ctx.now } : {}),
  });
}

/** push:start, push:status, push:cancel, push:history, over `jobs` (fresh ones when not given). */
export function pushHandlers(ctx: HandlerContext, jobs: PushJobs = pushJobs(ctx)): HandlerGroup<'push:start' | 'push:status' | 'push:cancel' | 'push:history'> {
  const history = new PushHistory(ctx.dataDir);
  return {
    'push:start': async (r) => ({ jobId: await jobs.start(r) }),
    'push:status': async (r) => jobs.status(r.jobId, r.since),
    'push:cancel': async (r) => ({ cancelled: jobs.cancel(r.jobId) }),
    'push:history': async () => history.read().reverse(),
  };
}
