import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { HostKeyMismatchError, HostKeyUnknownError } from '../../src/core/transport/errors.js';
import {
  checkHostKey,
  fingerprintOf,
  keyTypeOf,
  lookupKnownHosts,
  normalizePin,
  recordHostKey,
} from '../../src/core/transport/host-keys.js';
import type { HostKeyPolicy } from '../../src/core/transport/types.js';
import { tempDir } from '../helpers/openssl.js';
import { sshKeygen } from '../helpers/sshd.js';

interface TestKey {
  type: string;
  b64: string;
  blob: Buffer;
  /** What `ssh-keygen -lf` prints for it. */
  fp: string;
}

const t = tempDir('certbench-hostkeys-');
const keys: Record<'ed' | 'rsa' | 'ec' | 'other', TestKey> = {} as never;

beforeAll(() => {
  const specs = [['ed', 'ed25519'], ['rsa', 'rsa'], ['ec', 'ecdsa'], ['other', 'ed25519']] as const;
  for (const [name, type] of specs) {
    const path = t.path(name);
    sshKeygen(['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', '', '-f', path]);
    const [keyType, b64] = readFileSync(`${path}.pub`, 'utf8').trim().split(' ');
    const fp = sshKeygen(['-lf', `${path}.pub`]).split(' ')[1];
    if (!keyType || !b64 || !fp) throw new Error(`cannot read ${path}.pub`);
    keys[name] = { type: keyType, b64, blob: Buffer.from(b64, 'base64'), fp };
  }
});
afterAll(() => t.cleanup());

const line = (hosts: string, k: TestKey): string => `${hosts} ${k.type} ${k.b64}`;

describe('fingerprintOf', () => {
  for (const name of ['ed', 'rsa', 'ec'] as const) {
    it(`equals ssh-keygen -lf for the ${name} key`, () => {
      expect(fingerprintOf(keys[name].blob)).toBe(keys[name].fp);
      expect(fingerprintOf(keys[name].blob)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    });
  }
  it('keyTypeOf reads the type from the blob', () => {
    expect(keyTypeOf(keys.ed.blob)).toBe('ssh-ed25519');
    expect(keyTypeOf(keys.rsa.blob)).toBe('ssh-rsa');
    expect(keyTypeOf(keys.ec.blob)).toBe('ecdsa-sha2-nistp256');
    expect(keyTypeOf(Buffer.from([0, 0]))).toBe('unknown');
  });
});

describe('normalizePin', () => {
  const b64 = 'uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s';
  const cases: { name: string; input: string; want: string | RegExp }[] = [
    { name: 'canonical', input: `SHA256:${b64}`, want: `SHA256:${b64}` },
    { name: 'with base64 padding', input: `SHA256:${b64}=`, want: `SHA256:${b64}` },
    { name: 'lower-case prefix and blanks', input: `  sha256:${b64}\n`, want: `SHA256:${b64}` },
    { name: 'MD5 with prefix', input: 'MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48', want: /MD5.*ssh-keygen -lf -E sha256/ },
    { name: 'bare MD5 hex', input: '16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48', want: /MD5.*ssh-keygen -lf -E sha256/ },
    { name: 'too short', input: 'SHA256:abc', want: /not an OpenSSH SHA-256/ },
    { name: 'no prefix', input: b64, want: /not an OpenSSH SHA-256/ },
    { name: 'empty', input: '', want: /not an OpenSSH SHA-256/ },
    { name: 'certificate-style hex', input: 'AB:CD', want: /not an OpenSSH SHA-256/ },
    { name: 'two paddings', input: `SHA256:${b64}==`, want: /not an OpenSSH SHA-256/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      if (typeof c.want === 'string') {
        expect(normalizePin(c.input)).toBe(c.want);
        return;
      }
      let err: unknown;
      try {
        normalizePin(c.input);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).code).toBe('invalid-value');
      expect((err as InputError).file).toBe('--host-key');
      expect((err as InputError).message).toMatch(c.want);
    });
  }
});

describe('lookupKnownHosts', () => {
  const k = (): typeof keys => keys;
  const cases: { name: string; text: () => string; host: string; port: number; want: () => { keys: string[]; revoked: string[] } }[] = [
    { name: 'plain host', text: () => line('router1', k().ed), host: 'router1', port: 22, want: () => ({ keys: [k().ed.fp], revoked: [] }) },
    { name: 'names are case-insensitive', text: () => line('Router1.Example.NET', k().ed), host: 'router1.example.NET', port: 22, want: () => ({ keys: [k().ed.fp], revoked: [] }) },
    { name: 'comma list', text: () => line('a.example.net,router1,192.0.2.1', k().rsa), host: '192.0.2.1', port: 22, want: () => ({ keys: [k().rsa.fp], revoked: [] }) },
    { name: 'another host', text: () => line('router2', k().ed), host: 'router1', port: 22, want: () => ({ keys: [], revoked: [] }) },
    { name: '[host]:port on that port', text: () => line('[router1]:2222', k().ec), host: 'router1', port: 2222, want: () => ({ keys: [k().ec.fp], revoked: [] }) },
    { name: '[host]:port not on 22', text: () => line('[router1]:2222', k().ec), host: 'router1', port: 22, want: () => ({ keys: [], revoked: [] }) },
    { name: 'plain host not on another port', text: () => line('router1', k().ed), host: 'router1', port: 2222, want: () => ({ keys: [], revoked: [] }) },
    { name: 'IPv6 with port', text: () => line('[2001:db8::1]:830', k().ed), host: '2001:db8::1', port: 830, want: () => ({ keys: [k().ed.fp], revoked: [] }) },
    { name: 'wildcard *', text: () => line('*.example.net', k().ed), host: 'router1.example.net', port: 22, want: () => ({ keys: [k().ed.fp], revoked: [] }) },
    { name: 'wildcard * needs the dot', text: () => line('*.example.net', k().ed), host: 'example.net', port: 22, want: () => ({ keys: [], revoked: [] }) },
    { name: 'wildcard ? is one character', text: () => `${line('192.0.2.?', k().ed)}\n`, host: '192.0.2.17', port: 22, want: () => ({ keys: [], revoked: [] }) },
    { name: 'wildcard ? matches', text: () => line('192.0.2.?', k().ed), host: '192.0.2.7', port: 22, want: () => ({ keys: [k().ed.fp], revoked: [] }) },
    { name: 'wildcard with port', text: () => line('[10.0.*]:2222', k().rsa), host: '10.0.3.4', port: 2222, want: () => ({ keys: [k().rsa.fp], revoked: [] }) },
    { name: 'negation excludes', text: () => line('*.example.net,!bad.example.net', k().ed), host: 'bad.example.net', port: 22, want: () => ({ keys: [], revoked: [] }) },
    { name: 'negation keeps the rest', text: () => line('*.example.net,!bad.example.net', k().ed), host: 'good.example.net', port: 22, want: () => ({ keys: [k().ed.fp], revoked: [] }) },
    { name: 'negation alone matches nothing', text: () => line('!bad', k().ed), host: 'router1', port: 22, want: () => ({ keys: [], revoked: [] }) },
    {
      name: 'several keys, comments, blank lines and CRLF',
      text: () => ['# lab routers', '', line('router1', k().ed), '   ', line('router1', k().rsa) + ' root@router1', line('router9', k().ec)].join('\r\n'),
      host: 'router1', port: 22, want: () => ({ keys: [k().ed.fp, k().rsa.fp], revoked: [] }),
    },
    {
      name: '@revoked is reported apart',
      text: () => [line('router1', k().ed), `@revoked * ${k().other.type} ${k().other.b64}`].join('\n'),
      host: 'router1', port: 22, want: () => ({ keys: [k().ed.fp], revoked: [k().other.fp] }),
    },
    {
      name: '@cert-authority lines are skipped',
      text: () => `@cert-authority *.example.net ${k().ec.type} ${k().ec.b64}`,
      host: 'router1.example.net', port: 22, want: () => ({ keys: [], revoked: [] }),
    },
    { name: 'malformed lines are skipped', text: () => 'router1 ssh-ed25519\nrouter1\n', host: 'router1', port: 22, want: () => ({ keys: [], revoked: [] }) },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = lookupKnownHosts(c.text(), c.host, c.port);
      expect({ keys: got.keys.map((x) => x.fingerprint), revoked: got.revoked }).toEqual(c.want());
    });
  }

  it('finds hashed entries made by ssh-keygen -H', () => {
    const file = t.path('hashed_known_hosts');
    writeFileSync(file, [line('router1.example.net', keys.ed), line('[192.0.2.1]:2222', keys.rsa)].join('\n') + '\n');
    sshKeygen(['-H', '-f', file]);
    const text = readFileSync(file, 'utf8');
    // The oracle really hashed the names: none is left in clear.
    expect(text).not.toContain('router1');
    expect(text.match(/^\|1\|/gm)).toHaveLength(2);
    const cases = [
      { host: 'router1.example.net', port: 22, want: [keys.ed.fp] },
      { host: 'ROUTER1.example.net', port: 22, want: [keys.ed.fp] },
      { host: '192.0.2.1', port: 2222, want: [keys.rsa.fp] },
      { host: '192.0.2.1', port: 22, want: [] },
      { host: 'router2.example.net', port: 22, want: [] },
    ];
    for (const c of cases) {
      expect(lookupKnownHosts(text, c.host, c.port).keys.map((x) => x.fingerprint), `${c.host}:${c.port}`).toEqual(c.want);
    }
    expect(lookupKnownHosts(text, 'router1.example.net', 22).keys[0]?.type).toBe('ssh-ed25519');
  });
});

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('checkHostKey', () => {
  it('accepts a pinned key, with or without padding', () => {
    expect(checkHostKey({ kind: 'pin', fingerprints: [`${keys.ed.fp}=`] }, 'router1', 22, 'ssh-ed25519', keys.ed.blob)).toEqual({ recorded: false });
    expect(checkHostKey({ kind: 'pin', fingerprints: [keys.rsa.fp, keys.ed.fp] }, 'router1', 22, 'ssh-ed25519', keys.ed.blob)).toEqual({ recorded: false });
  });

  it('refuses another key than the pin, showing both fingerprints and what to do', () => {
    const e = thrown(() => checkHostKey({ kind: 'pin', fingerprints: [keys.rsa.fp] }, 'router1', 2222, 'ssh-ed25519', keys.ed.blob));
    expect(e).toBeInstanceOf(HostKeyMismatchError);
    const m = e as HostKeyMismatchError;
    expect(m.endpoint).toBe('router1:2222');
    expect(m.presented).toBe(keys.ed.fp);
    expect(m.keyType).toBe('ssh-ed25519');
    expect(m.expected).toEqual([keys.rsa.fp]);
    expect(m.message).toContain(keys.ed.fp);
    expect(m.message).toContain(keys.rsa.fp);
    expect(m.message).toMatch(/do not continue unless you know why the key changed/i);
    expect(m.message).toContain('ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub');
  });

  it('refuses a malformed pin as input', () => {
    const e = thrown(() => checkHostKey({ kind: 'pin', fingerprints: ['MD5:aa'] }, 'router1', 22, 'ssh-ed25519', keys.ed.blob));
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).file).toBe('--host-key');
  });

  describe('known_hosts file', () => {
    const file = (): string => t.path('known_hosts');
    beforeAll(() => {
      writeFileSync(file(), [
        line('router1', keys.ed),
        line('router1', keys.ec),
        line('[router1]:2222', keys.rsa),
        `@revoked router3 ${keys.other.type} ${keys.other.b64}`,
        line('router3', keys.ed),
      ].join('\n') + '\n');
    });
    const policy = (): HostKeyPolicy => ({ kind: 'known-hosts', file: file() });

    it('accepts a listed key', () => {
      expect(checkHostKey(policy(), 'router1', 22, 'ecdsa-sha2-nistp256', keys.ec.blob)).toEqual({ recorded: false });
      expect(checkHostKey(policy(), 'router1', 2222, 'ssh-rsa', keys.rsa.blob)).toEqual({ recorded: false });
    });

    it('calls a host that is not listed unknown, with the presented fingerprint', () => {
      const e = thrown(() => checkHostKey(policy(), 'router2', 22, 'ssh-ed25519', keys.ed.blob));
      expect(e).toBeInstanceOf(HostKeyUnknownError);
      expect((e as HostKeyUnknownError).presented).toBe(keys.ed.fp);
      expect((e as Error).message).toContain(keys.ed.fp);
      expect((e as Error).message).toContain(`--host-key ${keys.ed.fp}`);
      expect((e as Error).message).toContain('ssh-keygen -lf');
    });

    it('refuses a listed host presenting another key, listing every expected one', () => {
      const e = thrown(() => checkHostKey(policy(), 'router1', 22, 'ssh-rsa', keys.rsa.blob));
      expect(e).toBeInstanceOf(HostKeyMismatchError);
      const m = e as HostKeyMismatchError;
      expect(m.expected).toEqual([keys.ed.fp, keys.ec.fp]);
      for (const fp of [keys.rsa.fp, keys.ed.fp, keys.ec.fp]) expect(m.message).toContain(fp);
    });

    it('refuses a revoked key even when the host is listed', () => {
      const e = thrown(() => checkHostKey(policy(), 'router3', 22, 'ssh-ed25519', keys.other.blob));
      expect(e).toBeInstanceOf(HostKeyMismatchError);
      expect((e as Error).message).toMatch(/revoked/);
    });

    it('names the flag when the file cannot be read', () => {
      const e = thrown(() => checkHostKey({ kind: 'known-hosts', file: t.path('nope') }, 'router1', 22, 'ssh-ed25519', keys.ed.blob));
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).code).toBe('not-found');
      expect((e as InputError).file).toBe(`--known-hosts FILE ${t.path('nope')}`);
    });
  });

  describe("certbench's store", () => {
    it('refuses an unknown host, records it on explicit accept, then accepts it and refuses a changed key', () => {
      const file = t.path('store/sub/known_hosts');
      const e = thrown(() => checkHostKey({ kind: 'store', file }, '192.0.2.9', 2222, 'ssh-ed25519', keys.ed.blob));
      expect(e).toBeInstanceOf(HostKeyUnknownError);
      expect(() => statSync(file)).toThrow();

      expect(checkHostKey({ kind: 'store', file, acceptNew: true }, '192.0.2.9', 2222, 'ssh-ed25519', keys.ed.blob)).toEqual({ recorded: true });
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(t.path('store/sub')).mode & 0o777).toBe(0o700);
      // OpenSSH itself finds the recorded line under the name it would use.
      expect(sshKeygen(['-F', '[192.0.2.9]:2222', '-f', file])).toContain(keys.ed.b64);

      expect(checkHostKey({ kind: 'store', file }, '192.0.2.9', 2222, 'ssh-ed25519', keys.ed.blob)).toEqual({ recorded: false });
      expect(checkHostKey({ kind: 'store', file, acceptNew: true }, '192.0.2.9', 2222, 'ssh-ed25519', keys.ed.blob)).toEqual({ recorded: false });
      expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(1);

      const changed = thrown(() => checkHostKey({ kind: 'store', file, acceptNew: true }, '192.0.2.9', 2222, 'ssh-ed25519', keys.other.blob));
      expect(changed).toBeInstanceOf(HostKeyMismatchError);
      expect((changed as HostKeyMismatchError).expected).toEqual([keys.ed.fp]);
      expect((changed as Error).message).toContain(keys.other.fp);
      expect(readFileSync(file, 'utf8')).not.toContain(keys.other.b64);
    });

    it('appends after a last line without a newline, and writes port 22 hosts plainly', () => {
      const dir = t.path('store2');
      mkdirSync(dir, { mode: 0o700 });
      const file = `${dir}/known_hosts`;
      writeFileSync(file, line('router1', keys.ed), { mode: 0o600 });
      chmodSync(file, 0o644);
      recordHostKey(file, 'Router2', 22, keys.rsa.type, keys.rsa.b64);
      expect(readFileSync(file, 'utf8').split('\n')).toEqual([line('router1', keys.ed), line('router2', keys.rsa), '']);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(sshKeygen(['-F', 'router2', '-f', file])).toContain(keys.rsa.b64);
    });

    it('refuses to record a host name that would break the file', () => {
      expect(() => recordHostKey(t.path('store3'), 'a b', 22, keys.ed.type, keys.ed.b64)).toThrow(InputError);
      expect(() => recordHostKey(t.path('store3'), 'a,b', 22, keys.ed.type, keys.ed.b64)).toThrow(InputError);
      expect(() => recordHostKey(t.path('store3'), 'router1', 22, 'ssh-ed25519\nx', keys.ed.b64)).toThrow(InputError);
    });
  });
});
