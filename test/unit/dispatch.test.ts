import { describe, expect, it } from 'vitest';
import { channels, contract } from '../../src/shared/contract.js';
import { createHandlers, dispatch } from '../../src/main/dispatch.js';

const handlers = createHandlers({ name: 'certbench', version: '9.9.9' });

describe('IPC dispatch', () => {
  it('has a handler and a schema for every channel the preload exposes', () => {
    expect(Object.keys(contract).sort()).toEqual([...channels].sort());
    expect(Object.keys(handlers).sort()).toEqual([...channels].sort());
  });
  const cases: { name: string; channel: string; payload: unknown; want: { ok: unknown } | { error: RegExp } }[] = [
    { name: 'app:info answers', channel: 'app:info', payload: {}, want: { ok: { name: 'certbench', version: '9.9.9', platform: process.platform } } },
    { name: 'an unknown channel is refused', channel: 'fs:readFile', payload: { path: '/etc/passwd' }, want: { error: /unknown IPC channel/ } },
    { name: 'a prototype key is not a channel', channel: 'constructor', payload: {}, want: { error: /unknown IPC channel/ } },
    { name: 'extra request fields are refused', channel: 'app:info', payload: { injected: true }, want: { error: /injected|Unrecognized/i } },
    { name: 'a non-object request is refused', channel: 'app:info', payload: 'x', want: { error: /object/i } },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const run = dispatch(handlers, c.channel, c.payload);
      if ('error' in c.want) await expect(run).rejects.toThrow(c.want.error);
      else await expect(run).resolves.toEqual(c.want.ok);
    });
  }
});
