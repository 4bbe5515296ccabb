import { afterAll, describe, expect, it } from 'vitest';
import { CertbenchError, InputError } from '../../src/core/errors.js';
import { channels, contract } from '../../src/shared/contract.js';
import { createHandlers, dispatch, type Dialogs, type Handlers } from '../../src/main/dispatch.js';
import { tempDir } from '../helpers/openssl.js';

const tmp = tempDir('certbench-dispatch-');
afterAll(() => tmp.cleanup());

// No test here should open a dialog: one that does fails loudly.
const noDialogs: Dialogs = {
  openFiles: () => Promise.reject(new Error('unexpected open dialog')),
  saveFile: () => Promise.reject(new Error('unexpected save dialog')),
  chooseFolder: () => Promise.reject(new Error('unexpected folder dialog')),
};

function makeHandlers(): Handlers {
  return createHandlers({
    appInfo: { name: 'certbench', version: '9.9.9' },
    dialogs: noDialogs,
    clipboard: { writeText: () => {} },
    dataDir: tmp.path('data'),
    templatesDir: tmp.path('templates'),
  });
}

const handlers = makeHandlers();
const logs: string[] = [];
const call = (h: Handlers, channel: string, payload: unknown) => dispatch(h, channel, payload, { log: (l) => logs.push(l) });

describe('IPC dispatch', () => {
  it('has a handler and a schema for every channel the preload exposes', () => {
    expect(Object.keys(contract).sort()).toEqual([...channels].sort());
    expect(Object.keys(handlers).sort()).toEqual([...channels].sort());
  });

  const cases: { name: string; channel: string; payload: unknown; want: { ok: unknown } | { code: string; message: RegExp } }[] = [
    { name: 'app:info answers', channel: 'app:info', payload: {}, want: { ok: { name: 'certbench', version: '9.9.9', platform: process.platform } } },
    { name: 'a missing payload is an empty request', channel: 'app:info', payload: undefined, want: { ok: { name: 'certbench', version: '9.9.9', platform: process.platform } } },
    { name: 'an unknown channel is refused', channel: 'fs:readFile', payload: { path: '/etc/passwd' }, want: { code: 'invalid-request', message: /unknown IPC channel "fs:readFile"/ } },
    { name: 'a prototype key is not a channel', channel: 'constructor', payload: {}, want: { code: 'invalid-request', message: /unknown IPC channel/ } },
    { name: '__proto__ is not a channel', channel: '__proto__', payload: {}, want: { code: 'invalid-request', message: /unknown IPC channel/ } },
    { name: 'extra request fields are refused', channel: 'app:info', payload: { injected: true }, want: { code: 'invalid-request', message: /injected/ } },
    { name: 'a non-object request is refused', channel: 'app:info', payload: 'x', want: { code: 'invalid-request', message: /object/i } },
    { name: 'an unknown key algorithm is refused', channel: 'keys:generate', payload: { alg: 'dsa' }, want: { code: 'invalid-request', message: /keys:generate: .*alg/ } },
    { name: 'an RSA size outside the offer is refused', channel: 'keys:generate', payload: { alg: 'rsa', bits: 1024 }, want: { code: 'invalid-request', message: /bits/ } },
    { name: 'a missing required field is refused', channel: 'keys:generate', payload: undefined, want: { code: 'invalid-request', message: /alg/ } },
    { name: 'decoding no files is refused', channel: 'items:decode', payload: { files: [] }, want: { code: 'invalid-request', message: /files/ } },
    { name: 'a CSR without subject is refused', channel: 'csr:build', payload: { keyId: 'k', subject: [], sans: [] }, want: { code: 'invalid-request', message: /subject/ } },
    { name: 'a SAN of an unknown type is refused', channel: 'san:validate', payload: { type: 'RID', value: '1.2.3' }, want: { code: 'invalid-request', message: /type/ } },
    { name: 'an unknown target is refused', channel: 'format:build', payload: { target: 'ios', keyId: 'k', certId: 'c', chainIds: [] }, want: { code: 'invalid-request', message: /target/ } },
    { name: 'a request field of the wrong type is refused', channel: 'items:forget', payload: { ids: 'all' }, want: { code: 'invalid-request', message: /ids/ } },
    { name: 'the core\'s errors keep their code and words', channel: 'keys:save', payload: { keyId: 'nope', format: 'pkcs8' }, want: { code: 'not-found', message: /no longer held/ } },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const r = await call(handlers, c.channel, c.payload);
      if ('ok' in c.want) expect(r).toEqual({ ok: true, value: c.want.ok });
      else {
        expect(r.ok).toBe(false);
        if (r.ok) return;
        expect(r.error.code).toBe(c.want.code);
        expect(r.error.message).toMatch(c.want.message);
      }
    });
  }

  it('never echoes a refused value (a passphrase too long is not repeated)', async () => {
    const secret = `sekrit-${'x'.repeat(2000)}`;
    const r = await call(handlers, 'keys:save', { keyId: 'k', format: 'pkcs8', passphrase: secret });
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).not.toContain('sekrit');
  });

  it('does not throw even when reading the request throws', async () => {
    const hostile = new Proxy({}, { ownKeys: () => { throw new Error('boom'); }, get: () => { throw new Error('boom'); } });
    const r = await call(handlers, 'app:info', hostile);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(JSON.stringify(r)).not.toContain('boom');
  });

  describe('errors a handler did not foresee', () => {
    const base = makeHandlers();
    const failing = (f: () => Promise<unknown>): Handlers => ({ ...base, 'app:info': f as Handlers['app:info'] });

    it('answer "internal" without the detail, which goes to the log', async () => {
      logs.length = 0;
      const r = await call(failing(async () => { throw new TypeError('cannot read /home/alice/secret-folder'); }), 'app:info', {});
      expect(r).toEqual({ ok: false, error: { code: 'internal', message: expect.stringMatching(/^internal error: TypeError/) } });
      expect(JSON.stringify(r)).not.toContain('secret-folder');
      expect(logs.join('\n')).toContain('secret-folder');
    });
    it('keep the code of a CertbenchError that is not an input error', async () => {
      const r = await call(failing(async () => { throw new CertbenchError('the device said no'); }), 'app:info', {});
      expect(r).toEqual({ ok: false, error: { code: 'failed', message: 'the device said no' } });
    });
    it('keep the code of an InputError', async () => {
      const r = await call(failing(async () => { throw new InputError('refused', 'cannot format for sps'); }), 'app:info', {});
      expect(r).toEqual({ ok: false, error: { code: 'refused', message: 'cannot format for sps' } });
    });
    it('turn a response that breaks the contract into "internal"', async () => {
      logs.length = 0;
      const r = await call(failing(async () => ({ name: 42 })), 'app:info', {});
      expect(r).toEqual({ ok: false, error: { code: 'internal', message: 'internal error: the answer did not match the contract' } });
      expect(logs.join('\n')).toMatch(/app:info: the response does not match/);
    });
    it('strip response fields the contract does not declare', async () => {
      const r = await call(failing(async () => ({ name: 'n', version: 'v', platform: 'p', keyPem: '-----BEGIN PRIVATE KEY-----' })), 'app:info', {});
      expect(r).toEqual({ ok: true, value: { name: 'n', version: 'v', platform: 'p' } });
    });
  });
});
