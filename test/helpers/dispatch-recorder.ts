import type { Result } from '../../src/shared/contract.js';
import { dispatch, type Handlers } from '../../src/main/dispatch.js';

/** Calls through `dispatch` as the renderer makes them, recording every answer and log line. */
export interface DispatchRecorder {
  /** Every answer (as JSON) and every dispatch log line so far, to prove no secret ever travels back. */
  answers: string[];
  /** Dispatches and records the answer, whatever it is. */
  call(h: Handlers, channel: string, payload: unknown): Promise<Result<unknown>>;
  /** Dispatches and returns the value; throws when the answer is an error. */
  ok<T = Record<string, unknown>>(h: Handlers, channel: string, payload: unknown): Promise<T>;
  /** Dispatches and returns the error; throws when the call succeeded. */
  err(h: Handlers, channel: string, payload: unknown): Promise<{ code: string; message: string }>;
}

/** A fresh recorder; use one per test file so its `answers` cover every call the file made. */
export function dispatchRecorder(): DispatchRecorder {
  const answers: string[] = [];
  async function call(h: Handlers, channel: string, payload: unknown): Promise<Result<unknown>> {
    const r = await dispatch(h, channel, payload, { log: (l) => answers.push(l) });
    answers.push(JSON.stringify(r));
    return r;
  }
  async function ok<T = Record<string, unknown>>(h: Handlers, channel: string, payload: unknown): Promise<T> {
    const r = await call(h, channel, payload);
    if (!r.ok) throw new Error(`${channel} failed: ${r.error.code} ${r.error.message}`);
    return r.value as T;
  }
  async function err(h: Handlers, channel: string, payload: unknown): Promise<{ code: string; message: string }> {
    const r = await call(h, channel, payload);
    if (r.ok) throw new Error(`${channel} unexpectedly succeeded: ${JSON.stringify(r.value)}`);
    return r.error;
  }
  return { answers, call, ok, err };
}
